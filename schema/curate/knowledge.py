"""The outside-knowledge check: the curator's own words must not bring in facts no seed states.

In every note, person description, claim summary, negotiation outcome, discrepancy subject and
variant value, these words must occur in some seed: numbers, by value ("09" in 2025-06-09 is the
9 of "June 9-10"); number words, weekdays and months (any case; "May" only capitalised, since
"may" is a verb); capitalised words (one opening a sentence in any case, unless a function word
such as "The"). Possessive "'s" is dropped and hyphenated words are checked part by part; the
reviewed words of fixtures/curation/vocabulary.json are allowed (docs/curating.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, TypeAdapter

from schema.model.dataset import FIXTURE_MODELS, Dataset
from schema.model.models import NonEmpty, Record
from schema.text.sentences import QUOTES

TEXT_FIELDS = frozenset({"note", "description", "summary", "subject"})
VALUE_PARENTS = frozenset({"variants", "outcome"})
WEEKDAYS = frozenset(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
NUMBER_WORDS = frozenset(
    [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "sixty",
        "seventy",
        "eighty",
        "ninety",
        "hundred",
        "thousand",
        "million",
        "billion",
        "first",
        "second",
        "third",
        "fourth",
        "fifth",
        "sixth",
        "seventh",
        "eighth",
        "ninth",
        "tenth",
        "once",
        "twice",
        "half",
        "dozen",
    ]
)
FUNCTION_WORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "he",
        "she",
        "they",
        "his",
        "her",
        "their",
        "no",
        "not",
        "and",
        "but",
        "or",
        "if",
        "in",
        "on",
        "at",
        "of",
        "to",
        "for",
        "by",
        "with",
        "from",
        "as",
        "so",
        "some",
        "each",
        "every",
        "both",
        "all",
        "any",
    }
)
"""Capitalised only because they open a sentence: never names."""
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_][\w']*")
_SENTENCE_OPENER = re.compile(r"(?:^|[.!?;:\u2014(]\s*|\s[\u2014\u2013-]\s)[\"']*$")


class Allowed(Record):
    """A word of the curator's own that the check allows, and why."""

    word: NonEmpty
    reason: NonEmpty


def read_vocabulary(path: Path) -> list[Allowed]:
    """Reads a vocabulary file (`<fixtures>/curation/vocabulary.json`: the curator's own words the
    check allows, each with the reason); raises pydantic's ValidationError if an entry is malformed."""
    return TypeAdapter(list[Allowed]).validate_json(path.read_bytes())


@dataclass(frozen=True)
class Unseen:
    """A word in a curator's text that no seed prints."""

    file: str
    record: str
    field: str
    word: str
    kind: str
    text: str

    def __str__(self) -> str:
        return (
            f"{self.file}: record {self.record!r} field {self.field!r}: {self.kind} {self.word!r} occurs in "
            f"no seed: {self.text!r}"
        )


@dataclass
class KnowledgeReport:
    """Texts checked, words the vocabulary allowed, what was found, and vocabulary entries never used."""

    texts: int = 0
    allowed: int = 0
    findings: list[Unseen] = field(default_factory=list)
    unused: list[Allowed] = field(default_factory=list)


def curator_texts(value: object, path: str = "", parent: str = "") -> Iterator[tuple[str, str]]:
    """Yields (dotted path, text) for every curator-written text in a record."""
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            item = getattr(value, name)
            where = f"{path}.{name}" if path else name
            if isinstance(item, str) and (
                name in TEXT_FIELDS or (name == "value" and parent in VALUE_PARENTS)
            ):
                yield where, item
            elif isinstance(item, BaseModel | list):
                yield from curator_texts(item, where, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from curator_texts(item, f"{path}[{index}]", parent)


def _numbers(text: str) -> set[float]:
    return {float(n.replace(",", "")) for n in re.findall(r"\d+(?:,\d{3})*(?:\.\d+)?", text)}


class _SeedWords:
    def __init__(self, texts: Sequence[str]) -> None:
        joined = "\n".join(text.translate(QUOTES) for text in texts)
        self.numbers = _numbers(joined)
        self.words = {w.removesuffix("'s") for w in re.findall(r"[^\W\d_][\w']*", joined)}
        self.folded = {w.casefold() for w in self.words}


def _words(text: str) -> Iterator[tuple[str, bool]]:
    """Yields (token, opens a sentence) for each word or number; hyphenated words come part by part."""
    flat = text.translate(QUOTES)
    for match in _TOKEN.finditer(flat):
        opener = bool(_SENTENCE_OPENER.search(flat[: match.start()]))
        token = match.group().removesuffix("'s").strip("'")
        if token:
            yield token, opener


def _kind(token: str, opener: bool, seeds: _SeedWords) -> str | None:
    """Returns what the token is when no seed prints it ("number", "weekday", ...), else None."""
    if token[0].isdigit():
        return None if _numbers(token) <= seeds.numbers else "number"
    folded = token.casefold()
    if folded in WEEKDAYS:
        return None if folded in seeds.folded else "weekday"
    if folded in MONTHS and (folded != "may" or token[0].isupper()):
        return None if token.capitalize() in seeds.words else "month"
    if folded in NUMBER_WORDS:
        return None if folded in seeds.folded else "number word"
    if not token[0].isupper():
        return None
    if opener:
        return None if folded in seeds.folded or folded in FUNCTION_WORDS else "name"
    return None if token in seeds.words else "name"


def knowledge_check(
    dataset: Dataset, vocabulary: Sequence[Allowed], fixtures_dir: str = "fixtures"
) -> KnowledgeReport:
    """Takes a loaded dataset and the vocabulary; returns every word no seed prints, per text."""
    seeds = _SeedWords(list(dataset.seed_texts.values()))
    allowed = {entry.word: entry for entry in vocabulary}
    used: set[str] = set()
    report = KnowledgeReport()
    for stem in FIXTURE_MODELS:
        for record in dataset.tables[stem].values():
            for path, text in curator_texts(record):
                report.texts += 1
                seen: set[str] = set()
                for token, opener in _words(text):
                    kind = _kind(token, opener, seeds)
                    if kind is None or token in seen:
                        continue
                    seen.add(token)
                    if token in allowed:
                        used.add(token)
                        report.allowed += 1
                        continue
                    report.findings.append(
                        Unseen(f"{fixtures_dir}/{stem}.json", record.id, path, token, kind, text)
                    )
    report.unused = [entry for entry in vocabulary if entry.word not in used]
    return report


def render_knowledge(report: KnowledgeReport) -> str:
    """The check's summary line."""
    return (
        f"outside-knowledge check: {report.texts} texts checked, {report.allowed} words allowed by the "
        f"curator's vocabulary, {len(report.findings)} findings"
    )
