"""docs/curating.md, run: the walk-through's steps (every record type, `parley propose` in the flow) on a
temporary copy end with validate and coverage passing, and the counts the page prints are what
`parley validate` prints for the data.

The steps come from the page itself (tests/walkthrough.py): change the page and the test follows.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from schema.load.loader import load_dataset
from tests import walkthrough
from tests.datafiles import DOCS, FIXTURES, SEEDS, fixture_counts, read_records
from tools.refresh import LINT_BLOCK

DOC = DOCS / "curating.md"
SPANS = re.compile(r"anchoring lint: (\d+) spans checked, (\d+) excused by a reasoned exception, 0 findings")
SOURCE = "example-wire-lisbon-talks"  # the id the page's add-source step gives the article
SPEECH = re.compile(r"(\d+) sentences with a speech verb: (\d+) cited, (\d+) explained, 0 unexplained")


def _counts(root: Path) -> tuple[list[str], str]:
    """(validate's summary lines: anchoring lint, outside-knowledge check, meaning checks; coverage's
    last line) for the data under root."""
    validate = walkthrough.parley("parley validate", root)
    coverage = walkthrough.parley("parley coverage", root)
    assert validate.returncode == 0 and coverage.returncode == 0, validate.stderr + coverage.stderr
    return validate.stdout.splitlines()[-3:], coverage.stdout.splitlines()[-1]


def test_the_walk_through_ends_with_validate_and_coverage_passing(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    shutil.copytree(SEEDS, tmp_path / "seeds")
    (lint_before, _, _), speech_before = _counts(tmp_path)
    before = fixture_counts(tmp_path / "fixtures")
    steps = walkthrough.steps(DOC)
    kinds = [what[0] for what, _ in steps]
    assert kinds[:6] == ["article", "append", "run", "update", "run", "output"] and kinds[-1] == "run"
    assert "parley propose" in steps[4][1]  # propose drafts before the records are written
    every_type = {"outlets", "people", "negotiations", "delegates", "claims", "citations", "discrepancies"}
    assert set(walkthrough.appended_counts(DOC)) == every_type  # and the source, by add-source and update
    ran = walkthrough.run(DOC, tmp_path)
    lint, knowledge, meaning = ran[-2].splitlines()[-3:]
    spans, excused = map(int, SPANS.fullmatch(lint_before).groups())  # type: ignore[union-attr]
    grown_spans, grown_excused = map(int, SPANS.fullmatch(lint).groups())  # type: ignore[union-attr]
    assert grown_spans > spans and grown_excused == excused  # the new spans checked, none excused
    assert knowledge.startswith("outside-knowledge check: ") and knowledge.endswith(", 0 findings")
    assert meaning.startswith("meaning checks: ") and meaning.endswith(", 0 findings")
    sentences, cited, explained = map(int, SPEECH.fullmatch(speech_before).groups())  # type: ignore[union-attr]
    added = {what[1]: walkthrough.appended(body) for what, body in steps if what[0] == "append"}
    new = len(added["citations.json"])  # each citation of the article lies in its own sentence
    speech = f"{sentences + new} sentences with a speech verb: {cited + new} cited, {explained} explained"
    assert ran[-1].splitlines()[-1] == f"{speech}, 0 unexplained"
    after = fixture_counts(tmp_path / "fixtures")
    grown = {stem: after[stem] - before[stem] for stem in before}
    appended_counts = walkthrough.appended_counts(DOC)
    assert grown == {**dict.fromkeys(before, 0), **appended_counts, "sources": 1}  # add-source: the source

    dataset = load_dataset(tmp_path / "fixtures", tmp_path / "seeds")
    text = dataset.seed_texts[SOURCE]
    for record in added["citations.json"]:
        evidence = dataset.citations[record["id"]].evidence
        assert text[evidence.start : evidence.end] == record["evidence"]["exact"]
    seeds_before = len(list(SEEDS.glob("*.txt")))
    assert dataset.sources[SOURCE].seed.startswith(f"{seeds_before:03d}_")
    assert dataset.sources[SOURCE].outlet == "example-wire"
    assert read_records(FIXTURES, "sources") != read_records(tmp_path / "fixtures", "sources")  # a copy

    # Once the curator's records are in, `parley propose` finds every one of the article's citations:
    # right span, speaker (Chen Rulan by the alias) and mode, and nothing else.
    scored = walkthrough.parley(f"parley propose --score {SOURCE}", tmp_path)
    row = next(line.split() for line in scored.stdout.splitlines() if line.startswith(SOURCE))
    assert row[1:] == [str(new)] * 8 + ["0"], scored.stdout


def test_the_counts_the_page_prints_are_what_validate_prints_for_the_data(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    shutil.copytree(SEEDS, tmp_path / "seeds")
    printed = DOC.read_text(encoding="utf-8").split(LINT_BLOCK, 1)[1].split("```", 1)[0]
    assert printed.splitlines() == _counts(tmp_path)[0]
    assert printed.splitlines()[0] == (
        "anchoring lint: 192 spans checked, 2 excused by a reasoned exception, 0 findings"
    )  # the curated data's count, as the page printed it before any article was added
