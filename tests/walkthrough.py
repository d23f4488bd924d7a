"""docs/curating.md's walk-through, run: each `<!-- walkthrough: ... -->` marker is followed by a fenced
block that is an article to save, records to append (one object, or an array of them) or fields to
set, `parley` commands to run (from the data's root, each expected to succeed), or the `output` the
command before it prints, exactly. Change the page and the runs follow."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from schema.curate.anchor import dump_fixture

PARLEY = Path(sys.executable).parent / "parley"
STEP = re.compile(r"<!-- walkthrough: (?P<what>[^>]*?) -->\n```[a-z]*\n(?P<body>.*?)\n```", re.S)


def steps(doc: Path) -> list[tuple[list[str], str]]:
    """(the marker's words, the block) for each step of the page, in order."""
    return [(m["what"].split(), m["body"]) for m in STEP.finditer(doc.read_text(encoding="utf-8"))]


def parley(line: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Runs one `parley …` line of the page in cwd."""
    args = shlex.split(line)
    assert args[0] == "parley", line
    return subprocess.run(
        [str(PARLEY), *args[1:]], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def appended(body: str) -> list[dict[str, Any]]:
    """The records an `append` block adds: its object, or each object of its array."""
    added = json.loads(body)
    return added if isinstance(added, list) else [added]


def appended_counts(doc: Path) -> dict[str, int]:
    """Fixture stem -> how many records the page's `append` steps add to it."""
    counts: dict[str, int] = {}
    for what, body in steps(doc):
        if what[0] == "append":
            stem = what[1].removesuffix(".json")
            counts[stem] = counts.get(stem, 0) + len(appended(body))
    return counts


def _write(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text(dump_fixture(records), encoding="utf-8")


def run(doc: Path, root: Path) -> list[str]:
    """Follows the page's steps on the data under root (root/fixtures, root/seeds); returns the
    stdout of each command it ran. Fails at the first command that does not succeed."""
    ran: list[str] = []
    for what, body in steps(doc):
        if what[0] == "article":
            (root / what[1]).write_text(body + "\n", encoding="utf-8")
        elif what[0] == "output":
            assert ran and ran[-1] == body + "\n", f"the page shows:\n{body}\nthe command printed:\n{ran[-1]}"
        elif what[0] == "append":
            path = root / "fixtures" / what[1]
            _write(path, [*json.loads(path.read_text(encoding="utf-8")), *appended(body)])
        elif what[0] == "update":
            path = root / "fixtures" / what[1]
            records = json.loads(path.read_text(encoding="utf-8"))
            next(r for r in records if r["id"] == what[2]).update(json.loads(body))
            _write(path, records)
        else:
            for line in body.splitlines():
                result = parley(line, root)
                assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
                ran.append(result.stdout)
    return ran
