"""The loaded dataset: records by id and their indexes, as the loader builds them to write the snapshot."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from pydantic import BaseModel

from schema.model.catalogue import (
    BY_COLUMN,
    BY_STEM,
    CITATIONS,
    CLAIMS,
    DELEGATES,
    DISCREPANCIES,
    ENTITIES,
    NEGOTIATIONS,
    OUTLETS,
    PARTIES,
    PEOPLE,
    SOURCES,
    Entry,
)
from schema.model.catalogue import FIXTURE_MODELS as FIXTURE_MODELS  # re-exported: derived there
from schema.model.models import Citation, Claim, Evidence, Source, Verified

DERIVED: dict[str, str] = {"claims_by_source": CLAIMS.stem, "claims_by_outlet": CLAIMS.stem}
"""Dataset index name -> the stem its lists hold, for the indexes `Dataset.build` derives through
citations (not one column's values: the store keeps them as rows of `lists`)."""
LISTS: dict[str, str] = {**{name: stem for name, (stem, _) in BY_COLUMN.items()}, **DERIVED}
"""Every `*_by_*` index of a Dataset -> the stem its lists hold."""

R = TypeVar("R", bound=BaseModel)
M = TypeVar("M", bound=Verified)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Runs the block with the cyclic garbage collector off (as it was before, after it).

    Loading and writing allocate millions of long-lived objects and no cycles, which every collection
    would walk again. Afterwards everything allocated meanwhile moves to the oldest generation
    (`freeze` then `unfreeze`: two list splices), so the first collections do not walk it either.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


@dataclass(frozen=True)
class FixtureFile:
    """One verified fixture file as served for download."""

    name: str
    content: bytes
    sha256: str

    @property
    def size(self) -> int:
        """The file's length in bytes."""
        return len(self.content)


def _group(records: Iterable[R], column: Callable[[Any], Any]) -> dict[str, list[R]]:
    """Column value -> the records with it, in their order (a record whose value is None: none)."""
    grouped: dict[str, list[R]] = defaultdict(list)
    for record in records:
        value = column(record)
        if value is not None:
            grouped[value].append(record)
    return dict(grouped)


def _table(entry: Entry[M]) -> cached_property[Mapping[str, M]]:
    """`dataset.<stem>`, typed: the entity's records by id (kept in the instance once read)."""
    return cached_property(lambda dataset: dataset.tables[entry.stem])


def _lists(entry: Entry[M], name: str) -> cached_property[Mapping[str, Sequence[M]]]:
    """`dataset.<name>`, typed: one `*_by_*` index of the entity's records."""
    return cached_property(lambda dataset: dataset.lists[name])


@dataclass(frozen=True)
class Dataset:
    """Every record by id (in file order) and the indexes built from them, per catalogued entity.

    Build it with `Dataset.build`; the loader does so only after every check passed. `tables` and
    `lists` hold every entity's records and `*_by_*` indexes (`of(entry)`: one entity's, typed);
    the attributes named after them (`dataset.claims`, `dataset.claims_by_speaker`) are shorthands
    for the same mappings.
    """

    tables: Mapping[str, Mapping[str, Verified]]
    """Fixture stem -> its records by id, in file order (every stem of the catalogue)."""
    seed_texts: Mapping[str, str] = field(repr=False)
    """Source id -> the seed text exactly as stored."""
    files: Mapping[str, FixtureFile] = field(repr=False)
    """File name (e.g. claims.json, datapackage.json) -> verified bytes."""
    lists: Mapping[str, Mapping[str, Sequence[Verified]]] = field(default_factory=dict, repr=False)
    """Index name (`LISTS`) -> key -> the records in file order (only keys with records)."""
    selectors: Sequence[Evidence] = field(default=(), repr=False)
    """Every Evidence selector in fixture order, as the loader verified them (empty: walk records)."""
    bodies: Mapping[str, Sequence[str]] = field(default_factory=dict, repr=False)
    """Stem -> its records' JSON in file order, as their fixture gave them (`load_dataset(...,
    for_snapshot=True)`); a stem missing here: `write_snapshot` serialises the records."""

    outlets = _table(OUTLETS)
    sources = _table(SOURCES)
    parties = _table(PARTIES)
    people = _table(PEOPLE)
    negotiations = _table(NEGOTIATIONS)
    delegates = _table(DELEGATES)
    claims = _table(CLAIMS)
    citations = _table(CITATIONS)
    discrepancies = _table(DISCREPANCIES)
    citations_by_claim = _lists(CITATIONS, "citations_by_claim")
    citations_by_source = _lists(CITATIONS, "citations_by_source")
    claims_by_speaker = _lists(CLAIMS, "claims_by_speaker")
    claims_by_negotiation = _lists(CLAIMS, "claims_by_negotiation")
    claims_by_source = _lists(CLAIMS, "claims_by_source")
    claims_by_outlet = _lists(CLAIMS, "claims_by_outlet")
    delegates_by_negotiation = _lists(DELEGATES, "delegates_by_negotiation")
    delegates_by_person = _lists(DELEGATES, "delegates_by_person")
    sources_by_outlet = _lists(SOURCES, "sources_by_outlet")

    def of(self, entry: Entry[M]) -> Mapping[str, M]:
        """Returns one entity's records by id, in file order."""
        return self.tables[entry.stem]  # type: ignore[return-value]

    @classmethod
    def build(
        cls,
        records: Mapping[str, list[Verified]],
        seed_texts: Mapping[str, str],
        files: Mapping[str, FixtureFile],
        selectors: Sequence[Evidence] = (),
        bodies: Mapping[str, Sequence[str]] | None = None,
    ) -> Dataset:
        """Takes validated records per fixture stem and returns the dataset with its indexes."""
        by_id: dict[str, dict[str, Verified]] = {
            e.stem: {r.id: r for r in records.get(e.stem, [])} for e in ENTITIES
        }
        lists: dict[str, Mapping[str, Sequence[Verified]]] = {
            name: _group(by_id[stem].values(), BY_STEM[stem].value_of(column))
            for name, (stem, column) in BY_COLUMN.items()
        }
        claims: dict[str, Claim] = by_id[CLAIMS.stem]  # type: ignore[assignment]
        sources: dict[str, Source] = by_id[SOURCES.stem]  # type: ignore[assignment]
        citations_by_claim: Mapping[str, Sequence[Citation]] = lists["citations_by_claim"]  # type: ignore[assignment]

        claims_by_source: dict[str, list[Claim]] = defaultdict(list)
        claims_by_outlet: dict[str, list[Claim]] = defaultdict(list)
        source_order = {source_id: i for i, source_id in enumerate(sources)}  # not list.index: O(1)
        for claim in claims.values():
            seen_sources = {c.evidence.source for c in citations_by_claim.get(claim.id, [])}
            outlets = {sources[s].outlet for s in seen_sources} - {None}
            for source_id in sorted(seen_sources, key=source_order.__getitem__):
                claims_by_source[source_id].append(claim)
            for outlet_id in outlets:
                assert outlet_id is not None
                claims_by_outlet[outlet_id].append(claim)
        lists["claims_by_source"] = dict(claims_by_source)
        lists["claims_by_outlet"] = dict(claims_by_outlet)
        return cls(
            tables=by_id,
            seed_texts=seed_texts,
            files=files,
            lists=lists,
            selectors=selectors,
            bodies={stem: found for stem, found in (bodies or {}).items() if found},
        )

    def counts(self) -> dict[str, int]:
        """Returns the number of records per fixture stem."""
        return {e.stem: len(self.tables[e.stem]) for e in ENTITIES}
