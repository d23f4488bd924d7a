"""Passage lookup: where a pasted passage occurs in the seeds, and the claims whose evidence it touches.

A reader pastes words from an article ("We are doing well with China. China's not easy,") and
wants the place they come from and what the dataset records there, even when the words span
two claims or stop mid-sentence. `find_passages` answers that; it is pure (no I/O) and the API's
`passages(text:)` root field is a thin wrapper around it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from schema.load.selectors import CONTEXT
from schema.model.dataset import Dataset
from schema.model.models import Evidence
from schema.text.sentences import QUOTES

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


_QUOTE_PAIRS = [(chr(code), str(straight)) for code, straight in sorted(QUOTES.items())]


def fold(text: str) -> str:
    """`normalise(text)[0]` without the offsets, at C speed: what a snapshot stores to search in.

    `str.split()` splits on `str.isspace` runs, as `normalise` does (which keeps one space at either
    end). `str.lower` of a whole string differs from lowering code point by code point only for
    U+0130 (which lowers to two) and U+03A3 (final sigma depends on context); texts holding either
    take `normalise`. (`replace` per quote mark present is much cheaper than `str.translate`.)
    """
    for curly, straight in _QUOTE_PAIRS:
        if curly in text:
            text = text.replace(curly, straight)
    folded = " ".join(text.split())
    if text[:1].isspace():
        folded = " " + folded
    if text[-1:].isspace() and folded != " ":
        folded += " "
    if "\u0130" in folded or "\u03a3" in folded:
        return normalise(text)[0]
    return folded.lower()


Candidates = Callable[[str], Iterable[str]]
"""needle (folded) -> ids of the sources whose folded text may hold it, in sources.json order."""


class PassageIndex:
    """Finds passages in a dataset's seed texts, with the citations of each source by offset.

    Without `candidates`, every seed text is folded once, up front, and each lookup searches them all.
    With it (a snapshot's search over its stored folded texts), only candidate sources are folded,
    when first needed, and a bounded number of them are kept. `claim_order` gives a claim's position
    in claims.json (default: counted from the dataset on first use).
    """

    def __init__(
        self,
        dataset: Dataset,
        *,
        candidates: Candidates | None = None,
        claim_order: Callable[[str], int] | None = None,
    ) -> None:
        self._dataset = dataset
        self._fold: Callable[[str], tuple[str, list[int]]]
        if candidates is None:
            texts = dataset.seed_texts
            folded = {s: normalise(texts[s]) for s in dataset.sources if s in texts}
            self._candidates: Candidates = lambda needle: folded  # every source, in file order
            self._fold = folded.__getitem__
        else:
            self._candidates = candidates
            self._fold = lru_cache(maxsize=128)(lambda source: normalise(dataset.seed_texts[source]))
        self._evidence = lru_cache(maxsize=1024)(self._spans)
        self._claim_order = claim_order

    def _spans(self, source_id: str) -> list[tuple[int, int, str]]:
        citations = self._dataset.citations_by_source.get(source_id, ())
        return sorted(((c.evidence.start, c.evidence.end, c.claim) for c in citations), key=lambda e: e[0])

    def _order(self, claim_id: str) -> int:
        if self._claim_order is None:
            order = {claim_id: index for index, claim_id in enumerate(self._dataset.claims)}
            self._claim_order = order.__getitem__
        return self._claim_order(claim_id)

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
        for source_id in self._candidates(needle):
            folded, origin = self._fold(source_id)
            text = self._dataset.seed_texts[source_id]
            at = folded.find(needle)
            while at >= 0:
                start = origin[at]
                end = origin[at + len(needle) - 1] + 1
                spans = self._evidence(source_id)
                claims = {claim for e_start, e_end, claim in spans if e_start < end and start < e_end}
                ordered = tuple(sorted(claims, key=self._order))
                prefix, suffix = text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]
                matches.append(PassageMatch(source_id, start, end, text[start:end], ordered, prefix, suffix))
                if len(matches) == MAX_MATCHES:
                    return matches
                at = folded.find(needle, at + 1)
        return matches


def find_passages(dataset: Dataset, passage: str, index: PassageIndex | None = None) -> list[PassageMatch]:
    """Takes the dataset and a pasted passage; returns every place the passage occurs in a seed.

    Contract:
    - Plain substring matching (no word boundaries, stemming or fuzziness) that ignores case, treats
      curly and straight quotes alike (`QUOTES`) and any run of whitespace as one space; the
      passage's leading and trailing whitespace is dropped.
    - Each match gives the source id, `start`/`end` (0-based code point offsets into the seed text as
      stored, end exclusive, as in Evidence selectors), `exact`, `prefix`/`suffix` (up to 32 code
      points; `evidence()` gives the selector) and, in claims.json order, the claims with a citation
      whose evidence span overlaps [start, end).
    - Matches come in sources.json order, then by start; overlapping occurrences are all reported.
    - A blank passage, or one longer than MAX_PASSAGE_LENGTH code points, raises PassageError; at most
      MAX_MATCHES matches are returned.
    Pass a PassageIndex built once for the dataset to avoid folding the seeds on every call.
    """
    return (index or PassageIndex(dataset)).find(passage)
