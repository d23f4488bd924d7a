"""The loaded dataset: records by id and the in-memory indexes the API reads."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from pydantic import BaseModel

from schema.model.models import (
    Citation,
    Claim,
    Delegate,
    Discrepancy,
    Evidence,
    Negotiation,
    Outlet,
    Party,
    Person,
    Source,
    Verified,
)

# Fixture file stem -> record model, in dependency order (a file only refers to files above it).
FIXTURE_MODELS: dict[str, type[Verified]] = {
    "outlets": Outlet,
    "sources": Source,
    "parties": Party,
    "people": Person,
    "negotiations": Negotiation,
    "delegates": Delegate,
    "claims": Claim,
    "citations": Citation,
    "discrepancies": Discrepancy,
}

R = TypeVar("R", bound=BaseModel)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Runs the block with the cyclic garbage collector off (as it was before, after it).

    Loading and writing allocate millions of long-lived objects and no cycles; every collection
    triggered meanwhile walks all of them again (at 100k claims, 26 of the 41 s the load took).
    Before the collector is switched back on, everything allocated meanwhile moves to the oldest
    generation (`freeze` then `unfreeze`: two list splices): left in the youngest, the first
    collections after the block would each walk those millions of objects once more (0.5 s each).
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


def _group(records: Iterable[R], *keys_of: str) -> dict[str, list[R]]:
    grouped: dict[str, list[R]] = defaultdict(list)
    for record in records:
        for key in keys_of:
            value = getattr(record, key)
            if value is not None:
                grouped[value].append(record)
    return dict(grouped)


@dataclass(frozen=True)
class Dataset:
    """Every record by id (in file order) and the indexes built from them.

    Build it with `Dataset.build`; the loader does so only after every check passed.
    """

    outlets: Mapping[str, Outlet]
    sources: Mapping[str, Source]
    parties: Mapping[str, Party]
    people: Mapping[str, Person]
    negotiations: Mapping[str, Negotiation]
    delegates: Mapping[str, Delegate]
    claims: Mapping[str, Claim]
    citations: Mapping[str, Citation]
    discrepancies: Mapping[str, Discrepancy]
    seed_texts: Mapping[str, str] = field(repr=False)
    """Source id -> the seed text exactly as stored."""
    files: Mapping[str, FixtureFile] = field(repr=False)
    """File name (e.g. claims.json, datapackage.json) -> verified bytes."""

    # Indexes: id -> records in file order.
    citations_by_claim: Mapping[str, list[Citation]] = field(default_factory=dict, repr=False)
    citations_by_source: Mapping[str, list[Citation]] = field(default_factory=dict, repr=False)
    claims_by_speaker: Mapping[str, list[Claim]] = field(default_factory=dict, repr=False)
    claims_by_negotiation: Mapping[str, list[Claim]] = field(default_factory=dict, repr=False)
    claims_by_source: Mapping[str, list[Claim]] = field(default_factory=dict, repr=False)
    claims_by_outlet: Mapping[str, list[Claim]] = field(default_factory=dict, repr=False)
    delegates_by_negotiation: Mapping[str, list[Delegate]] = field(default_factory=dict, repr=False)
    delegates_by_person: Mapping[str, list[Delegate]] = field(default_factory=dict, repr=False)
    sources_by_outlet: Mapping[str, list[Source]] = field(default_factory=dict, repr=False)
    selectors: Sequence[Evidence] = field(default=(), repr=False)
    """Every Evidence selector in fixture order, as the loader verified them (empty: walk records)."""
    bodies: Mapping[str, Sequence[str]] = field(default_factory=dict, repr=False)
    """Stem -> its records' JSON in file order, as their fixture gave them (`load_dataset(...,
    for_snapshot=True)`); a stem missing here: `write_snapshot` serialises the records."""

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
        by_id = {stem: {r.id: r for r in records.get(stem, [])} for stem in FIXTURE_MODELS}
        claims: dict[str, Claim] = by_id["claims"]  # type: ignore[assignment]
        citations: dict[str, Citation] = by_id["citations"]  # type: ignore[assignment]
        sources: dict[str, Source] = by_id["sources"]  # type: ignore[assignment]

        citations_by_source: dict[str, list[Citation]] = defaultdict(list)
        for citation in citations.values():
            citations_by_source[citation.evidence.source].append(citation)
        citations_by_claim = _group(citations.values(), "claim")

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

        delegates = by_id["delegates"]
        return cls(
            outlets=by_id["outlets"],  # type: ignore[arg-type]
            sources=sources,
            parties=by_id["parties"],  # type: ignore[arg-type]
            people=by_id["people"],  # type: ignore[arg-type]
            negotiations=by_id["negotiations"],  # type: ignore[arg-type]
            delegates=delegates,  # type: ignore[arg-type]
            claims=claims,
            citations=citations,
            discrepancies=by_id["discrepancies"],  # type: ignore[arg-type]
            seed_texts=seed_texts,
            files=files,
            citations_by_claim=citations_by_claim,
            citations_by_source=dict(citations_by_source),
            claims_by_speaker=_group(claims.values(), "speaker"),
            claims_by_negotiation=_group(claims.values(), "negotiation"),
            claims_by_source=dict(claims_by_source),
            claims_by_outlet=dict(claims_by_outlet),
            delegates_by_negotiation=_group(delegates.values(), "negotiation"),  # type: ignore[arg-type]
            delegates_by_person=_group(delegates.values(), "person"),  # type: ignore[arg-type]
            sources_by_outlet=_group(sources.values(), "outlet"),
            selectors=selectors,
            bodies={stem: found for stem, found in (bodies or {}).items() if found},
        )

    def counts(self) -> dict[str, int]:
        """Returns the number of records per fixture stem."""
        return {stem: len(getattr(self, stem)) for stem in FIXTURE_MODELS}
