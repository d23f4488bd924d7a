"""The entity catalogue: every entity declared once, everything per entity derived from here.

An `Entry` says what each module would otherwise write out per entity: the fixture file and model,
the cross-references the loader resolves, the store table's plain columns and the indexes grouping
it on one of them, the texts `search` looks in, and the label counts are shown with. `ENTITIES`
lists them in dependency order (an entry refers only to itself and to entries above it), which is
the load order, the order of `meta.counts`, of the data package's resources and of the root fields.
Derived here: FIXTURE_MODELS, REFERENCES, BY_COLUMN, COLUMNS, SEARCH_TABLES, COUNT_LABELS.
Every record's key is its `id` (`Verified`), unique in its file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from schema.model.models import (
    Citation,
    Claim,
    Delegate,
    Discrepancy,
    Negotiation,
    Outlet,
    Party,
    Person,
    Source,
    Verified,
)

R = TypeVar("R", bound=Verified)

Texts = Callable[[Any], list[str | None]]
"""A record -> the texts `search` looks in (None: nothing there)."""


@dataclass(frozen=True)
class Entry(Generic[R]):
    """One entity: its fixture file, model and everything modules read about it."""

    stem: str
    """Fixture file stem and plural noun (`<stem>.json`, the store's table, meta's entity name)."""
    model: type[R]
    """The pydantic model of one record."""
    label: str
    """What the home page calls a count of its records ("articles (sources)")."""
    references: tuple[tuple[str, str], ...] = ()
    """(field path, stem of the records it names); "[]" steps into every list item."""
    columns: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    """The store table's plain columns beside `body`: name -> the value of one record."""
    grouped_by: tuple[str, ...] = ()
    """Columns the dataset groups records on: `<stem>_by_<column>` (an SQL index in the store)."""
    search: Texts | None = None
    """The texts `search` looks in (FTS5 table `search_<stem>`); None: not searched that way."""

    @property
    def file(self) -> str:
        """The fixture file's name, e.g. claims.json."""
        return f"{self.stem}.json"

    @property
    def noun(self) -> str:
        """The model's name in lower case, as messages name one record (`unknown outlet 'x'`)."""
        return self.model.__name__.lower()


def _attested(value: Any) -> Any:
    return None if value is None else getattr(value, "value", value)


def _date(value: Any) -> str | None:
    return None if value is None else str(getattr(value, "date", value))


def _earliest(value: Any) -> str | None:
    """The first day a partial date can mean, ISO (strings in this shape sort as the days do)."""
    return None if value is None else str(value.earliest().isoformat())


def _latest(value: Any) -> str | None:
    """The last day a partial date can mean, ISO."""
    return None if value is None else str(value.latest().isoformat())


def _values(*parts: Any) -> list[str | None]:
    """Attested values' texts (an `Attested` or None each)."""
    return [None if p is None else p.value for p in parts]


OUTLETS: Entry[Outlet] = Entry(
    "outlets",
    Outlet,
    label="outlets",
    columns={"name": lambda r: r.name, "kind": lambda r: str(r.kind)},
    search=lambda o: [o.name, *(a.name for a in o.aliases)],
)
SOURCES: Entry[Source] = Entry(
    "sources",
    Source,
    label="articles (sources)",
    references=(("outlet", "outlets"), ("credit.origin", "outlets")),
    columns={
        "outlet": lambda r: r.outlet,
        "seed": lambda r: r.seed,
        "headline": lambda r: _attested(r.headline),
        "published_from": lambda r: _earliest(r.published_on),
        "published_to": lambda r: _latest(r.published_on),
        "story": lambda r: f"source:{r.id}" if r.credit is None else f"outlet:{r.credit.origin}",
    },
    grouped_by=("outlet",),
    search=lambda s: _values(s.headline, s.author),
)
PARTIES: Entry[Party] = Entry("parties", Party, label="parties", columns={"name": lambda r: r.name})
PEOPLE: Entry[Person] = Entry(
    "people",
    Person,
    label="people",
    references=(("affiliations[].party", "parties"),),
    columns={"name": lambda r: r.name, "folded_name": lambda r: r.name.casefold()},
    search=lambda p: [p.name, p.description, *(a.name for a in p.aliases)],
)
NEGOTIATIONS: Entry[Negotiation] = Entry(
    "negotiations",
    Negotiation,
    label="negotiations",
    references=(("parties[]", "parties"), ("predecessor", "negotiations")),
    columns={"name": lambda r: r.name},
    search=lambda n: [n.name, *_values(n.location, n.venue, n.host)],
)
DELEGATES: Entry[Delegate] = Entry(
    "delegates",
    Delegate,
    label="delegate seats",
    references=(("negotiation", "negotiations"), ("person", "people"), ("party", "parties")),
    columns={"negotiation": lambda r: r.negotiation, "person": lambda r: r.person},
    grouped_by=("negotiation", "person"),
)
CLAIMS: Entry[Claim] = Entry(
    "claims",
    Claim,
    label="claims",
    references=(("speaker", "people"), ("negotiation", "negotiations")),
    columns={
        "speaker": lambda r: r.speaker,
        "negotiation": lambda r: r.negotiation,
        "said_on": lambda r: _date(r.said_on),
        "said_from": lambda r: _earliest(r.said_on),
        "said_to": lambda r: _latest(r.said_on),
        "summary": lambda r: r.summary,
    },
    grouped_by=("speaker", "negotiation"),
)
CITATIONS: Entry[Citation] = Entry(
    "citations",
    Citation,
    label="citations",
    references=(("claim", "claims"),),
    columns={
        "claim": lambda r: r.claim,
        "source": lambda r: r.evidence.source,
        "mode": lambda r: str(r.mode),
        "start": lambda r: r.evidence.start,
        "end": lambda r: r.evidence.end,
        "exact": lambda r: r.evidence.exact,
    },
    grouped_by=("claim", "source"),
)
DISCREPANCIES: Entry[Discrepancy] = Entry(
    "discrepancies",
    Discrepancy,
    label="discrepancies",
    references=(("negotiation", "negotiations"), ("person", "people")),
)

ENTITIES: tuple[Entry[Any], ...] = (
    OUTLETS,
    SOURCES,
    PARTIES,
    PEOPLE,
    NEGOTIATIONS,
    DELEGATES,
    CLAIMS,
    CITATIONS,
    DISCREPANCIES,
)
"""Every entity, in dependency order (a file refers only to itself and to files above it)."""


def check(entities: tuple[Entry[Any], ...]) -> None:
    """Raises ValueError naming the entry when the catalogue contradicts itself: a stem twice, a
    reference to a stem not declared above (or at) its entry, a grouping on an undeclared column."""
    seen: set[str] = set()
    for entry in entities:
        if entry.stem in seen:
            raise ValueError(f"catalogue: {entry.stem} is declared twice")
        seen.add(entry.stem)
        for path, target in entry.references:
            if target not in seen:
                raise ValueError(f"catalogue: {entry.stem}.{path} names {target!r}, not declared above it")
        for column in entry.grouped_by:
            if column not in entry.columns:
                raise ValueError(f"catalogue: {entry.stem} is grouped by {column!r}, not one of its columns")


check(ENTITIES)

BY_STEM: dict[str, Entry[Any]] = {e.stem: e for e in ENTITIES}
FIXTURE_MODELS: dict[str, type[Verified]] = {e.stem: e.model for e in ENTITIES}
"""Fixture file stem -> record model, in dependency order."""
REFERENCES: dict[str, list[tuple[str, str]]] = {e.stem: list(e.references) for e in ENTITIES if e.references}
"""Fixture stem -> (field path, stem of the records it names)."""
COLUMNS: dict[str, dict[str, Callable[[Any], Any]]] = {e.stem: dict(e.columns) for e in ENTITIES}
"""Store table -> its plain columns (name -> value of one record)."""
BY_COLUMN: dict[str, tuple[str, str]] = {
    f"{e.stem}_by_{column}": (e.stem, column) for e in ENTITIES for column in e.grouped_by
}
"""Dataset index name -> (the stem its lists hold, the column of that table it groups on)."""
SEARCH_TABLES: dict[str, tuple[str, Texts]] = {
    f"search_{e.stem}": (e.stem, e.search) for e in ENTITIES if e.search is not None
}
"""Store search table -> (fixture stem, the texts of one record `search` looks in)."""
COUNT_LABELS: dict[str, str] = {e.stem: e.label for e in ENTITIES}
"""Fixture stem -> what a count of its records is called."""
