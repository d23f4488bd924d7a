"""Finds quoted passages (text between quotation marks) in a seed text, one line at a time (a
quotation never spans a line break in the seeds).

- Curly double quotes: each U+201C opens and the next U+201D closes.
- Straight double quotes (U+0022) pair up in order: first with second, third with fourth.
- Single quotes, curly (U+2018, U+2019) or straight (U+0027): apostrophes are far more common, so
  a mark opens a quote only after the line's start, a space or an opening mark/bracket/dash and
  before a letter or digit; it closes at the next U+2019 or U+0027 that follows a non-space and
  is not followed by a letter or digit. So "China's", "don't" and "countries' trade" hold none.

Passages nested in another quote count on their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

LEFT_DOUBLE, RIGHT_DOUBLE, LEFT_SINGLE, RIGHT_SINGLE = "\u201c", "\u201d", "\u2018", "\u2019"

TRIM = " \t,.;:!?\u2014\u2013-\u2026"
"""Trimmed from both ends of a passage before checking whether evidence covers it."""

_OPENERS_BEFORE = " \t([{\"'/-\u2014\u2013" + LEFT_DOUBLE + LEFT_SINGLE


@dataclass(frozen=True)
class QuotedPassage:
    """The text inside one pair of quotation marks: its code point span and words."""

    start: int
    end: int
    text: str
    mark: str

    def core(self) -> tuple[int, int]:
        """Returns the span with surrounding spaces and punctuation trimmed (what evidence must cover)."""
        start, end = self.start, self.end
        while start < end and self.text[start - self.start] in TRIM:
            start += 1
        while end > start and self.text[end - 1 - self.start] in TRIM:
            end -= 1
        return start, end


def _lines(text: str) -> Iterator[tuple[int, str]]:
    offset = 0
    for line in text.splitlines(keepends=True):
        yield offset, line
        offset += len(line)


def _curly_double(line: str) -> Iterator[tuple[int, int]]:
    start = line.find(LEFT_DOUBLE)
    while start >= 0:
        end = line.find(RIGHT_DOUBLE, start + 1)
        if end < 0:
            return
        yield start + 1, end
        start = line.find(LEFT_DOUBLE, end + 1)


def _straight_double(line: str) -> Iterator[tuple[int, int]]:
    marks = [i for i, c in enumerate(line) if c == '"']
    for open_at, close_at in zip(marks[::2], marks[1::2], strict=False):
        yield open_at + 1, close_at


def _single(line: str, opener: str, closers: str) -> Iterator[tuple[int, int]]:
    position = 0
    while (open_at := line.find(opener, position)) >= 0:
        position = open_at + 1
        before = line[open_at - 1] if open_at else " "
        after = line[open_at + 1] if open_at + 1 < len(line) else " "
        if before not in _OPENERS_BEFORE or not after.isalnum():
            continue
        for close_at in range(open_at + 2, len(line)):
            following = line[close_at + 1] if close_at + 1 < len(line) else " "
            if line[close_at] in closers and not line[close_at - 1].isspace() and not following.isalnum():
                yield open_at + 1, close_at
                position = close_at + 1
                break


def quoted_passages(text: str) -> list[QuotedPassage]:
    """Takes a seed text and returns every quoted passage in it, in text order."""
    passages: list[QuotedPassage] = []
    for offset, line in _lines(text):
        finders = [
            (LEFT_DOUBLE + RIGHT_DOUBLE, _curly_double(line)),
            ('""', _straight_double(line)),
            (LEFT_SINGLE + RIGHT_SINGLE, _single(line, LEFT_SINGLE, RIGHT_SINGLE)),
            ("''", _single(line, "'", "'")),
        ]
        for mark, spans in finders:
            for start, end in spans:
                if end > start:
                    passages.append(QuotedPassage(offset + start, offset + end, line[start:end], mark))
    return sorted(passages, key=lambda p: (p.start, -p.end))
