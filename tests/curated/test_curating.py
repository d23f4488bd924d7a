"""docs/curating.md, run: the walk-through's steps on a temporary copy end with validate and coverage
passing, and the counts the page prints are what `parley validate` prints for the data.

The steps come from the page itself (tests/walkthrough.py): change the page and the test follows.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from schema.load.loader import load_dataset
from tests import walkthrough
from tests.datafiles import DOCS, FIXTURES, SEEDS, read_records
from tools.refresh import LINT_BLOCK

DOC = DOCS / "curating.md"
SPANS = re.compile(r"anchoring lint: (\d+) spans checked, (\d+) excused by a reasoned exception, 0 findings")
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
    steps = walkthrough.steps(DOC)
    assert [what[0] for what, _ in steps] == ["article", "run", "update", "append", "append", "append", "run"]
    ran = walkthrough.run(DOC, tmp_path)
    lint, knowledge, meaning = ran[-2].splitlines()[-3:]
    spans, excused = map(int, SPANS.fullmatch(lint_before).groups())  # type: ignore[union-attr]
    # the alias, the affiliation, the citation's evidence and its cue: 4 spans more
    assert lint == (
        f"anchoring lint: {spans + 4} spans checked, {excused} excused by a reasoned exception, 0 findings"
    )
    assert knowledge.startswith("outside-knowledge check: ") and knowledge.endswith(", 0 findings")
    assert meaning.startswith("meaning checks: ") and meaning.endswith(", 0 findings")
    sentences, cited, explained = map(int, SPEECH.fullmatch(speech_before).groups())  # type: ignore[union-attr]
    # one sentence more with a speech verb ("said"), and it is cited
    speech = f"{sentences + 1} sentences with a speech verb: {cited + 1} cited, {explained} explained"
    assert ran[-1].splitlines()[-1] == f"{speech}, 0 unexplained"

    dataset = load_dataset(tmp_path / "fixtures", tmp_path / "seeds")
    citation = dataset.citations["lima-good-progress--caliber-example"]
    text = dataset.seed_texts["caliber-az-example-article"]
    assert text[citation.evidence.start : citation.evidence.end] == "We made good progress today,"
    seeds_before = len(list(SEEDS.glob("*.txt")))
    assert dataset.sources["caliber-az-example-article"].seed.startswith(f"{seeds_before:03d}_")
    assert dataset.sources["caliber-az-example-article"].outlet == "caliber-az"
    assert read_records(FIXTURES, "sources") != read_records(tmp_path / "fixtures", "sources")  # a copy


def test_the_counts_the_page_prints_are_what_validate_prints_for_the_data(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    shutil.copytree(SEEDS, tmp_path / "seeds")
    printed = DOC.read_text(encoding="utf-8").split(LINT_BLOCK, 1)[1].split("```", 1)[0]
    assert printed.splitlines() == _counts(tmp_path)[0]
    assert printed.splitlines()[0] == (
        "anchoring lint: 192 spans checked, 2 excused by a reasoned exception, 0 findings"
    )  # the curated data's count, as the page printed it before any article was added
