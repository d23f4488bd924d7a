"""`make refresh` (tools/refresh.py): nothing generated from the fixtures is stale, and when a part is,
`--check` names it and a refresh rewrites it to exactly what the data gives."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.datafiles import DATA, REPO, copy_data, edit_records, read_records
from tools.refresh import readme_answers

REFRESH = REPO / "tools" / "refresh.py"


def _refresh(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REFRESH), "--root", str(root), *args],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )


def test_nothing_generated_from_the_data_is_stale() -> None:
    result = _refresh(DATA, "--check")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_check_names_each_stale_part_and_refresh_rewrites_it(tmp_path: Path) -> None:
    root = copy_data(tmp_path / "data")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}

    def shift(records: list[dict[str, object]]) -> None:  # a selector's stored offsets off by one
        evidence = records[0]["evidence"]
        assert isinstance(evidence, dict)
        evidence["start"] += 1
        evidence["end"] += 1

    edit_records(root / "fixtures", "citations", shift)
    (root / "fixtures" / "claims.csv").write_bytes(b"stale\n")
    readme = (root / "README.md").read_text(encoding="utf-8")
    _, _, printed, (start, end) = readme_answers(readme)[0]
    answer = json.loads(printed)
    answer["data"]["stale"] = True
    readme = readme[:start] + json.dumps(answer) + "\n" + readme[end:]
    claims = len(read_records(root / "fixtures", "claims"))
    readme = readme.replace(f" {claims} claims with ", f" {claims + 1} claims with ", 1)
    (root / "README.md").write_text(readme, encoding="utf-8")
    curating = root / "docs" / "curating.md"
    curating.write_text(curating.read_text(encoding="utf-8").replace("anchoring lint: ", "anchoring lint: 1"))

    result = _refresh(root, "--check")
    assert result.returncode == 1
    assert "stale selectors: parley anchor --check says:" in result.stderr
    assert "citations.json: would change 1 selector" in result.stderr
    assert f"out of date: {root / 'fixtures' / 'claims.csv'}" in result.stderr
    assert f"stale documented answers: {root / 'README.md'}" in result.stderr
    assert f"stale documented answers: {curating}" in result.stderr
    assert result.stderr.endswith("run: make refresh\n")
    assert (root / "fixtures" / "claims.csv").read_bytes() == b"stale\n"  # --check changed nothing

    result = _refresh(root)
    assert result.returncode == 0, result.stderr
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before  # byte for byte
    assert _refresh(root, "--check").returncode == 0
