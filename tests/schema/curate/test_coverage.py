"""Quoted passages in the seeds and the per-seed coverage report over the real fixtures."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from schema.curate.coverage import (
    SPEECH_VERBS,
    Uncovered,
    coverage_report,
    read_allow_list,
    render_report,
    speech_coverage,
    stale_allow_list,
    stale_speech_allow_list,
)
from schema.curate.settings import UNATTRIBUTED, UNCOVERED, setting
from schema.load.loader import load_dataset
from schema.model.dataset import Dataset
from schema.text.quotes import quoted_passages
from schema.text.sentences import split_sentences
from tests.datafiles import FIXTURES, SEEDS, run_schema

ASEAN = "001_da4a70c692c9a507.txt"
ALLOW_LIST = setting(FIXTURES, UNCOVERED)
SPEECH_ALLOW_LIST = setting(FIXTURES, UNATTRIBUTED)


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return load_dataset(FIXTURES, SEEDS)


def passages(text: str) -> list[str]:
    return [p.text for p in quoted_passages(text)]


def test_curly_and_straight_double_quotes() -> None:
    text = 'He said “we are close,” and later "maybe," then "done".\nAn odd " mark alone.'
    assert passages(text) == ["we are close,", "maybe,", "done"]


def test_apostrophes_are_not_quotes() -> None:
    text = "China’s view, Trump’s ‘Liberation Day’ tariffs, don't, the countries’ truce, 'fine' ok"  # noqa: RUF001 (the marks are the subject)
    assert passages(text) == ["Liberation Day", "fine"]


def test_nested_quote_counts_on_its_own_and_quotes_stop_at_line_ends() -> None:
    text = "“Since ‘Liberation Day’ tariffs,” she said.\n“unclosed\nnext”"  # noqa: RUF001 (the marks are the subject)
    found = [(p.text, p.mark) for p in quoted_passages(text)]
    assert found == [("Since ‘Liberation Day’ tariffs,", "“”"), ("Liberation Day", "‘’")]  # noqa: RUF001 (the marks are the subject)


def test_core_trims_punctuation_that_evidence_may_leave_out() -> None:
    (passage,) = quoted_passages('x "fruitful." y')
    assert passage.core() == (passage.start, passage.end - 1)


def test_every_quoted_passage_in_the_seeds_is_covered_or_allow_listed(dataset: Dataset) -> None:
    allow_list = read_allow_list(setting(FIXTURES, UNCOVERED))
    reports = coverage_report(dataset, allow_list)
    assert [r.seed for r in reports] == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert [p.text for r in reports for p in r.missing] == []
    assert stale_allow_list(reports, allow_list) == []
    by_seed = {r.seed: r for r in reports}
    assert [(p.start, e.exact) for p, e in by_seed[ASEAN].allowed] == [(2382, "Liberation Day")]
    assert len(by_seed[ASEAN].covered) == 8
    assert len(by_seed["003_7f228ed095719f81.txt"].covered) == 8


def test_citations_are_listed_in_text_order(dataset: Dataset) -> None:
    for report in coverage_report(dataset, read_allow_list(setting(FIXTURES, UNCOVERED))):
        starts = [c.evidence.start for c in report.citations]
        assert starts == sorted(starts)
        assert {c.id for c in report.citations} == {
            c.id for c in dataset.citations.values() if c.evidence.source == report.source_id
        }


def test_missing_and_stale_entries_are_reported(dataset: Dataset) -> None:
    stale_entry = Uncovered(seed=ASEAN, exact="never quoted", reason="test")
    reports = coverage_report(dataset, [stale_entry])
    missing = [(r.seed, p.start, p.text) for r in reports for p in r.missing]
    assert missing == [(ASEAN, 2382, "Liberation Day")]
    assert stale_allow_list(reports, [stale_entry]) == [stale_entry]
    text = render_report(dataset, reports, [stale_entry])
    assert '  MISSING    2382  "Liberation Day"  no evidence covers it' in text.splitlines()
    assert 'STALE allow-list entry: 001_da4a70c692c9a507.txt "never quoted"' in text


def test_coverage_command_passes_on_the_real_fixtures(dataset: Dataset) -> None:
    result = run_schema("coverage")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    reports = coverage_report(dataset, read_allow_list(ALLOW_LIST))
    covered, total = sum(len(r.covered) for r in reports), sum(r.passages for r in reports)
    allowed = sum(len(r.allowed) for r in reports)
    assert f"{covered}/{total} quoted passages covered, {allowed} allow-listed, 0 missing" in lines
    assert covered + allowed == total and allowed == len(read_allow_list(ALLOW_LIST))
    speech = speech_coverage(dataset, read_allow_list(SPEECH_ALLOW_LIST))
    cited, explained = sum(len(r.cited) for r in speech), sum(len(r.allowed) for r in speech)
    counted = f"{cited + explained} sentences with a speech verb: {cited} cited, {explained} explained"
    assert lines[-1] == f"{counted}, 0 unexplained"
    citation = dataset.citations["trump-doing-well-with-china--asean-now"]
    assert f'    914  {citation.claim}  [Donald Trump]  direct  "We are doing well with China."' in lines


def test_coverage_command_fails_on_a_missing_passage(tmp_path: Path) -> None:
    allow_list = tmp_path / "uncovered.json"
    allow_list.write_text(json.dumps([]), encoding="utf-8")
    result = run_schema("coverage", "--allow-list", str(allow_list))
    assert result.returncode == 1
    assert "1 allow-listed" not in result.stdout and "0 allow-listed, 1 missing" in result.stdout


def test_a_seed_without_a_source_record_is_missing(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    (seeds / "005_extra.txt").write_bytes(b"An extra article.\n")
    digest = hashlib.sha256(b"An extra article.\n").hexdigest()
    with (seeds / "SHA256SUMS").open("a", encoding="utf-8") as manifest:
        manifest.write(f"{digest}  005_extra.txt\n")
    result = run_schema("coverage", "--seeds", str(seeds))
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "MISSING   005_extra.txt: no source record stands for this seed"


def test_speech_verbs_are_lower_case_words() -> None:
    found = [
        m.group() for m in SPEECH_VERBS.finditer("The United States said; According to him, she noted it.")
    ]
    assert found == ["said", "According to", "noted"]
    assert SPEECH_VERBS.search("a reportedly odd statesman") is None


def test_every_speech_verb_sentence_is_cited_or_explained(dataset: Dataset) -> None:
    allow_list = read_allow_list(SPEECH_ALLOW_LIST)
    reports = speech_coverage(dataset, allow_list)
    assert [s.text for r in reports for s, _ in r.missing] == []
    assert stale_speech_allow_list(reports, allow_list) == []
    cited = 0  # sentences with a speech verb that a citation's evidence or cue lies in, counted here
    for citations in dataset.citations_by_source.values():
        spans = [(c.evidence.start, c.evidence.end) for c in citations]
        spans += [(c.cue.start, c.cue.end) for c in citations if c.cue is not None]
        text = dataset.seed_texts[citations[0].evidence.source]
        cited += sum(
            any(start < sentence.end and sentence.start < end for start, end in spans)
            for sentence in split_sentences(text)
            if SPEECH_VERBS.search(sentence.text)
        )
    assert sum(len(r.cited) for r in reports) == cited
    assert all(len(entry.reason) > 20 for entry in allow_list)


def test_an_unexplained_speech_verb_sentence_fails_coverage(tmp_path: Path) -> None:
    allow_list = read_allow_list(SPEECH_ALLOW_LIST)
    kept = [entry.model_dump() for entry in allow_list if "did not comment" not in entry.exact]
    kept.append({"seed": ASEAN, "exact": "never in the seed", "reason": "a stale entry for the test"})
    path = tmp_path / "unattributed.json"
    path.write_text(json.dumps(kept), encoding="utf-8")
    result = run_schema("coverage", "--speech-allow-list", str(path))
    assert result.returncode == 1
    assert (
        '  UNEXPLAINED   615  [comment]  "Vice Premier He Lifeng, who led China\'s delegation, did not…"  '
        "no citation in it"
    ) in result.stdout.splitlines()
    assert 'STALE speech allow-list entry: 001_da4a70c692c9a507.txt "never in the seed"' in result.stdout
    assert result.stdout.splitlines()[-1].endswith("9 explained, 1 unexplained")
