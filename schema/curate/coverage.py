"""The coverage report: per seed, its citations in text order and which quoted passages evidence covers."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import TypeAdapter

from schema.load.selectors import dataset_evidence
from schema.model.dataset import Dataset
from schema.model.models import Citation, NonEmpty, Record
from schema.text.quotes import QuotedPassage, quoted_passages
from schema.text.sentences import Sentence, split_sentences


class Uncovered(Record):
    """An allow-listed quoted passage: its seed file, its words (trimmed as in the report), and why."""

    seed: NonEmpty
    exact: NonEmpty
    reason: NonEmpty


def read_allow_list(path: Path) -> list[Uncovered]:
    """Reads an allow-list file (`<fixtures>/curation/uncovered.json`: quoted passages no evidence
    needs to cover; `unattributed.json`: sentences with a speech verb no citation needs to cover; each
    with the reason); raises pydantic's ValidationError if an entry is malformed."""
    return TypeAdapter(list[Uncovered]).validate_json(path.read_bytes())


@dataclass
class SeedCoverage:
    """One seed's citations in text order and its quoted passages, sorted by whether evidence covers them."""

    seed: str
    source_id: str
    citations: list[Citation]
    covered: list[QuotedPassage] = field(default_factory=list)
    allowed: list[tuple[QuotedPassage, Uncovered]] = field(default_factory=list)
    missing: list[QuotedPassage] = field(default_factory=list)

    @property
    def passages(self) -> int:
        """How many quoted passages the seed has."""
        return len(self.covered) + len(self.allowed) + len(self.missing)


def _spans_by_source(dataset: Dataset) -> dict[str, list[tuple[int, int]]]:
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for evidence in dataset_evidence(dataset):
        spans[evidence.source].append((evidence.start, evidence.end))
    return {source: sorted(found) for source, found in spans.items()}


def _is_covered(text: str, span: tuple[int, int], spans: Sequence[tuple[int, int]]) -> bool:
    """True when every code point of span, except whitespace between two evidence spans, lies in one.

    Two selectors that each cite one sentence of a two-sentence quote cover it together.
    """
    reached = span[0]
    for start, end in spans:
        if start > reached and not text[reached:start].isspace():
            break
        reached = max(reached, end)
        if reached >= span[1]:
            return True
    return reached >= span[1]


def seed_coverage(
    dataset: Dataset, source_id: str, spans: Sequence[tuple[int, int]], allow_list: Sequence[Uncovered]
) -> SeedCoverage:
    """Takes a source id, the sorted spans of every selector into its seed and the allow-list, and
    returns that seed's coverage."""
    source = dataset.sources[source_id]
    text = dataset.seed_texts[source_id]
    citations = sorted(dataset.citations_by_source.get(source_id, []), key=lambda c: c.evidence.start)
    report = SeedCoverage(source.seed, source_id, citations)
    excused = {entry.exact: entry for entry in allow_list if entry.seed == source.seed}
    for passage in quoted_passages(text):
        core = passage.core()
        if _is_covered(text, core, spans):
            report.covered.append(passage)
        elif (words := text[core[0] : core[1]]) in excused:
            report.allowed.append((passage, excused[words]))
        else:
            report.missing.append(passage)
    return report


def coverage_report(dataset: Dataset, allow_list: Sequence[Uncovered]) -> list[SeedCoverage]:
    """Returns the coverage of every source's seed, in sources.json order."""
    spans = _spans_by_source(dataset)
    return [seed_coverage(dataset, sid, spans.get(sid, []), allow_list) for sid in dataset.sources]


def unsourced_seeds(dataset: Dataset, seed_names: Iterable[str]) -> list[str]:
    """Takes the seed file names of the manifest and returns those no Source record stands for."""
    sourced = {source.seed for source in dataset.sources.values()}
    return sorted(set(seed_names) - sourced)


def stale_allow_list(reports: Sequence[SeedCoverage], allow_list: Sequence[Uncovered]) -> list[Uncovered]:
    """Returns allow-list entries that excuse no uncovered passage (covered by now, or never quoted)."""
    used = {entry for report in reports for _, entry in report.allowed}
    return [entry for entry in allow_list if entry not in used]


def _clip(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return json.dumps(flat if len(flat) <= limit else flat[: limit - 1] + "…", ensure_ascii=False)


def render_report(
    dataset: Dataset,
    reports: Sequence[SeedCoverage],
    stale: Sequence[Uncovered],
    unsourced: Sequence[str] = (),
) -> str:
    """Returns the report as text: per seed its citations, then its uncovered passages, then totals."""
    lines = [f"MISSING   {name}: no source record stands for this seed" for name in unsourced]
    for report in reports:
        share = f"{len(report.covered)}/{report.passages}"
        percent = f"{100 * len(report.covered) / report.passages:.0f}%" if report.passages else "n/a"
        lines.append(
            f"{report.seed} (source {report.source_id}): {len(report.citations)} citations, "
            f"quoted passages covered {share} ({percent})"
        )
        for citation in report.citations:
            speaker = dataset.people[dataset.claims[citation.claim].speaker].name
            lines.append(
                f"  {citation.evidence.start:>5}  {citation.claim}  [{speaker}]  "
                f"{citation.mode.value}  {_clip(citation.evidence.exact)}"
            )
        for passage, entry in report.allowed:
            lines.append(f"  uncovered {passage.start:>5}  {_clip(passage.text)}  allowed: {entry.reason}")
        for passage in report.missing:
            lines.append(f"  MISSING   {passage.start:>5}  {_clip(passage.text)}  no evidence covers it")
    for entry in stale:
        lines.append(
            f"STALE allow-list entry: {entry.seed} {_clip(entry.exact)} excuses no uncovered passage"
        )
    covered = sum(len(r.covered) for r in reports)
    total = sum(r.passages for r in reports)
    missing = sum(len(r.missing) for r in reports)
    lines.append(
        f"{covered}/{total} quoted passages covered, "
        f"{total - covered - missing} allow-listed, {missing} missing"
    )
    return "\n".join(lines)


# ---------------------------------------------------------------- sentences with a speech verb

SPEECH_VERBS = re.compile(
    r"\b(?:[Aa]ccording to|said|says?|saying|told|tells?|not(?:ed|es|ing)|warn(?:ed|s|ing)?|add(?:ed|s|ing)"
    r"|stat(?:ed|es|ing)|describ(?:ed|es|ing)|confirm(?:ed|s|ing)?|accus(?:ed|es|ing)|believ(?:e|es|ed)"
    r"|explain(?:ed|s|ing)?|echo(?:ed|es)|indicat(?:ed|es|e|ing)|suggest(?:s|ed|ing)?|reveal(?:ed|s)"
    r"|caution(?:s|ed)?|announc(?:ed|es)|report(?:ed|s)|comment(?:ed|s)?|call(?:ed|s)|framed|deem(?:ed|ing)"
    r"|promis(?:ed|es)|hint(?:ed|ing)|claim(?:ed|s)|insist(?:ed|s)|argu(?:ed|es)|urg(?:ed|es)|perceives"
    r"|acknowledg(?:ed|es)|remark(?:ed|s)?|quoted|cit(?:ed|ing))\b"
)
"""Speech and attribution verbs (and "according to"), lower case, so "United States" is not "states"."""


@dataclass
class SpeechCoverage:
    """One seed's sentences with a speech or attribution verb: cited by a citation, explained, or neither."""

    seed: str
    source_id: str
    cited: list[tuple[Sentence, str]] = field(default_factory=list)
    allowed: list[tuple[Sentence, str, Uncovered]] = field(default_factory=list)
    missing: list[tuple[Sentence, str]] = field(default_factory=list)


def _citation_spans(dataset: Dataset, source_id: str) -> list[tuple[int, int]]:
    spans = []
    for citation in dataset.citations_by_source.get(source_id, []):
        spans.append((citation.evidence.start, citation.evidence.end))
        if citation.cue is not None:
            spans.append((citation.cue.start, citation.cue.end))
    return spans


def speech_coverage(dataset: Dataset, allow_list: Sequence[Uncovered]) -> list[SpeechCoverage]:
    """Returns, per source in sources.json order, every sentence with a speech or attribution verb and
    whether a citation's evidence or cue lies in it, or an allow-list entry (whose `exact` is part
    of the sentence) explains it."""
    reports = []
    for source_id, source in dataset.sources.items():
        report = SpeechCoverage(source.seed, source_id)
        spans = _citation_spans(dataset, source_id)
        entries = [entry for entry in allow_list if entry.seed == source.seed]
        for sentence in split_sentences(dataset.seed_texts[source_id]):
            verb = SPEECH_VERBS.search(sentence.text)
            if verb is None:
                continue
            if any(start < sentence.end and sentence.start < end for start, end in spans):
                report.cited.append((sentence, verb.group()))
            elif explained := next((e for e in entries if e.exact in sentence.text), None):
                report.allowed.append((sentence, verb.group(), explained))
            else:
                report.missing.append((sentence, verb.group()))
        reports.append(report)
    return reports


def stale_speech_allow_list(
    reports: Sequence[SpeechCoverage], allow_list: Sequence[Uncovered]
) -> list[Uncovered]:
    """Returns speech allow-list entries that explain no sentence (cited by now, or not in the seed)."""
    used = {entry for report in reports for _, _, entry in report.allowed}
    return [entry for entry in allow_list if entry not in used]


def render_speech(reports: Sequence[SpeechCoverage], stale: Sequence[Uncovered]) -> str:
    """Returns the speech-verb section: per seed its counts and each explained or unexplained sentence."""
    lines = ["Sentences with a speech or attribution verb:"]
    for report in reports:
        total = len(report.cited) + len(report.allowed) + len(report.missing)
        lines.append(
            f"{report.seed} (source {report.source_id}): {total} sentences, {len(report.cited)} cited, "
            f"{len(report.allowed)} explained, {len(report.missing)} unexplained"
        )
        for sentence, verb, entry in report.allowed:
            lines.append(f"  explained {sentence.start:>5}  [{verb}]  {_clip(sentence.text)}  {entry.reason}")
        for sentence, verb in report.missing:
            lines.append(
                f"  UNEXPLAINED {sentence.start:>5}  [{verb}]  {_clip(sentence.text)}  no citation in it"
            )
    for entry in stale:
        lines.append(f"STALE speech allow-list entry: {entry.seed} {_clip(entry.exact)} explains no sentence")
    cited = sum(len(r.cited) for r in reports)
    allowed = sum(len(r.allowed) for r in reports)
    missing = sum(len(r.missing) for r in reports)
    lines.append(
        f"{cited + allowed + missing} sentences with a speech verb: {cited} cited, {allowed} explained, "
        f"{missing} unexplained"
    )
    return "\n".join(lines)
