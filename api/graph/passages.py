"""`passages(text:)`: where pasted words occur in the sources, and the claims whose evidence they touch.

A thin wrapper around schema/text/passages.py (matching rules, caps and offsets are defined there).
The snapshot stores the seed texts folded (`passage_texts`): a lookup scans that table in SQLite
(`instr`, in file order, stopping at the page) and folds with offsets only the sources that hold
the passage. Not FTS5: a trigram index of the seed texts would add much to the build and the file
for a scan that is already quick.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import strawberry

from api.errors import UserInputError
from api.graph.claims import Claim
from api.graph.common import Evidence
from api.graph.context import Context, Info, described
from api.graph.sources import Source
from schema.model.catalogue import CLAIMS
from schema.model.dataset import Dataset
from schema.store.reader import Store
from schema.store.snapshot import Progress, runs_with_inputs
from schema.text.passages import MAX_MATCHES, MAX_PASSAGE_LENGTH, Candidates, PassageError, PassageIndex, fold
from schema.text.passages import PassageMatch as Match

SOURCE = Path(__file__).resolve()
"""This module writes a snapshot table: a change to it makes every snapshot stale."""


@strawberry.type(description="One place a pasted passage occurs in a source, and the claims recorded there.")
class PassageMatch:
    match: strawberry.Private[Match]
    context: strawberry.Private[Context]

    @described("The article whose text holds the passage.")
    def source(self) -> Source:
        return Source(record=self.context.dataset.sources[self.match.source])

    @described(
        "The passage as the article prints it (its own quote marks, case and spacing), with code point "
        "offsets into `Source.text`."
    )
    def span(self) -> Evidence:
        return Evidence(record=self.match.evidence())

    @described(
        "Claims with a citation whose evidence overlaps the span, in file order (empty if the words "
        "are not attributed to anyone)."
    )
    def claims(self) -> list[Claim]:
        return [Claim(record=self.context.dataset.claims[slug]) for slug in self.match.claims]


PassageText = Annotated[
    str,
    strawberry.argument(
        description=f"Words pasted from an article, at most {MAX_PASSAGE_LENGTH} characters; case, "
        "straight or curly quotes and runs of whitespace do not matter."
    ),
]


def passages(info: Info, text: PassageText) -> list[PassageMatch]:
    """Every place a pasted passage occurs in a source (at most 100), with the claims whose evidence
    overlaps it, so words that span two claims or stop mid-sentence still find where they came from."""
    context = info.context
    found = context.derived("passages", _passage_index)
    try:
        matches = found.find(text)
    except PassageError as error:
        raise UserInputError(f"`text`: {error}") from None
    assert len(matches) <= MAX_MATCHES
    return [PassageMatch(match=m, context=context) for m in matches]


def _passage_index(context: Context) -> PassageIndex:
    dataset, position = context.dataset, context.index.position
    assert dataset.store is not None  # a context is over an opened snapshot
    return PassageIndex(
        dataset,
        candidates=_stored_candidates(dataset.store),
        claim_order=lambda claim_id: position[(CLAIMS.stem, claim_id)],
    )


def _stored_candidates(store: Store) -> Candidates:
    def candidates(needle: str) -> Iterator[str]:
        """Sources whose folded text holds the needle, in file order, read in batches of 128."""
        if "\x00" in needle:  # SQLite's instr stops at NUL: every source is a candidate, each is checked
            yield from (source for (source,) in store.query("SELECT source FROM passage_texts ORDER BY pos"))
            return
        sql = "SELECT pos, source FROM passage_texts WHERE instr(text, ?) > 0 AND pos > ? ORDER BY pos"
        yield from (source for _, source in store.in_batches(sql, (needle,)))

    return candidates


@runs_with_inputs
def write_passage_texts(dataset: Dataset, conn: sqlite3.Connection, progress: Progress) -> None:
    """Writes `passage_texts(pos, source, text)`: every seed text folded as `passages` matches it."""
    conn.execute(
        "CREATE TABLE passage_texts (pos INTEGER PRIMARY KEY, source TEXT NOT NULL, text TEXT NOT NULL)"
    )
    texts = dataset.seed_texts
    rows = ((pos, s, fold(texts[s])) for pos, s in enumerate(dataset.sources) if s in texts)
    conn.executemany("INSERT INTO passage_texts VALUES (?, ?, ?)", rows)
    progress("passage texts", 1, 1)
