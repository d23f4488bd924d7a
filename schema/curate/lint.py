"""The anchoring lint: evidence must lie where the seed speaks of the person it is evidence about.

A valid selector can still point at the same words elsewhere, about someone else
(docs/curating.md). Evidence for a person's alias or affiliation, or a delegate's title, seat or
lead, must overlap a sentence naming that person (name or alias); a citation's evidence and cue,
a sentence naming the claim's speaker or the one just before or after it (an unnamed speaker is
also named by the words of their description; a sentence with a pronoun names whoever the one
before names). A note on the field (or one above it) whose text starts with "Anchoring
exception:" and gives the reason waives the finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from schema.load.selectors import iter_evidence
from schema.model.dataset import Dataset
from schema.model.models import Evidence, Person, Verified
from schema.text.sentences import SentenceIndex, word_pattern

EXCEPTION = "Anchoring exception:"
_TRIM = " .'\u2019()"
PRONOUNS = re.compile(r"\b(he|she|they|his|her|their|him|them|it|its)\b")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "cited",
        "for",
        "from",
        "in",
        "is",
        "it",
        "its",
        "named",
        "no",
        "not",
        "of",
        "on",
        "or",
        "quoted",
        "that",
        "the",
        "their",
        "them",
        "this",
        "to",
        "unnamed",
        "unspecified",
        "who",
        "with",
        "whose",
        "speaking",
        "article",
        "outlet",
        "report",
        "reports",
    ]
)


@dataclass(frozen=True)
class Finding:
    """One selector the lint rejects: where it is, whom it should name, and the sentence it lies in."""

    file: str
    record: str
    field: str
    person: str
    sentence: str

    def __str__(self) -> str:
        return (
            f"{self.file}: record {self.record!r} field {self.field!r}: lies in no sentence that names "
            f"{self.person}: {self.sentence!r}"
        )


@dataclass
class LintReport:
    """What the lint checked, excused and found."""

    checked: int = 0
    excused: list[tuple[str, str, str]] = field(default_factory=list)
    """(record, field, reason) of every finding an exception note excuses."""
    findings: list[Finding] = field(default_factory=list)


def names_of(person: Person) -> list[str]:
    """The phrases that name a person: name and aliases; for an unnamed one, their description's words."""
    phrases = [person.name, *(alias.name for alias in person.aliases)]
    if not person.named:
        words = f"{person.name} {' '.join(a.name for a in person.aliases)} {person.description or ''}"
        phrases += [w for w in re.findall(r"[\w'\u2019.-]+", words) if w.lower().strip(".") not in STOPWORDS]
    return [p.strip(_TRIM) for p in phrases if p.strip(_TRIM)]


def _exception(record: Verified, path: str) -> str | None:
    for note in record.notes:
        above = path == note.field or path.startswith((note.field + ".", note.field + "["))
        if above and note.note.startswith(EXCEPTION) and note.note[len(EXCEPTION) :].strip():
            return note.note[len(EXCEPTION) :].strip()
    return None


class _Seeds:
    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.indexes = {sid: SentenceIndex(text) for sid, text in dataset.seed_texts.items()}
        self._naming: dict[tuple[str, str], list[bool]] = {}

    def naming(self, source: str, person: Person, pronouns: bool) -> list[bool]:
        """Per sentence of the source: whether it names the person (pronouns refer back one sentence)."""
        key = (source, person.id + ("+" if pronouns else ""))
        if key not in self._naming:
            patterns = [word_pattern(phrase) for phrase in dict.fromkeys(names_of(person))]
            flags: list[bool] = []
            for folded in self.indexes[source].folded:
                direct = any(pattern.search(folded) for pattern in patterns)
                referred = pronouns and bool(flags) and flags[-1] and bool(PRONOUNS.search(folded))
                flags.append(direct or referred)
            self._naming[key] = flags
        return self._naming[key]

    def placed(self, evidence: Evidence, person: Person, *, neighbours: bool) -> tuple[bool, str]:
        """Whether the evidence lies in (or next to) a sentence naming the person; and its sentence."""
        index = self.indexes.get(evidence.source)
        if index is None or not index.sentences:
            return True, ""
        hit = index.overlapping(evidence.start, evidence.end)
        flags = self.naming(evidence.source, person, pronouns=neighbours)
        near = {j for i in hit for j in (i - 1, i, i + 1)} if neighbours else set(hit)
        ok = any(flags[j] for j in near if 0 <= j < len(flags))
        return ok, " ".join(index.sentences[i].text for i in hit)


def _person_spans(dataset: Dataset) -> Iterator[tuple[str, Verified, str, Evidence, Person, bool]]:
    """(file, record, field, evidence, person it is about, whether neighbours count) for every rule."""
    for person in dataset.people.values():
        for path, evidence in iter_evidence(person):
            if path.startswith(("aliases", "affiliations")):
                yield "people.json", person, path, evidence, person, False
    for delegate in dataset.delegates.values():
        person = dataset.people[delegate.person]
        for path, evidence in iter_evidence(delegate):
            if path.startswith(("titles", "seat_evidence", "lead_evidence")):
                yield "delegates.json", delegate, path, evidence, person, False
    for citation in dataset.citations.values():
        speaker = dataset.people[dataset.claims[citation.claim].speaker]
        for path, evidence in iter_evidence(citation):
            yield "citations.json", citation, path, evidence, speaker, True


def anchoring_lint(dataset: Dataset, fixtures_dir: str = "fixtures") -> LintReport:
    """Takes a loaded dataset and returns the lint's report: every selector checked, excused or found."""
    seeds = _Seeds(dataset)
    report = LintReport()
    for file, record, path, evidence, person, neighbours in _person_spans(dataset):
        report.checked += 1
        ok, sentence = seeds.placed(evidence, person, neighbours=neighbours)
        if ok:
            continue
        reason = _exception(record, path)
        if reason is not None:
            report.excused.append((record.id, path, reason))
        else:
            report.findings.append(Finding(f"{fixtures_dir}/{file}", record.id, path, person.name, sentence))
    return report


def render_lint(report: LintReport) -> Iterable[str]:
    """The report's summary line (the findings are printed one per line by the caller)."""
    yield (
        f"anchoring lint: {report.checked} spans checked, {len(report.excused)} excused by a reasoned "
        f"exception, {len(report.findings)} findings"
    )
