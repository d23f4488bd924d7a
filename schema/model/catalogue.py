"""The entity catalogue: every entity declared once, everything per entity derived from here.

An `Entry` says what each module would otherwise write out per entity: the fixture file and model,
the cross-references the loader resolves, the store table's typed columns and child tables and the
indexes grouping it on one of them, the texts `search` looks in, and the label counts are shown
with. `ENTITIES` lists them in dependency order (an entry refers only to itself and to entries
above it), which is the load order, the order of `meta.counts`, of the data package's resources
and of the root fields.
Derived here: FIXTURE_MODELS, REFERENCES, BY_COLUMN, SEARCH_TABLES, COUNT_LABELS; the store's tables
(schema/store/layout.py) from `fields`, `lists` and `words`.
Every record's key is its `id` (`Verified`), unique in its file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
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


def walker(names: Sequence[str], convert: Callable[[Any], Any] | None = None) -> Callable[[Any], Any]:
    """A getter of the attribute path `names` that gives None where any step along it is None, and
    otherwise the value (through `convert`, if given)."""

    def get(value: Any) -> Any:
        for name in names:
            value = getattr(value, name)
            if value is None:
                return None
        return value if convert is None else convert(value)

    return get


@dataclass(frozen=True)
class F:
    """A field at `path` of the model, as store column `name` (default: the path, `_` for `.`);
    its type, NOT NULL and reference are read off the model and `references`."""

    path: str
    doc: str = ""
    name: str = ""

    @property
    def column(self) -> str:
        """The column's name."""
        return self.name or self.path.replace(".", "_")


@dataclass(frozen=True)
class PartialDateOf:
    """A PartialDate field `<f>_on`: columns `<f>_on` (as written), `<f>_on_precision`,
    `<f>_on_note`, `<f>_from` and `<f>_to` (the first and last day it can mean)."""

    path: str
    what: str


@dataclass(frozen=True)
class Derived:
    """A text column computed from the record, not one of its fields (never NULL)."""

    name: str
    doc: str
    get: Callable[[Any], str]


@dataclass(frozen=True)
class ListOf:
    """A list field as a child table `name` (owner id, place in the list, `item`'s columns)."""

    name: str
    path: str
    doc: str
    item: tuple[F, ...]


@dataclass(frozen=True)
class Entry(Generic[R]):
    """One entity: its fixture file, model and everything modules read about it."""

    stem: str
    """Fixture file stem and plural noun (`<stem>.json`, the store's table, meta's entity name)."""
    model: type[R]
    """The pydantic model of one record."""
    label: str
    """What the home page calls a count of its records ("articles (sources)")."""
    doc: str = ""
    """What one record is, for people reading the store (table descriptions)."""
    references: tuple[tuple[str, str], ...] = ()
    """(field path, stem of the records it names); "[]" steps into every list item."""
    fields: tuple[F | PartialDateOf | Derived, ...] = ()
    """The store table's typed columns (beside `id` and `pos`)."""
    lists: tuple[ListOf, ...] = ()
    """The store's child tables, one per list field."""
    grouped_by: tuple[str, ...] = ()
    """Columns the dataset groups records on: `<stem>_by_<column>` (an SQL index in the store)."""
    words: tuple[str, ...] = ()
    """Columns the reader's full-text table `<stem>_fts` indexes (Datasette's search box)."""
    row_label: str = "name"
    """The column a row is shown by (Datasette's label column)."""
    search: Texts | None = None
    """The texts the API's `search` looks in (FTS5 table `search_<stem>`); None: not searched."""

    @property
    def file(self) -> str:
        """The fixture file's name, e.g. claims.json."""
        return f"{self.stem}.json"

    def value_of(self, column: str) -> Callable[[Any], Any]:
        """The value of one of `fields`' columns in a record (None where the path meets None)."""
        spec = next(s for s in self.fields if isinstance(s, F) and s.column == column)
        return walker(spec.path.split("."))

    @property
    def one(self) -> str:
        """What a column naming one record is called (`claim`, `person`)."""
        return self.noun

    @property
    def noun(self) -> str:
        """The model's name in lower case, as messages name one record (`unknown outlet 'x'`)."""
        return self.model.__name__.lower()


def _values(*parts: Any) -> list[str | None]:
    """Attested values' texts (an `Attested` or None each)."""
    return [None if p is None else p.value for p in parts]


def _story(source: Source) -> str:
    return f"source:{source.id}" if source.credit is None else f"outlet:{source.credit.origin}"


ALIAS = (F("name", "The spelling, as printed."),)

OUTLETS: Entry[Outlet] = Entry(
    "outlets",
    Outlet,
    label="outlets",
    doc="Publishers and wire services.",
    fields=(F("name", "The outlet's name."), F("kind", "What kind of publisher it is.")),
    lists=(
        ListOf("outlet_aliases", "aliases", "Every spelling of an outlet's name the seeds print.", ALIAS),
    ),
    words=("name",),
    search=lambda o: [o.name, *(a.name for a in o.aliases)],
)
SOURCES: Entry[Source] = Entry(
    "sources",
    Source,
    label="articles (sources)",
    doc="Articles: one per seed text.",
    references=(("outlet", "outlets"), ("credit.origin", "outlets")),
    fields=(
        F("seed"),
        F("sha256", "sha256 of the seed file's bytes."),
        F("outlet", "The publishing outlet; NULL when no seed names it."),
        F("headline", "The headline as printed; NULL when the article has none."),
        F("author", "The byline as printed; NULL when there is none."),
        PartialDateOf("published_on", "When the article was published"),
        F(
            "credit.text",
            "The credit line as printed, when the story is adapted from another outlet's.",
            name="credit",
        ),
        F("credit.origin", "The outlet the story is adapted from.", name="credit_origin"),
        Derived(
            "story",
            "What counts as one independent story: `source:<id>`, or `outlet:<credit_origin>` for an "
            "adapted one (what the claims' INDEPENDENT_SOURCE_COUNT order counts).",
            _story,
        ),
    ),
    grouped_by=("outlet",),
    words=("headline", "author"),
    row_label="headline",
    search=lambda s: _values(s.headline, s.author),
)
PARTIES: Entry[Party] = Entry(
    "parties",
    Party,
    label="parties",
    doc="Sides in a negotiation (governments).",
    fields=(F("name", "The party's name."),),
    words=("name",),
)
PEOPLE: Entry[Person] = Entry(
    "people",
    Person,
    label="people",
    doc="Everyone who speaks or is named; unnamed speakers are kept as described.",
    references=(("affiliations[].party", "parties"),),
    fields=(
        F("name"),
        F("named", "Whether the seeds name the person."),
        F("kind", "One person or a described group."),
        F("description", "Who the person is, as the seeds describe them."),
        Derived(
            "folded_name", "`name` casefolded: what the API sorts speakers by.", lambda r: r.name.casefold()
        ),
    ),
    lists=(
        ListOf("person_aliases", "aliases", "Every spelling of a person's name the seeds print.", ALIAS),
        ListOf(
            "affiliations",
            "affiliations",
            "Roles and organisations the seeds give a person.",
            (F("role"), F("organization"), F("party", "The party the role belongs to, if any.")),
        ),
    ),
    words=("name", "description"),
    search=lambda p: [p.name, p.description, *(a.name for a in p.aliases)],
)
NEGOTIATIONS: Entry[Negotiation] = Entry(
    "negotiations",
    Negotiation,
    label="negotiations",
    doc="Rounds of talks.",
    references=(("parties[]", "parties"), ("predecessor", "negotiations")),
    fields=(
        F("name", "The round's name."),
        F("location", "Where the talks were held (city), as reported."),
        F("venue", "The building, as reported."),
        F("host", "Who hosted the talks, as reported."),
        PartialDateOf("start_on", "The first day of the talks"),
        PartialDateOf("end_on", "The last day of the talks"),
        F("predecessor", "The round before this one."),
    ),
    lists=(
        ListOf(
            "negotiation_parties",
            "parties",
            "The parties at the table.",
            (F("", "The party.", name="party"),),
        ),
        ListOf(
            "negotiation_statuses",
            "status",
            "Where the talks stood, as each source reports it.",
            (F("status", "The status reported."),),
        ),
        ListOf(
            "negotiation_outcomes",
            "outcome",
            "Outcomes as reported.",
            (F("", "The outcome.", name="outcome"),),
        ),
    ),
    words=("name", "location", "venue", "host"),
    search=lambda n: [n.name, *_values(n.location, n.venue, n.host)],
)
DELEGATES: Entry[Delegate] = Entry(
    "delegates",
    Delegate,
    label="delegate seats",
    doc="A person's seat in one negotiation.",
    references=(("negotiation", "negotiations"), ("person", "people"), ("party", "parties")),
    fields=(
        F("negotiation", "The negotiation."),
        F("person", "The person holding the seat."),
        F("party", "The party the person sits for."),
        F("lead", "Whether the person led the party's delegation."),
    ),
    lists=(
        ListOf(
            "delegate_titles",
            "titles",
            "Titles as printed (the spans in `evidence`).",
            (F("title", "The title as printed."),),
        ),
    ),
    grouped_by=("negotiation", "person"),
    row_label="id",
)
CLAIMS: Entry[Claim] = Entry(
    "claims",
    Claim,
    label="claims",
    doc="Statements: one per speaker and utterance, however many articles report it.",
    references=(("speaker", "people"), ("negotiation", "negotiations")),
    fields=(
        F("speaker", "The person (or group) who said it."),
        F("negotiation", "The negotiation it is about; NULL when none."),
        PartialDateOf("said_on", "When the words were said"),
        F("setting", "Where or how it was said, as reported."),
        F("summary"),
    ),
    lists=(
        ListOf(
            "claim_topics", "topics", "The topics a claim is about.", (F("", "A topic slug.", name="topic"),)
        ),
    ),
    grouped_by=("speaker", "negotiation"),
    words=("summary",),
    row_label="summary",
)
CITATIONS: Entry[Citation] = Entry(
    "citations",
    Citation,
    label="citations",
    doc="A claim as one article reports it, with the words it prints.",
    references=(("claim", "claims"),),
    fields=(
        F("claim", "The claim reported."),
        F("evidence.source", "The article.", name="source"),
        F("mode", "How the article reports the claim."),
        F("evidence.exact", "The article's words, byte for byte.", name="exact"),
        F("evidence.start", "0-based code point offset of `exact` in the article's seed text.", name="start"),
        F("evidence.end", "Offset just past the last code point of `exact`.", name="end"),
        F("cue.exact", "The attribution words ('said', 'told reporters'); NULL when none.", name="cue"),
    ),
    grouped_by=("claim", "source"),
    words=("exact",),
    row_label="exact",
)
DISCREPANCIES: Entry[Discrepancy] = Entry(
    "discrepancies",
    Discrepancy,
    label="discrepancies",
    doc="Points where sources disagree; every version is kept.",
    references=(("negotiation", "negotiations"), ("person", "people")),
    fields=(
        F("subject", "What is disputed."),
        F("kind", "What the sources disagree about."),
        F("negotiation", "The negotiation it concerns, if any."),
        F("person", "The person it concerns, if any."),
    ),
    lists=(
        ListOf(
            "discrepancy_variants",
            "variants",
            "Each version of the disputed value (spans in `evidence`).",
            (F("value", "The version as printed."),),
        ),
    ),
    words=("subject",),
    row_label="subject",
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
        columns = {s.column for s in entry.fields if isinstance(s, F)}
        for column in entry.grouped_by:
            if column not in columns:
                raise ValueError(f"catalogue: {entry.stem} is grouped by {column!r}, not one of its columns")


check(ENTITIES)

BY_STEM: dict[str, Entry[Any]] = {e.stem: e for e in ENTITIES}
FIXTURE_MODELS: dict[str, type[Verified]] = {e.stem: e.model for e in ENTITIES}
"""Fixture file stem -> record model, in dependency order."""
REFERENCES: dict[str, list[tuple[str, str]]] = {e.stem: list(e.references) for e in ENTITIES if e.references}
"""Fixture stem -> (field path, stem of the records it names)."""
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
