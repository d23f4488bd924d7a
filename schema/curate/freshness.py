"""Whether the generated files are fresh: the JSON Schemas, fixtures/datapackage.json and
fixtures/claims.csv, compared byte for byte with what `make refresh` (through `python -m schema
generate`) would write now. `parley validate` refuses stale ones with one line per file naming the
file and the command, so an edit never leaves them stale silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from schema.curate.settings import SettingsError
from schema.load.problems import Problem
from schema.publish.datapackage import DATAPACKAGE
from schema.publish.generate import expected_artefacts, out_of_date
from schema.publish.tabular import TableError

REFRESH = "make refresh"
"""The command that rewrites every generated file (tools/refresh.py)."""


def stale_line(path: Path | str) -> str:
    """The one line that says a generated file is stale and what rewrites it."""
    return f"{path}: out of date with the fixtures (run: {REFRESH})"


def stale_generated(fixtures_dir: Path, seeds_dir: Path) -> list[str]:
    """Returns one line per generated file that is missing, differs from what would be generated
    now, or is obsolete; a line saying why when they cannot be generated at all."""
    try:
        artefacts = expected_artefacts(fixtures_dir, seeds_dir)
    except (OSError, SettingsError, TableError) as error:
        return [f"cannot check the generated files: {error}"]
    return [stale_line(path) for path in out_of_date(artefacts)]


def fold_generated(problems: Sequence[Problem], fixtures_dir: Path) -> list[str]:
    """The loader's problems one per line, except that every problem about the generated
    datapackage.json (stale hashes and sizes, a missing or unparsable file) becomes one line naming
    the file and `make refresh`."""
    package = str(fixtures_dir / DATAPACKAGE)
    lines = [str(problem) for problem in problems if problem.file != package]
    if len(lines) < len(problems):
        lines.append(stale_line(package))
    return lines
