"""Passage lookup: where a pasted passage occurs in the seeds, and the claims whose evidence it touches.

A reader pastes words from an article ("We are doing well with China. China's not easy,") and
wants the place they come from and what the dataset records there, even when the words span
two claims or stop mid-sentence. `find_passages` answers that; it is pure (no I/O) and the API's
`passages(text:)` root field is a thin wrapper around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from schema.dataset import Dataset
from schema.models import Evidence
from schema.selectors import CONTEXT
from schema.sentences import QUOTES

MAX_PASSAGE_LENGTH: Final = 1000
"""Longest passage accepted, in code points before normalisation; longer is a PassageError."""

MAX_MATCHES: Final = 100
"""Most matches returned; the search stops there (in sources.json order, then text order)."""



class PassageError(ValueError):
    """The passage cannot be looked up (blank, or longer than MAX_PASSAGE_LENGTH); the message says why."""


@dataclass(frozen=True)
class PassageMatch:
    """One place a passage occurs: the source, the span as stored, and the claims it touches."""

    source: str
    """Id of the Source whose seed text holds the span."""
    start: int
    """0-based code point offset into the seed text as stored (Source.text) of the first character."""
    end: int
    """Code point offset just past the last character (exclusive)."""
    exact: str
    """The seed's own words at [start, end): its quote marks, case and spacing, not the passage's."""
    claims: tuple[str, ...]
    """Ids of the claims with a citation whose evidence overlaps [start, end), in claims.json order."""
    prefix: str = ""
    """Up to 32 code points of seed text just before the span (as in an Evidence selector)."""
    suffix: str = ""
    """Up to 32 code points of seed text just after the span."""

    def evidence(self) -> Evidence:
        """The span as a W3C selector (quote and position), like every Evidence in the fixtures."""
        return Evidence(
            source=self.source,
            exact=self.exact,
            prefix=self.prefix,
            suffix=self.suffix,
            start=self.start,
            end=self.end,
        )


def _fold_char(char: str) -> str:
    folded = str(QUOTES.get(ord(char), char)).lower()
    return folded if len(folded) == 1 else char  # keep one code point per code point ("İ" stays)


def normalise(text: str) -> tuple[str, list[int]]:
    """Takes a text and returns it folded (case, straight quotes, each run of whitespace one space)
    with, for each folded code point, the offset in `text` it came from."""
    folded: list[str] = []
    origin: list[int] = []
    in_space = False
    for offset, char in enumerate(text):
        if char.isspace():
            if not in_space:
                folded.append(" ")
                origin.append(offset)
            in_space = True
            continue
        in_space = False
        folded.append(_fold_char(char))
        origin.append(offset)
    return "".join(folded), origin


class PassageIndex:
    """Every seed text of a dataset, folded once, with the citations of each source by offset.

    Build it once per dataset (cost: one pass over the seed texts) and call `find` per lookup.
    """

    def __init__(self, dataset: Dataset) -> None:
        self._texts: list[tuple[str, str, str, list[int]]] = []
        for source_id in dataset.sources:
            text = dataset.seed_texts.get(source_id)
            if text is not None:
                folded, origin = normalise(text)
                self._texts.append((source_id, text, folded, origin))
        order = {claim_id: index for index, claim_id in enumerate(dataset.claims)}
        self._evidence = {
            source_id: sorted(
                ((c.evidence.start, c.evidence.end, c.claim) for c in citations), key=lambda e: e[0]
            )
            for source_id, citations in dataset.citations_by_source.items()
        }
        self._order = order

    def find(self, passage: str) -> list[PassageMatch]:
        """See `find_passages`."""
        if len(passage) > MAX_PASSAGE_LENGTH:
            raise PassageError(
                f"the passage has {len(passage)} characters; at most {MAX_PASSAGE_LENGTH} are looked up"
            )
        needle = normalise(passage.strip())[0]
        if not needle:
            raise PassageError("the passage is blank")
        matches: list[PassageMatch] = []
        for source_id, text, folded, origin in self._texts:
            at = folded.find(needle)
            while at >= 0:
                start = origin[at]
                end = origin[at + len(needle) - 1] + 1
                claims = {
                    claim
                    for e_start, e_end, claim in self._evidence.get(source_id, [])
                    if e_start < end and start < e_end
                }
                ordered = tuple(sorted(claims, key=self._order.__getitem__))
                prefix, suffix = text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]
                matches.append(PassageMatch(source_id, start, end, text[start:end], ordered, prefix, suffix))
                if len(matches) == MAX_MATCHES:
                    return matches
                at = folded.find(needle, at + 1)
        return matches


def find_passages(dataset: Dataset, passage: str, index: PassageIndex | None = None) -> list[PassageMatch]:
    """Takes the dataset and a pasted passage; returns every place the passage occurs in a seed.

    Contract:
    - Matching ignores case, treats curly and straight quotes alike (U+2018, U+2019, U+201A, U+201B
      and U+2032 as ', U+201C, U+201D, U+201E, U+201F and U+2033 as ") and treats any run of
      whitespace (spaces, no-break spaces, line breaks) as one space; leading and trailing
      whitespace of the passage is dropped. It is plain substring matching: no word boundaries,
      no stemming, no fuzziness.
    - Each match gives the source id, `start`/`end` as 0-based code point offsets into the seed
      text as stored (end exclusive; the same offsets as Evidence selectors), `exact` (the seed's
      own characters there), `prefix`/`suffix` (up to 32 code points either side; `evidence()`
      returns the whole span as an Evidence selector), and the ids of the claims that have a
      citation whose evidence span overlaps [start, end) by at least one code point, in
      claims.json order (empty when none).
    - Matches come in sources.json order, then by start; overlapping occurrences are all reported.
    - Bounded cost: a passage longer than MAX_PASSAGE_LENGTH (1000) code points, or blank, raises
      PassageError (a ValueError whose message says which); at most MAX_MATCHES (100) matches are
      returned. One lookup is a substring search over the folded seed texts plus, per match, a
      scan of that source's citations.
    Pass a PassageIndex built once for the dataset to avoid folding the seeds on every call.
    """
    return (index or PassageIndex(dataset)).find(passage)
