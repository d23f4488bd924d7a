"""`parley propose` against the curated citations of the five seeds: the recall table it prints
(`parley propose --score`), pinned. These are curated-answer figures: a change to the drafting
rules or to the curated citations moves them, and this test says by how much.

The rules were written while reading these five seeds, so the figures are in-sample: they say
what the rules find here, not what they would find in an article nobody has read yet. Known
people come from the curated people.json (unnamed speakers are matched by their curated aliases).
"""

from __future__ import annotations

from pathlib import Path

from tests.datafiles import copy_inputs
from tests.walkthrough import parley

# source: curated, paired, span=, span, speaker, mode, all 3, drafts, false
PINNED = {
    "cnews-live-second-day": (3, 3, 3, 3, 3, 3, 3, 3, 0),
    "asean-now-fragile-progress": (9, 9, 9, 9, 9, 9, 9, 9, 0),
    # missed: "the US expects China to increase its exports" (a country's position, cue "expects")
    "unattributed-talks-underway": (9, 8, 8, 8, 8, 8, 8, 8, 0),
    # missed: "framed as positive" by "both leaders" (twice), "both countries accusing" (twice), and
    # "The US sent a letter" (no speech verb); "promised …" and "deeming …" curated with their verb
    "caliber-az-talks-conclude": (12, 8, 5, 5, 8, 8, 5, 8, 0),
    "econotimes-talks-resume": (5, 5, 5, 5, 5, 5, 5, 5, 0),
    "total": (38, 33, 30, 30, 33, 33, 30, 33, 0),
}


def test_the_recall_table_over_the_five_seeds(tmp_path: Path) -> None:
    copy_inputs(tmp_path)
    result = parley("parley propose --score", tmp_path)
    assert result.returncode == 0, result.stderr
    header, *rows, _legend = result.stdout.splitlines()
    columns = ("source", "curated", "paired", "span=", "span", "speaker", "mode", "all", "3")
    columns += ("drafts", "false")
    assert tuple(header.split()) == columns  # the order PINNED's tuples follow
    table = {row.split()[0]: tuple(int(cell) for cell in row.split()[1:]) for row in rows}
    assert table == PINNED
