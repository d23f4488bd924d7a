"""The coverage report: per seed, its citations in text order and which quoted passages evidence covers."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import TypeAdapter

from schema.dataset import Dataset
from schema.models import Citation, NonEmpty, Record
from schema.quotes import QuotedPassage, quoted_passages
from schema.selectors import dataset_evidence

ALLOW_LIST = Path(__file__).parent / "uncovered.json"
"""Quoted passages that no evidence needs to cover (scare quotes, headlines), each with the reason."""


class Uncovered(Record):
    """An allow-listed quoted passage: its seed file, its words (trimmed as in the report), and why."""

    seed: NonEmpty
    exact: NonEmpty
    reason: NonEmpty


def read_allow_list(path: Path = ALLOW_LIST) -> list[Uncovered]:
    """Reads the allow-list file; raises pydantic's ValidationError if an entry is malformed."""
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
