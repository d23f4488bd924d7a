"""Text normalisation and fuzzy name matching shared by filters, search and name resolution."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz.distance import Levenshtein

from api.budget import ByteLRU
from api.settings import Limits

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2032": "'"})
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2011": "-"})
_PLAIN = {**_QUOTES, **_DASHES}
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise(text: str) -> str:
    """Takes any text and returns it casefolded, with curly quotes, dashes and runs of space made plain.

    Straight and curly quote marks and apostrophes compare equal after this: U+2018/U+2019 become '
    and U+201C/U+201D become ".
    """
    if not text.isascii():  # every character _PLAIN maps is outside ASCII: skip the translate
        text = text.translate(_PLAIN)
    return " ".join(text.casefold().split())  # str.split's whitespace is exactly \s's


def strip_diacritics(text: str) -> str:
    """Takes text and returns it without combining marks (é -> e)."""
    if text.isascii():  # NFKD leaves ASCII as it is, and no ASCII character is a combining mark
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def compact(text: str) -> str:
    """Takes a name and returns only its letters and digits, lowercased and without diacritics.

    "Li Cheng-gang", "li cheng gang" and "LI CHENGGANG" all compact to "lichenggang".
    """
    return _NOT_ALNUM.sub("", strip_diacritics(normalise(text)))


def words(text: str) -> list[str]:
    """Takes a name and returns its compacted words."""
    return [w for w in _NOT_ALNUM.split(strip_diacritics(normalise(text))) if w]


def contains(haystack: str, needle: str) -> bool:
    """Returns whether needle occurs in haystack, case- and quote-insensitively."""
    return normalise(needle) in normalise(haystack)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Takes two strings and returns their Levenshtein distance, or limit + 1 once it exceeds limit."""
    return int(Levenshtein.distance(a, b, score_cutoff=limit))


def tolerance(text: str) -> int:
    """Returns how many edits a name of this length may differ by and still match.

    One per five letters: names under five letters must match exactly (too many short words are one
    edit apart: "He" and "the").
    """
    return len(text) // 5


NAME_MEMO: ByteLRU[tuple[str, str], int | None] = ByteLRU(Limits.name_memo_bytes // 2)
"""name_distance's results (a pure function of two strings; searches repeat names), keyed by what a
client sends: bounded in bytes, keys included. Half of `name_memo_bytes`; the name index's memo of
near keys (api/graph/search_index.py) has the other half."""


def set_name_memo_bytes(max_bytes: int) -> None:
    """Applies the configured `name_memo_bytes` (emptying the memo); name indexes built later use it."""
    global NAME_MEMO
    NAME_MEMO = ByteLRU(max_bytes // 2)


def near_memo() -> ByteLRU[str, frozenset[str]]:
    """A new memo for a name index's near keys, with the other half of `name_memo_bytes`."""
    return ByteLRU(NAME_MEMO.max_bytes)


def name_distance(query: str, name: str) -> int | None:
    """Takes a query and one spelling of a name; returns how far apart they are, or None if too far.

    0 means the same letters (ignoring case, spaces, punctuation and diacritics). A query that is one
    whole word of the name ("Lutnick" for "Howard Lutnick") also scores 0. Otherwise the distance is the
    edit distance between the compacted forms, or against the closest single word, within tolerance.
    """
    memo = NAME_MEMO
    found = memo.get((query, name))
    if found is not None or (query, name) in memo:
        return found
    distance = _name_distance(query, name)
    memo.put((query, name), distance, 0)
    return distance


def _name_distance(query: str, name: str) -> int | None:
    q = compact(query)
    if not q:
        return None
    target, parts = compact(name), words(name)
    if q == target or q in parts:
        return 0
    limit = tolerance(q)
    best = edit_distance(q, target, limit)
    for word in parts:
        best = min(best, edit_distance(q, word, limit))
    return best if best <= limit else None
