"""The data can grow: on a copy with docs/curating.md's walk-through article added (its seed, the
SHA256SUMS line and its records, exactly as the page says) and `make refresh` run, the whole suite
but the checks of curated answers (tests/curated) passes.

The suite runs in a subprocess with PARLEY_TEST_DATA naming the copy (tests/datafiles.py), so every
test reads the grown fixtures, seeds, README and docs. The `install` tests (fresh venvs built from the
checkout's files) are left out: they package the checkout, not the data under test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from schema.load.loader import load_dataset
from tests import walkthrough
from tests.datafiles import DATA_ENV, DOCS, FIXTURES, REPO, SEEDS, copy_data

TESTS = REPO / "tests"


def _grown(tmp_path: Path) -> Path:
    """A copy of the data with the walk-through's article added and everything generated refreshed."""
    root = copy_data(tmp_path / "data")
    walkthrough.run(DOCS / "curating.md", root)
    (root / "article.txt").unlink()  # the curator's input file, not part of the data
    refresh = subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), "refresh", f"ROOT={root}"],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert refresh.returncode == 0, refresh.stdout + refresh.stderr
    check = subprocess.run(
        [sys.executable, str(REPO / "tools" / "refresh.py"), "--check", "--root", str(root)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert (check.returncode, check.stderr) == (0, ""), check.stderr
    return root


def test_the_suite_passes_on_the_data_with_the_walk_through_article_added(tmp_path: Path) -> None:
    root = _grown(tmp_path)
    before = load_dataset(FIXTURES, SEEDS).counts()
    after = load_dataset(root / "fixtures", root / "seeds").counts()
    grown = {stem: after[stem] - before[stem] for stem in before}
    appended = walkthrough.appended_counts(DOCS / "curating.md")
    added_source = {"sources": appended.get("sources", 0) + 1}  # add-source writes the source record
    assert grown == {**dict.fromkeys(before, 0), **appended, **added_source}
    readme = " ".join((root / "README.md").read_text(encoding="utf-8").split())
    assert f"{after['claims']} claims with {after['citations']} citations" in readme  # refreshed

    env = {**os.environ, DATA_ENV: str(root)}
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", str(TESTS), "-q", "-p", "no:cacheprovider",
            "-m", "not install", f"--basetemp={tmp_path / 'pytest'}",
            f"--ignore={TESTS / 'curated'}", f"--ignore={TESTS / 'growth'}",
        ],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=1800, check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
