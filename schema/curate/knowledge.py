"""The outside-knowledge check: the curator's own words must not bring in facts no seed states.

In every note, person description, claim summary, negotiation outcome, discrepancy subject and
variant value, these words must occur in a seed the record itself cites (its own evidence; for a
claim, its citations' too): numbers, by value ("09" in 2025-06-09 is the 9 of "June 9-10"); number
words, weekdays and months (any case; "May" only capitalised, since "may" is a verb); capitalised
words, except a sentence's first word, whose capital says nothing (unless it is a number word,
weekday or month). The numbers of a record's own dates may be restated in its texts (a note
shows how 2025-06-09 was computed). Possessive "'s" is dropped and hyphenated words are checked
part by part; the reviewed words of fixtures/curation/vocabulary.json are allowed
(docs/curating.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, TypeAdapter

from schema.load.selectors import iter_evidence
from schema.model.dataset import FIXTURE_MODELS, Dataset
from schema.model.models import NonEmpty, PartialDate, Record
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


def _kind(token: str, opener: bool, seeds: _SeedWords, own: set[float]) -> str | None:
    """Returns what the token is when no seed prints it ("number", "weekday", ...), else None;
    `own` holds the numbers of the record's own dates, which its notes may restate."""
    if token[0].isdigit():
        return None if _numbers(token) <= seeds.numbers | own else "number"
    folded = token.casefold()
    if folded in WEEKDAYS:
        return None if folded in seeds.folded else "weekday"
    if folded in MONTHS and (folded != "may" or token[0].isupper()):
        return None if token.capitalize() in seeds.words else "month"
    if folded in NUMBER_WORDS:
        return None if folded in seeds.folded else "number word"
    if not token[0].isupper() or opener:
        return None
    return None if token in seeds.words else "name"


def partial_dates(value: object, path: str = "") -> Iterator[tuple[str, PartialDate]]:
    """Yields (dotted path, PartialDate) for every date in a record."""
    if isinstance(value, PartialDate):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from partial_dates(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from partial_dates(item, f"{path}[{index}]")


def _cited_seeds(dataset: Dataset) -> dict[tuple[str, str], frozenset[str]]:
    """(file stem, record id) -> the sources whose seeds the record cites: its own evidence, and for
    a claim its citations' evidence too (a summary restates what they quote)."""
    cited: dict[tuple[str, str], set[str]] = {}
    for stem in FIXTURE_MODELS:
        for record in dataset.tables[stem].values():
            cited[(stem, record.id)] = {evidence.source for _, evidence in iter_evidence(record)}
    for citation in dataset.citations.values():
        cited[("claims", citation.claim)] |= {evidence.source for _, evidence in iter_evidence(citation)}
    return {key: frozenset(sources) for key, sources in cited.items()}


def knowledge_check(
    dataset: Dataset, vocabulary: Sequence[Allowed], fixtures_dir: str = "fixtures"
) -> KnowledgeReport:
    """Takes a loaded dataset and the vocabulary; returns every word no seed the record cites prints."""
    cited = _cited_seeds(dataset)
    words: dict[frozenset[str], _SeedWords] = {}
    allowed = {entry.word: entry for entry in vocabulary}
    used: set[str] = set()
    report = KnowledgeReport()
    for stem in FIXTURE_MODELS:
        for record in dataset.tables[stem].values():
            sources = cited.get((stem, record.id), frozenset())
            if sources not in words:
                words[sources] = _SeedWords([dataset.seed_texts[s] for s in sorted(sources)])
            seeds = words[sources]
            own = {n for _, date in partial_dates(record) for n in _numbers(date.date)}
            for path, text in curator_texts(record):
                report.texts += 1
                seen: set[str] = set()
                for token, opener in _words(text):
                    kind = _kind(token, opener, seeds, own)
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
