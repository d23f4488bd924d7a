"""Generated files never go stale silently: after a curator's edit, `parley validate` refuses the stale
generated files, one line each naming the file and `make refresh`; `make refresh` rewrites them and
validate passes again. Run on a temporary copy of the data, as a curator runs the commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from schema.curate.freshness import REFRESH, stale_line
from schema.publish.generate import expected_artefacts
from tests.datafiles import REPO, copy_data, edit_records
from tests.live_server import PARLEY


def _validate(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PARLEY), "validate", "--fixtures", str(root / "fixtures"), "--seeds", str(root / "seeds")],
        cwd=root, capture_output=True, text=True, timeout=120, check=False,
    )


def _make_refresh(root: Path) -> subprocess.CompletedProcess[str]:
    """What `make refresh ROOT=<root>` runs (without make's install step)."""
    return subprocess.run(
        [sys.executable, str(REPO / "tools" / "refresh.py"), "--root", str(root)],
        cwd=REPO, capture_output=True, text=True, timeout=600, check=False,
    )


def _generated_in(root: Path) -> list[str]:
    """The generated files under the copy's fixtures/, by name (from the generator, not written here)."""
    fixtures = root / "fixtures"
    expected = expected_artefacts(fixtures, root / "seeds").expected
    return sorted(path.name for path in expected if path.parent == fixtures)


def test_an_edit_makes_validate_refuse_the_stale_files_until_make_refresh(tmp_path: Path) -> None:
    root = copy_data(tmp_path / "data")
    assert _validate(root).returncode == 0
    generated = _generated_in(root)
    assert {"datapackage.json", "claims.csv"} <= set(generated)
    # A curator's edit that changes a claims.csv row: its summary.
    edit_records(root / "fixtures", "claims", lambda records: records[0].update(summary="An edited summary."))
    result = _validate(root)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.splitlines()[1:] == [stale_line(root / "fixtures" / "datapackage.json")]
    assert f"(run: {REFRESH})" in result.stderr

    refreshed = _make_refresh(root)
    assert refreshed.returncode == 0, refreshed.stdout + refreshed.stderr
    result = _validate(root)
    assert result.returncode == 0, result.stderr
    assert "out of date" not in result.stderr


def test_validate_names_a_stale_claims_csv_that_the_loader_does_not_read(tmp_path: Path) -> None:
    root = copy_data(tmp_path / "data")
    table = root / "fixtures" / "claims.csv"
    table.write_bytes(table.read_bytes().replace(b"\r\n", b"\n"))  # what a careless editor might do
    result = _validate(root)
    assert result.returncode == 1
    assert [line for line in result.stderr.splitlines() if "out of date" in line] == [stale_line(table)]
    assert _make_refresh(root).returncode == 0
    assert _validate(root).returncode == 0
