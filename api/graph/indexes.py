"""Indexes the API derives from a Dataset once: spans per source, parties per person, text to match."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import orjson

from api.graph.text import normalise
from schema.load.selectors import dataset_evidence
from schema.model import catalogue
from schema.model.dataset import Dataset
from schema.model.models import Claim, Delegate, Discrepancy, Evidence, Negotiation, Source
from schema.store.reader import EVIDENCE_LIST, Column, Lists, LoadedMapping, Records, Store, StoredDataset
from schema.store.snapshot import Progress, runs_with_inputs


def published_by(source: Source, as_of: dt.date) -> bool:
    """Returns whether the source was certainly published on or before `as_of`.

    A partial date counts only once its last possible day has passed (June 2025 is in by 2025-06-30);
    a source with no known publication date is never counted as published by any date.
    """
    return source.published_on is not None and source.published_on.latest() <= as_of


@dataclass(frozen=True)
class ApiIndex:
    """Derived lookups over a snapshot's dataset (`ApiIndex.from_store`), read from the tables the
    build wrote from the same derivations (`_derived`, `_claim_texts`)."""

    evidence_by_source: Mapping[str, list[Evidence]]
    cited_spans_by_source: Mapping[str, list[Evidence]]
    parties_by_person: Mapping[str, set[str]]
    claim_texts: Mapping[str, list[str]]
    position: Mapping[tuple[str, str], int]
    """(fixture stem, id) -> position in its file, the default order."""
    delegates_by_party: Mapping[str, list[Delegate]]
    """Party id -> its delegate seats, in file order."""
    discrepancies_by_negotiation: Mapping[str, list[Discrepancy]]
    """Negotiation id -> discrepancies about it, or (with no negotiation) about one of its delegates."""
    successors: Mapping[str, list[Negotiation]]
    """Negotiation id -> the rounds naming it as their predecessor, in file order."""
    published_to: Mapping[str, dt.date]
    """Source id -> the last day its publication date can mean (what `published_by` compares), for
    the sources with a known date: answered without the source's record."""

    @classmethod
    def from_store(cls, dataset: StoredDataset) -> ApiIndex:
        """Takes a snapshot's dataset and returns its indexes, read from the file when looked up."""
        return _from_store(cls, dataset)


def _derived(dataset: Dataset) -> dict[str, Any]:
    """ApiIndex's fields but the claim texts and positions (which a snapshot writes as it goes)."""
    spans: dict[str, dict[tuple[int, int], Evidence]] = defaultdict(dict)
    for evidence in dataset_evidence(dataset):
        spans[evidence.source].setdefault((evidence.start, evidence.end), evidence)
    cited: dict[str, dict[tuple[int, int], Evidence]] = defaultdict(dict)
    for citation in dataset.citations.values():
        span = citation.evidence
        cited[span.source].setdefault((span.start, span.end), span)

    parties: dict[str, set[str]] = defaultdict(set)
    for delegate in dataset.delegates.values():
        parties[delegate.person].add(delegate.party)
    for person in dataset.people.values():
        parties[person.id].update(a.party for a in person.affiliations if a.party)

    delegates_by_party: dict[str, list[Delegate]] = defaultdict(list)
    for delegate in dataset.delegates.values():
        delegates_by_party[delegate.party].append(delegate)
    successors: dict[str, list[Negotiation]] = defaultdict(list)
    for negotiation in dataset.negotiations.values():
        if negotiation.predecessor is not None:
            successors[negotiation.predecessor].append(negotiation)
    return {
        "evidence_by_source": {s: [e for _, e in sorted(v.items())] for s, v in spans.items()},
        "cited_spans_by_source": {s: [e for _, e in sorted(v.items())] for s, v in cited.items()},
        "parties_by_person": dict(parties),
        "delegates_by_party": dict(delegates_by_party),
        "discrepancies_by_negotiation": _discrepancies_by_negotiation(dataset),
        "successors": dict(successors),
    }


def _discrepancies_by_negotiation(dataset: Dataset) -> dict[str, list[Discrepancy]]:
    """Negotiation id -> in file order, the discrepancies naming it, and those naming no negotiation
    but a person holding a seat in it."""
    found: dict[str, list[Discrepancy]] = defaultdict(list)
    for discrepancy in dataset.discrepancies.values():
        if discrepancy.negotiation is not None:
            found[discrepancy.negotiation].append(discrepancy)
        elif discrepancy.person is not None:
            seats = dataset.delegates_by_person.get(discrepancy.person, [])
            for negotiation in dict.fromkeys(d.negotiation for d in seats):
                found[negotiation].append(discrepancy)
    return dict(found)


def _claim_texts(dataset: Dataset, claim: Claim, speakers: dict[str, list[str]]) -> list[str]:
    """Returns the normalised texts a claim's text filter matches against.

    `speakers` memoises each speaker's normalised names: a speaker has many claims.
    """
    names = speakers.get(claim.speaker)
    if names is None:
        speaker = dataset.people[claim.speaker]
        names = [normalise(t) for t in (speaker.name, *(a.name for a in speaker.aliases))]
        speakers[claim.speaker] = names
    texts = [normalise(claim.summary), *names]
    texts += [normalise(c.evidence.exact) for c in dataset.citations_by_claim.get(claim.id, [])]
    return texts


# --- The same indexes kept in a snapshot (schema.store.snapshot), written once by `parley build`. ---

LISTS = {
    "delegates_by_party": catalogue.DELEGATES.stem,
    "discrepancies_by_negotiation": catalogue.DISCREPANCIES.stem,
    "successors": catalogue.NEGOTIATIONS.stem,
}
"""ApiIndex lists kept as rows of the snapshot's `lists` table: name -> the stem of their records."""

SOURCES = [Path(__file__).resolve().parent / name for name in ("indexes.py", "search_index.py", "text.py")]
"""The code whose output a snapshot stores: a change to it makes every snapshot stale."""

def _spans_json(spans: list[Evidence]) -> str:
    """A source's spans as the snapshot keeps them: [start, end, prefix length, suffix length] each.

    The loader verified every selector against its seed text (`exact` is text[start:end], the
    prefix ends at start, the suffix starts at end), so the seed text gives back its words (the
    `seeds` table): no copy of them (as Evidence JSON, the copies were a large share of the file).
    """
    return orjson.dumps([[e.start, e.end, len(e.prefix), len(e.suffix)] for e in spans]).decode()


def _spans_from(source: str, text: str, body: str | bytes) -> list[Evidence]:
    """The Evidence list `_spans_json` keeps for a source, rebuilt from the source's seed text."""
    return EVIDENCE_LIST.validate_python(
        [
            {
                "source": source,
                "exact": text[start:end],
                "prefix": text[start - before : start],
                "suffix": text[end : end + after],
                "start": start,
                "end": end,
            }
            for start, end, before, after in orjson.loads(body)
        ]
    )


@runs_with_inputs  # nothing the record tables' side writes reads these: the main process takes them
def write_api_tables(dataset: Dataset, conn: sqlite3.Connection, progress: Progress) -> None:
    """Writes this module's indexes into a snapshot being built (its lists as `lists` rows), but
    for `claim_texts`."""
    progress("api indexes", 0, 0)
    index = _derived(dataset)
    conn.execute("CREATE TABLE spans (source TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL,"
                 " PRIMARY KEY (source, kind)) WITHOUT ROWID")
    for kind, name in (("all", "evidence_by_source"), ("cited", "cited_spans_by_source")):
        spans = index[name]
        conn.executemany(
            "INSERT INTO spans VALUES (?, ?, ?)",
            ((source, kind, _spans_json(spans[source])) for source in sorted(spans)),
        )
    conn.execute("CREATE TABLE person_parties (person TEXT PRIMARY KEY, parties TEXT NOT NULL) WITHOUT ROWID")
    conn.executemany(
        "INSERT INTO person_parties VALUES (?, ?)",
        ((p, orjson.dumps(sorted(v)).decode()) for p, v in sorted(index["parties_by_person"].items())),
    )
    rows = []
    for name, stem in LISTS.items():
        position = {record_id: i for i, record_id in enumerate(dataset.tables[stem])}
        for key, records in sorted(index[name].items()):
            rows += [(name, key, seq, position[record.id]) for seq, record in enumerate(records)]
    conn.executemany("INSERT INTO lists VALUES (?, ?, ?, ?)", rows)


def write_claim_texts(dataset: Dataset, conn: sqlite3.Connection, progress: Progress) -> None:
    """Writes `claim_texts`, with the record tables: `write_search_tables` reads it next."""
    conn.execute("CREATE TABLE claim_texts (pos INTEGER PRIMARY KEY, texts TEXT NOT NULL)")
    speakers: dict[str, list[str]] = {}
    conn.executemany(
        "INSERT INTO claim_texts VALUES (?, ?)",
        (
            (pos, orjson.dumps(_claim_texts(dataset, claim, speakers)).decode())
            for pos, claim in enumerate(dataset.claims.values())
        ),
    )


class _Stored(LoadedMapping[Any, Any]):
    """A read-only Mapping answered by a function (None: absent), keeping up to `size` answers.

    Kept answers are plain dict lookups (see `LoadedMapping`).
    """

    def __init__(self, load: Callable[[Any], Any], count: Callable[[], Any], size: int = 4096) -> None:
        super().__init__()
        self._loader, self._counter, self.limit = load, count, size

    def _load(self, key: Any) -> Any:
        return self._loader(key)

    def _keys(self) -> Iterator[Any]:
        raise TypeError("a snapshot index is looked up, not listed")

    def _count(self) -> int:
        return int(self._counter())


def _from_store(cls: type[ApiIndex], dataset: StoredDataset) -> ApiIndex:
    store: Store = dataset.store  # type: ignore[assignment]
    claims: Records[Any] = dataset.claims  # type: ignore[assignment]

    def spans(kind: str) -> _Stored:
        def load(source: str) -> list[Evidence] | None:
            body = store.one("SELECT body FROM spans WHERE source = ? AND kind = ?", (source, kind))
            return None if body is None else _spans_from(source, dataset.seed_texts[source], body)

        return _Stored(load, lambda: store.one("SELECT COUNT(*) FROM spans WHERE kind = ?", (kind,)), 256)

    def parties(person: str) -> set[str] | None:
        body = store.one("SELECT parties FROM person_parties WHERE person = ?", (person,))
        return None if body is None else set(orjson.loads(body))

    def texts(claim_id: str) -> list[str] | None:
        pos = claims.position(claim_id)
        body = None if pos is None else store.one("SELECT texts FROM claim_texts WHERE pos = ?", (pos,))
        return None if body is None else list(orjson.loads(body))

    tables = cast(Mapping[str, Records[Any]], dataset.tables)  # a snapshot's tables: Records

    def position(key: tuple[str, str]) -> int | None:
        stem, record_id = key
        table = tables.get(stem)
        return None if table is None else table.position(record_id)

    return cls(
        evidence_by_source=spans("all"),
        cited_spans_by_source=spans("cited"),
        parties_by_person=_Stored(parties, lambda: store.one("SELECT COUNT(*) FROM person_parties")),
        claim_texts=_Stored(texts, lambda: len(claims)),
        position=_Stored(position, lambda: sum(dataset.counts().values()), 16384),
        published_to=Column(store, catalogue.SOURCES.stem, "published_to", dt.date.fromisoformat),
        **cast(dict[str, Any], {n: Lists(store, n, tables[s]) for n, s in LISTS.items()}),
    )

