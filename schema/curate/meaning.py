"""The checks that read meaning: a valid selector can still carry the wrong mode, speaker or date.

Each rule reads the seed text around the evidence (sentences.py, quotes.py) and refuses a record
whose words say something the seed does not (docs/curating.md):

- `mode`: `direct` evidence lies inside quotation marks (an attribution between two quoted
  passages, like `," Hassett said, "`, may sit inside it); `partial` evidence holds a quotation;
  `paraphrase` evidence is not itself wholly a quotation.
- `speaker`: the sentence that holds a citation's evidence, or the one that holds its cue, names
  the claim's speaker (any alias; an unnamed speaker by the words of their description). A pronoun
  or a neighbouring sentence is not enough.
- `precision`: one source's evidence prints every part of a date its precision claims (year, month,
  day), or the date's note says it is the curator's inference.
- `hedge`: a claim's summary keeps the hedges its citations' evidence carries.
- `attribution`: an outcome, a status or a discrepancy variant whose evidence overlaps a citation's
  span names that citation's speaker, in its value or a note on the field.
- `topic`: a claim's topics are declared in `<fixtures>/curation/topics.json`.

Where a rule needs judgement, an entry in `<fixtures>/curation/meaning.json` (rule, record, field,
reason) excuses it; validate counts the excused findings and warns about entries that excuse none.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from pydantic import TypeAdapter

from schema.curate.knowledge import partial_dates
from schema.curate.lint import names_of
from schema.model.dataset import Dataset
from schema.model.models import Claim, Evidence, NonEmpty, PartialDate, Person, Record, Slug, Verified
from schema.text.quotes import QuotedPassage, quoted_passages
from schema.text.sentences import QUOTES, SentenceIndex, normalise, word_pattern

Rule = Literal["mode", "speaker", "precision", "hedge", "attribution", "topic"]
RULES: tuple[str, ...] = get_args(Rule)
INFERENCE = "curator's inference"
"""The words a date's note must hold when its evidence does not print the date whole."""
HEDGES: tuple[tuple[str, ...], ...] = (
    ("may", "might", "could"),
    ("likely",),
    ("expected to",),
    ("set to",),
    ("if required",),
    ("reportedly",),
    ("suggest", "suggests", "suggested"),
)
"""Hedges, in families: a summary keeps a hedge by any word of its family ("may" as "might")."""
ATTRIBUTION_GAP = 8
"""At most this many words between two quoted passages of one `direct` span (the attribution)."""
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH = "|".join(MONTHS)
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})(?:-(\d{2}))?(?!\d)")
_MONTH_DAY = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}})(?:\s*[-\u2013]\s*(\d{{1,2}}))?(?!\d)")
_DAY_MONTH = re.compile(rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\b")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_MONTH_WORD = re.compile(rf"\b({_MONTH})\b")


class Waiver(Record):
    """One reasoned exception: the rule it waives for one field of one record, and why."""

    rule: Rule
    record: Slug
    field: NonEmpty
    reason: NonEmpty


class Topic(Record):
    """A declared topic: its slug and what it covers."""

    topic: Slug
    about: NonEmpty


def read_exceptions(path: Path) -> list[Waiver]:
    """Reads `<fixtures>/curation/meaning.json`; raises pydantic's ValidationError if malformed."""
    return TypeAdapter(list[Waiver]).validate_json(path.read_bytes())


def read_topics(path: Path) -> list[Topic]:
    """Reads `<fixtures>/curation/topics.json`; raises pydantic's ValidationError if malformed."""
    return TypeAdapter(list[Topic]).validate_json(path.read_bytes())


@dataclass(frozen=True)
class Refusal:
    """One finding: where it is, which rule, what is wrong, and the seed sentence (or text) it reads."""

    file: str
    record: str
    field: str
    rule: str
    problem: str
    sentence: str

    def __str__(self) -> str:
        return (
            f"{self.file}: record {self.record!r} field {self.field!r}: [{self.rule}] {self.problem}: "
            f"{self.sentence!r}"
        )


@dataclass
class MeaningReport:
    """Fields checked, findings excused by a reasoned exception, findings, and exceptions never used."""

    checked: int = 0
    excused: list[tuple[Refusal, str]] = field(default_factory=list)
    findings: list[Refusal] = field(default_factory=list)
    unused: list[Waiver] = field(default_factory=list)


class _Texts:
    """Per seed: its text, sentences and quoted passages, computed once."""

    def __init__(self, dataset: Dataset) -> None:
        self.texts = dict(dataset.seed_texts)
        self.sentences = {sid: SentenceIndex(text) for sid, text in self.texts.items()}
        self.quotes = {sid: quoted_passages(text) for sid, text in self.texts.items()}

    def sentence_of(self, evidence: Evidence) -> str:
        index = self.sentences[evidence.source]
        return " ".join(index.sentences[i].text for i in index.overlapping(evidence.start, evidence.end))

    def names(self, evidence: Evidence, person: Person) -> bool:
        """Whether a sentence the evidence overlaps names the person (no pronouns, no neighbours)."""
        index = self.sentences[evidence.source]
        patterns = [word_pattern(phrase) for phrase in dict.fromkeys(names_of(person))]
        hit = index.overlapping(evidence.start, evidence.end)
        return any(pattern.search(index.folded[i]) for i in hit for pattern in patterns)

    def core(self, evidence: Evidence) -> tuple[int, int]:
        """The evidence span without the punctuation, spaces and quotation marks at its ends."""
        text, start, end = self.texts[evidence.source], evidence.start, evidence.end
        trim = " \t,.;:!?\u2014\u2013-\u2026\"'\u201c\u201d\u2018\u2019"
        while start < end and text[start] in trim:
            start += 1
        while end > start and text[end - 1] in trim:
            end -= 1
        return start, end

    def quoted(self, evidence: Evidence) -> bool:
        """Whether the evidence is wholly a quotation: its core lies inside quoted passages, and any
        text between two of them is a short attribution (at most ATTRIBUTION_GAP words)."""
        start, end = self.core(evidence)
        inside = [
            p for p in self.quotes[evidence.source] if p.start <= start < p.end or start < p.start < end
        ]
        outer = _outermost(inside)
        if not outer or not (outer[0].start <= start and end <= outer[-1].end):
            return False
        text = self.texts[evidence.source]
        for before, after in itertools.pairwise(outer):
            gap = text[before.end : after.start]
            if after.start > before.end and len(re.findall(r"\w+", gap)) > ATTRIBUTION_GAP:
                return False
        return True

    def holds_quotation(self, evidence: Evidence) -> bool:
        """Whether some quoted passage's words lie wholly inside the evidence."""
        for passage in self.quotes[evidence.source]:
            start, end = passage.core()
            if end > start and evidence.start <= start and end <= evidence.end:
                return True
        return False


def _outermost(passages: Sequence[QuotedPassage]) -> list[QuotedPassage]:
    """The passages not nested in another one, in text order."""
    ordered = sorted(passages, key=lambda p: (p.start, -p.end))
    outer: list[QuotedPassage] = []
    for passage in ordered:
        if outer and passage.end <= outer[-1].end:
            continue
        outer.append(passage)
    return outer


def _folded(text: str) -> str:
    return normalise(text)


def _hedges(text: str) -> set[int]:
    """The indexes (in HEDGES) of the hedge families the text carries."""
    folded = _folded(text)
    return {i for i, family in enumerate(HEDGES) if any(word_pattern(word).search(folded) for word in family)}


def printed_parts(evidence: Sequence[Evidence]) -> dict[str, set[tuple[str, ...]]]:
    """Per source: the date parts its evidence prints, as ("y", year), ("m", year?, month), ("d", ...)."""
    found: dict[str, set[tuple[str, ...]]] = {}
    for item in evidence:
        parts = found.setdefault(item.source, set())
        text = item.exact.translate(QUOTES)
        for year, month, day in _ISO.findall(text):
            parts |= {("y", year), ("m", month)} | ({("d", month, day)} if day else set())
        for year in _YEAR.findall(text):
            parts.add(("y", year))
        for name in _MONTH_WORD.findall(text):
            parts.add(("m", f"{MONTHS.index(name) + 1:02d}"))
        for name, first, last in _MONTH_DAY.findall(text):
            month = f"{MONTHS.index(name) + 1:02d}"
            for day in range(int(first), int(last or first) + 1):
                parts.add(("d", month, f"{day:02d}"))
        for day, name in _DAY_MONTH.findall(text):
            parts.add(("d", f"{MONTHS.index(name) + 1:02d}", f"{int(day):02d}"))
    return found


def unprinted(date: PartialDate) -> list[str]:
    """The parts of the date ("year", "month", "day") that no single source's evidence prints
    together with the others; empty when one source prints them all."""
    pieces = date.date.split("-")
    wanted: list[tuple[str, tuple[str, ...]]] = [("year", ("y", pieces[0]))]
    if len(pieces) > 1:
        wanted.append(("month", ("m", pieces[1])))
    if len(pieces) > 2:
        wanted.append(("day", ("d", pieces[1], pieces[2])))
    best: list[str] | None = None
    for parts in printed_parts(date.evidence).values():
        missing = [name for name, part in wanted if part not in parts]
        if best is None or len(missing) < len(best):
            best = missing
    return [name for name, _ in wanted] if best is None else best


class _Checker:
    def __init__(self, dataset: Dataset, topics: Sequence[Topic], fixtures_dir: str) -> None:
        self.dataset = dataset
        self.texts = _Texts(dataset)
        self.topics = {t.topic for t in topics}
        self.fixtures_dir = fixtures_dir
        self.checked = 0

    def _refuse(self, stem: str, record: Verified, path: str, rule: str, problem: str, text: str) -> Refusal:
        return Refusal(f"{self.fixtures_dir}/{stem}.json", record.id, path, rule, problem, text)

    def run(self) -> Iterator[Refusal]:
        yield from self.modes_and_speakers()
        yield from self.precisions()
        yield from self.hedges()
        yield from self.attributions()
        yield from self.topic_list()

    def modes_and_speakers(self) -> Iterator[Refusal]:
        for citation in self.dataset.citations.values():
            evidence, mode = citation.evidence, citation.mode.value
            sentence = self.texts.sentence_of(evidence)
            self.checked += 2
            if mode == "direct" and not self.texts.quoted(evidence):
                problem = "'direct' evidence must lie inside quotation marks in the seed"
                yield self._refuse("citations", citation, "evidence", "mode", problem, sentence)
            elif mode == "partial" and not self.texts.holds_quotation(evidence):
                problem = "'partial' evidence must hold a quotation"
                yield self._refuse("citations", citation, "evidence", "mode", problem, sentence)
            elif mode == "paraphrase" and self.texts.quoted(evidence):
                problem = "'paraphrase' evidence is wholly a quotation (mode 'direct'?)"
                yield self._refuse("citations", citation, "evidence", "mode", problem, sentence)
            speaker = self.dataset.people[self.dataset.claims[citation.claim].speaker]
            spans = [evidence] + ([citation.cue] if citation.cue is not None else [])
            if not any(self.texts.names(span, speaker) for span in spans):
                problem = (
                    f"neither the sentence holding the evidence nor the one holding the cue names the "
                    f"speaker {speaker.name}"
                )
                yield self._refuse("citations", citation, "evidence", "speaker", problem, sentence)

    def precisions(self) -> Iterator[Refusal]:
        for stem, table in self.dataset.tables.items():
            for record in table.values():
                for path, date in partial_dates(record):
                    self.checked += 1
                    missing = unprinted(date)
                    if missing and INFERENCE not in _folded(date.note or ""):
                        problem = (
                            f"precision {date.precision.value!r} of {date.date}: no one source's evidence "
                            f"prints the {' and '.join(missing)}; the note must say it is the {INFERENCE} "
                            f"and how it was computed"
                        )
                        words = " | ".join(e.exact for e in date.evidence)
                        yield self._refuse(stem, record, path, "precision", problem, words)

    def _citations_of(self, claim: Claim) -> list[Evidence]:
        return [c.evidence for c in self.dataset.citations.values() if c.claim == claim.id]

    def hedges(self) -> Iterator[Refusal]:
        for claim in self.dataset.claims.values():
            self.checked += 1
            kept = _hedges(claim.summary)
            for evidence in self._citations_of(claim):
                lost = _hedges(evidence.exact) - kept
                if lost:
                    words = ", ".join(repr(HEDGES[i][0]) for i in sorted(lost))
                    problem = f"the summary drops the hedge {words} its evidence carries ({evidence.exact!r})"
                    yield self._refuse("claims", claim, "summary", "hedge", problem, claim.summary)
                    break

    def attributions(self) -> Iterator[Refusal]:
        spans = [
            (c.evidence, self.dataset.people[self.dataset.claims[c.claim].speaker])
            for c in self.dataset.citations.values()
        ]
        for stem, record, path, text, evidence in _facts(self.dataset):
            self.checked += 1
            notes = " ".join(n.note for n in record.notes if path.startswith(n.field))
            for item in evidence:
                for cited, speaker in spans:
                    overlaps = (
                        cited.source == item.source and cited.start < item.end and item.start < cited.end
                    )
                    if not overlaps:
                        continue
                    said = _folded(f"{text} {notes}")
                    if not any(word_pattern(name).search(said) for name in names_of(speaker)):
                        problem = (
                            f"its evidence {item.exact!r} lies in what {speaker.name} is cited as saying; "
                            f"the value or a note on it must say who said it"
                        )
                        yield self._refuse(stem, record, path, "attribution", problem, text)
                        break
                else:
                    continue
                break

    def topic_list(self) -> Iterator[Refusal]:
        for claim in self.dataset.claims.values():
            for index, topic in enumerate(claim.topics):
                self.checked += 1
                if topic not in self.topics:
                    problem = f"topic {topic!r} is not declared in curation/topics.json"
                    yield self._refuse("claims", claim, f"topics[{index}]", "topic", problem, claim.summary)


def _facts(dataset: Dataset) -> Iterator[tuple[str, Verified, str, str, list[Evidence]]]:
    """(file stem, record, field, value as text, evidence) for every outcome, status and variant."""
    for negotiation in dataset.negotiations.values():
        for i, outcome in enumerate(negotiation.outcome):
            yield "negotiations", negotiation, f"outcome[{i}]", outcome.value, list(outcome.evidence)
        for i, status in enumerate(negotiation.status):
            yield "negotiations", negotiation, f"status[{i}]", status.status.value, list(status.evidence)
    for discrepancy in dataset.discrepancies.values():
        for i, variant in enumerate(discrepancy.variants):
            yield "discrepancies", discrepancy, f"variants[{i}]", variant.value, list(variant.citations)


def meaning_check(
    dataset: Dataset,
    topics: Sequence[Topic],
    exceptions: Sequence[Waiver],
    fixtures_dir: str = "fixtures",
) -> MeaningReport:
    """Takes a loaded dataset, the declared topics and the reasoned exceptions; returns the report."""
    checker = _Checker(dataset, topics, fixtures_dir)
    waived = {(e.rule, e.record, e.field): e for e in exceptions}
    used: set[tuple[str, str, str]] = set()
    report = MeaningReport()
    for refusal in checker.run():
        key = (refusal.rule, refusal.record, refusal.field)
        if key in waived:
            used.add(key)
            report.excused.append((refusal, waived[key].reason))
        else:
            report.findings.append(refusal)
    report.checked = checker.checked
    report.unused = [e for e in exceptions if (e.rule, e.record, e.field) not in used]
    return report


def render_meaning(report: MeaningReport) -> str:
    """The checks' summary line."""
    return (
        f"meaning checks: {report.checked} fields checked, {len(report.excused)} excused by a reasoned "
        f"exception, {len(report.findings)} findings"
    )
