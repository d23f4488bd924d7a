"""Search candidates from the snapshot, so `search` checks a few records instead of every one.

Each index returns, in file order, a superset of the records a search can match; `api.graph.search`
still decides each one with its own rules, so results are exactly those of a full scan.
- the FTS5 trigram tables (`search_<stem>`, written here): rows whose text may hold the needle.
- `NameIndex`: fuzzy person names. `name_distance` accepts a spelling when the compacted query is
  within `tolerance` edits of its compacted form or one of its words. Split the query into
  tolerance + 1 pieces: k edits leave one piece untouched, so a match contains some piece whole
  (found through the trigrams of the pieces) and differs in length by at most the tolerance.
"""

from __future__ import annotations

import datetime as dt
import heapq
import sqlite3
import sys
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, cast

import orjson
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from api.graph.context import Context
from api.graph.text import compact, near_memo, normalise, tolerance, words
from schema.model import models
from schema.model.catalogue import CLAIMS, NEGOTIATIONS, OUTLETS, PEOPLE, SEARCH_TABLES, SOURCES
from schema.model.dataset import Dataset
from schema.store.reader import Column, Lists, Records, Store, StoredDataset
from schema.store.snapshot import Progress


def _in_order(postings: Iterable[Iterable[int]]) -> Iterator[int]:
    """Merges ascending position lists into one ascending stream without repeats."""
    last = -1
    for position in heapq.merge(*postings):
        if position != last:
            last = position
            yield position


SHORT_KEY = 6
"""Keys of at most this many letters are indexed by bigrams too (see `NameIndex`)."""


def _pieces(query: str, count: int) -> list[str]:
    size, extra = divmod(len(query), count)
    pieces, start = [], 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        pieces.append(query[start:end])
        start = end
    return pieces


class NameIndex:
    """Compacted spellings and their words -> people, with letter pieces to find the ones near a query."""

    def __init__(self, spellings: Iterable[Sequence[str]]) -> None:
        self.people: dict[str, list[int]] = {}
        for position, names in enumerate(spellings):
            keys = {compact(n) for n in names} | {w for n in names for w in words(n)}
            for key in keys - {""}:
                self.people.setdefault(key, []).append(position)
        # Every trigram of a key -> the keys. Bigrams too, of the keys a piece of two letters can
        # need: only a 5-letter query (tolerance 1) has one, and its matches have 4 to 6 letters.
        self.grams: dict[str, set[str]] = {}
        for key in self.people:
            for size in (2, 3) if len(key) <= SHORT_KEY else (3,):
                for i in range(len(key) - size + 1):
                    self.grams.setdefault(key[i : i + size], set()).add(key)
        self._near_memo = near_memo()  # keyed by what clients send: bounded in bytes

    def _near(self, query: str) -> frozenset[str]:
        found = self._near_memo.get(query)
        if found is None:
            found = self._keys_near(query)
            self._near_memo.put(query, found, sys.getsizeof(found))
        return found

    def _holding(self, piece: str) -> set[str]:
        """The keys holding every trigram (bigram, for a piece of two letters) of a piece."""
        size = 3 if len(piece) >= 3 else 2
        starts = range(len(piece) - size + 1)
        grams = sorted((self.grams.get(piece[i : i + size], set()) for i in starts), key=len)
        return set.intersection(*grams) if grams else set(self.people)

    def _keys_near(self, query: str) -> frozenset[str]:
        limit = tolerance(query)
        if limit == 0:
            return frozenset({query} & self.people.keys())
        found: set[str] = set()
        for piece in _pieces(query, limit + 1):
            found |= self._holding(piece)
        # Each key is checked once per query (and remembered), so people are only ever real matches:
        # rapidfuzz decides them all in one call, which beats narrowing them in Python first
        # (by substring and length).
        near = process.extract(query, found, scorer=Levenshtein.distance, score_cutoff=limit, limit=None)
        return frozenset(key for key, _, _ in near)

    def candidates(self, query: str) -> list[int]:
        """Takes a raw query; returns in file order the people a fuzzy name match may accept."""
        q = compact(query)
        if not q:
            return []
        return list(_in_order(self.people[k] for k in self._near(q)))


def _joined(texts: Iterable[str | None]) -> str:
    """One FTS row: the normalised texts, one per line (a needle never holds a newline)."""
    return "\n".join(normalise(t) for t in texts if t)


def fts_match(needle: str) -> str:
    """An FTS5 query for the rows of a trigram table whose text may hold the needle (3 characters
    or more): every third of its trigrams, and its last, all present. A superset, which each caller
    decides with the needle itself. Not the needle as a phrase: FTS5 then walks the postings, and
    compares the positions, of every one of its trigrams, about three times the work.
    """
    grams = {needle[i : i + 3] for i in range(0, len(needle) - 2, 3)} | {needle[-3:]}
    return " AND ".join('"' + gram.replace('"', '""') + '"' for gram in sorted(grams))


FTS_PENDING = 256 << 20
"""Bytes of terms an FTS5 table being written keeps in memory before it writes them out."""


def write_search_tables(dataset: Dataset, conn: sqlite3.Connection, progress: Progress) -> None:
    """Writes the FTS5 tables (trigram: any substring of 3+ characters) and the people's spellings.

    Claims are searched in the texts `write_claim_texts` stored (table claim_texts), so it runs first.
    """
    fts = "USING fts5(text, tokenize = 'trigram case_sensitive 1')"
    stored = conn.execute("SELECT pos, texts FROM claim_texts ORDER BY pos")
    rows: dict[str, list[tuple[int, str]]] = {
        "search_claims": [(pos, "\n".join(orjson.loads(texts))) for pos, texts in stored]
    }
    for table, (stem, texts) in SEARCH_TABLES.items():
        rows[table] = [(pos, _joined(texts(r))) for pos, r in enumerate(dataset.tables[stem].values())]
    for number, (table, values) in enumerate(rows.items(), start=1):
        conn.execute(f"CREATE VIRTUAL TABLE {table} {fts}")
        # Terms pending in memory before FTS5 writes a segment (default 1 MiB): the whole table in
        # one segment, not hundreds merged again and again.
        conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('hashsize', {FTS_PENDING})")
        conn.executemany(f"INSERT INTO {table} (rowid, text) VALUES (?, ?)", values)
        conn.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
        progress("search tables", number, len(rows))
    conn.execute("CREATE TABLE person_names (pos INTEGER PRIMARY KEY, names TEXT NOT NULL)")
    conn.executemany(
        "INSERT INTO person_names VALUES (?, ?)",
        (
            (pos, orjson.dumps([p.name, *(a.name for a in p.aliases)]).decode())
            for pos, p in enumerate(dataset.people.values())
        ),
    )


class StoredSearchIndex:
    """The indexes behind `search` over a snapshot: candidates from its FTS5 tables, names from its
    spellings.

    Every candidate is still checked by `api.graph.search`, so results equal a full scan's.
    """

    def __init__(self, dataset: StoredDataset, published_to: Column[dt.date]) -> None:
        assert dataset.store is not None
        self.store: Store = dataset.store
        self.dataset, self.published_to = dataset, published_to
        self._names: NameIndex | None = None

    def _records(self, stem: str) -> Records[Any]:
        return self.dataset.tables[stem]  # type: ignore[return-value]

    @property
    def person_names(self) -> NameIndex:
        """The fuzzy name index, read from the snapshot on first use."""
        if self._names is None:
            rows = self.store.query("SELECT names FROM person_names ORDER BY pos")
            self._names = NameIndex(orjson.loads(names) for (names,) in rows)
        return self._names

    def _rows(self, table: str, needle: str, wanted: int) -> Iterator[tuple[int, str]]:
        """(position, text) of the rows (ascending) whose text may hold the needle, read in batches
        (`wanted` rows first, then four times more each time), so a search that stops early reads
        little."""
        params: tuple[str, ...] = ()
        if "\x00" in needle:  # SQLite ends a string at NUL: every row is a candidate, each is checked
            where = "1"
        elif len(needle) >= 3:
            where, params = f"{table} MATCH ?", (fts_match(needle),)
        else:  # the trigram index finds only substrings of 3 characters or more
            where, params = "instr(text, ?) > 0", (needle,)
        sql = f"SELECT rowid, text FROM {table} WHERE {where} AND rowid > ? ORDER BY rowid"
        return self.store.in_batches(sql, params, size=_batch(wanted), most=512)

    def _decoded(self, stem: str, positions: Iterator[int], wanted: int) -> Iterator[Any]:
        """The records at these positions (each one a match), decoded one statement per kind: `wanted`
        first, then four times more each time (up to 512), so a page of two decodes two. For claims,
        likewise their speakers and citations (which `search` reads) and their articles' publication
        dates (for a hit's `citations(asOf:)`: read as a column, not by decoding the articles)."""
        records = self._records(stem)
        size = max(wanted, 1)
        while chunk := list(islice(positions, size)):
            size = min(size * 4, 512)
            records.load(chunk)
            found = [records.at(pos) for pos in chunk]
            if stem == CLAIMS.stem:
                self._records(PEOPLE.stem).load_ids(c.speaker for c in found)
                by_claim: Lists[Any] = self.dataset.citations_by_claim  # type: ignore[assignment]
                by_claim.load(c.id for c in found)
                cited = (c.evidence.source for claim in found for c in by_claim.get(claim.id, ()))
                self.published_to.load(cited)
            yield from found

    def _found(self, table: str, stem: str, needle: str, wanted: int) -> Iterator[Any]:
        """The records whose texts hold the needle (a row holds a record's normalised texts, one per
        line, and a needle has no newline): these are decided here, not only narrowed."""
        rows = self._rows(table, needle, wanted)
        return self._decoded(stem, (pos for pos, text in rows if needle in text), wanted)

    def people_for(self, needle: str, text: str, wanted: int = 0) -> Iterator[models.Person]:
        """People whose names, aliases or description hold the needle, or whose name is near `text`
        (both decided before a record is decoded: on the row's text, and by the name index)."""
        near = self.person_names.candidates(text)
        words = (pos for pos, row in self._rows("search_people", needle, wanted) if needle in row)
        return self._decoded(PEOPLE.stem, _in_order([words, near]), wanted)

    def people_named(self, text: str) -> Iterator[models.Person]:
        """People one of whose spellings may be within fuzzy-name distance of `text`."""
        return self._decoded(PEOPLE.stem, iter(self.person_names.candidates(text)), 0)

    def claims_for(self, needle: str, wanted: int = 0) -> Iterator[models.Claim]:
        """Claims whose quoted words, summary or speaker's names hold the needle (`wanted`: how many
        the caller means to take; that many are read first)."""
        return self._found("search_claims", CLAIMS.stem, needle, wanted)

    def sources_for(self, needle: str, wanted: int = 0) -> Iterator[models.Source]:
        """Sources whose headline or author may hold the needle."""
        return self._found("search_sources", SOURCES.stem, needle, wanted)

    def outlets_for(self, needle: str, wanted: int = 0) -> Iterator[models.Outlet]:
        """Outlets whose name or aliases may hold the needle."""
        return self._found("search_outlets", OUTLETS.stem, needle, wanted)

    def negotiations_for(self, needle: str, wanted: int = 0) -> Iterator[models.Negotiation]:
        """Negotiations whose name, location, venue or host may hold the needle."""
        return self._found("search_negotiations", NEGOTIATIONS.stem, needle, wanted)


def _batch(wanted: int) -> int:
    return min(max(wanted, 8), 512)


def search_index(context: Context) -> StoredSearchIndex:
    """Returns the search indexes of a context, building them on first use (once per app)."""
    return context.derived("search", _build)


def _build(context: Context) -> StoredSearchIndex:
    published_to = cast(Column[dt.date], context.index.published_to)  # a snapshot's index: a Column
    return StoredSearchIndex(context.dataset, published_to)
