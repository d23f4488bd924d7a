"""Sentences of a seed text, as code point spans, and the word matching the lints share.

The rule, one line (paragraph) at a time, since no sentence spans a line break in the seeds: a
sentence ends at `.`, `!` or `?` (and any closing quotation marks or brackets right after it)
when whitespace and then an upper-case letter, a digit or an opening mark follow, or the line
ends. A period does not end a sentence after a single letter ("U.S.", "U.K.") or a short
abbreviation such as "Sgt." or "Mr.". A quotation split by its attribution ("We are doing well
with China. China's not easy," Trump told reporters) therefore yields two sentences, which is
why the anchoring lint also accepts the sentence before or after.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "jr",
        "sr",
        "sgt",
        "gen",
        "gov",
        "sen",
        "rep",
        "prof",
        "no",
        "vs",
        "inc",
        "co",
        "corp",
        "ltd",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    }
)
_CLOSERS = "\"'\u201d\u2019)]"
_OPENERS = "\"'\u201c\u2018(["
_END = re.compile(r"[.!?]")
QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
    }
)


@dataclass(frozen=True)
class Sentence:
    """One sentence: its code point span in the seed text and its words as stored."""

    start: int
    end: int
    text: str


def _ends_here(line: str, at: int) -> int | None:
    """If the mark at `at` ends a sentence, returns the offset just past it (and its closers)."""
    if line[at] == ".":
        word = re.search(r"([A-Za-z]+)\.?$", line[:at])
        if word and (len(word.group(1)) == 1 or word.group(1).lower() in ABBREVIATIONS):
            return None
    end = at + 1
    while end < len(line) and line[end] in _CLOSERS:
        end += 1
    rest = line[end:]
    if not rest.strip():
        return end
    if not rest[0].isspace():
        return None
    following = rest.lstrip()[0]
    return end if following.isupper() or following.isdigit() or following in _OPENERS else None


def split_sentences(text: str) -> list[Sentence]:
    """Takes a seed text and returns its sentences in text order (blank lines yield none)."""
    sentences: list[Sentence] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        start = 0
        for mark in _END.finditer(line):
            end = _ends_here(line, mark.start())
            if end is not None and end > start:
                _add(sentences, line, offset, start, end)
                start = end
        _add(sentences, line, offset, start, len(line))
        offset += len(line)
    return sentences


def _add(sentences: list[Sentence], line: str, offset: int, start: int, end: int) -> None:
    chunk = line[start:end]
    stripped = chunk.strip()
    if stripped:
        first = start + len(chunk) - len(chunk.lstrip())
        sentences.append(Sentence(offset + first, offset + first + len(stripped), stripped))


class SentenceIndex:
    """A seed's sentences, with the ones a span overlaps found by bisection."""

    def __init__(self, text: str) -> None:
        self.sentences = split_sentences(text)
        self.folded = [normalise(s.text) for s in self.sentences]
        """Each sentence's text with case and quote style folded, for `word_pattern` searches."""
        self._starts = [s.start for s in self.sentences]

    def overlapping(self, start: int, end: int) -> list[int]:
        """Returns the indexes of the sentences the span [start, end) overlaps (its nearest one if none)."""
        first = max(0, bisect_right(self._starts, start) - 1)
        found = [
            i
            for i in range(first, len(self.sentences))
            if self.sentences[i].start < max(end, start + 1) and start < self.sentences[i].end
        ]
        if not found:
            for i in range(first, len(self.sentences)):
                if self.sentences[i].start >= start:
                    return [i]
            return [len(self.sentences) - 1] if self.sentences else []
        return found


def normalise(text: str) -> str:
    """Folds case and curly quotes to straight ones, for matching names in sentences."""
    return text.translate(QUOTES).casefold()


@cache
def word_pattern(phrase: str) -> re.Pattern[str]:
    """A pattern matching the phrase as whole words (case and quote style already folded)."""
    words = [re.escape(word) for word in normalise(phrase).split()]
    return re.compile(r"(?<![\w])" + r"\s+".join(words) + r"(?![\w])")
