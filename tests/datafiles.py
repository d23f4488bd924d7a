"""Where the tests find things, stated once: the checkout (code) and the data they check.

`PARLEY_TEST_DATA` names another data root (a folder with fixtures/, seeds/, README.md, docs/ and
examples/): the growth test points it at a copy with an article added, and the mechanism tests run
against that copy. Unset, the data is the checkout's own. Also: tmp copies to corrupt, the CLI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA_ENV = "PARLEY_TEST_DATA"
DATA = Path(os.environ.get(DATA_ENV) or REPO).resolve()
FIXTURES = DATA / "fixtures"
SEEDS = DATA / "seeds"
README = DATA / "README.md"
DOCS = DATA / "docs"
SCHEMAS = DATA / "schema" / "json"  # the JSON Schemas datapackage.json links to (../schema/json/…)
EXAMPLES = REPO / "examples"  # the app registers the checkout's examples (persisted queries)


def copy_fixtures(tmp_path: Path) -> Path:
    """Copies the real fixtures (datapackage.json included) into tmp_path/fixtures and returns it."""
    target = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, target)
    return target


def copy_data(target: Path) -> Path:
    """Copies the data under test (fixtures, seeds, README.md, docs/*.md, and the JSON Schemas the
    data package links to) into target, a data root `make refresh ROOT=…` and PARLEY_TEST_DATA
    accept; returns target."""
    shutil.copytree(FIXTURES, target / "fixtures")
    shutil.copytree(SCHEMAS, target / "schema" / "json")
    shutil.copytree(SEEDS, target / "seeds")
    shutil.copy2(README, target / "README.md")
    (target / "docs").mkdir()
    for page in DOCS.glob("*.md"):
        shutil.copy2(page, target / "docs" / page.name)
    return target


def copy_inputs(tmp_path: Path) -> tuple[Path, Path]:
    """Copies the fixtures and seeds under test into tmp_path; returns (fixtures, seeds)."""
    fixtures, seeds = tmp_path / "fixtures", tmp_path / "seeds"
    shutil.copytree(FIXTURES, fixtures)
    shutil.copytree(SEEDS, seeds)
    return fixtures, seeds


def edit_summary(fixtures: Path, claim_id: str, summary: str) -> None:
    """Changes one claim's summary and regenerates datapackage.json, as a curator would."""
    from schema.curate.settings import dataset_version
    from schema.publish.datapackage import build_datapackage

    path = fixtures / "claims.json"
    claims = json.loads(path.read_bytes())
    next(c for c in claims if c["id"] == claim_id)["summary"] = summary
    path.write_text(json.dumps(claims, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    files = {p.name: p.read_bytes() for p in fixtures.glob("*.json") if p.name != "datapackage.json"}
    seeds = [p.name for p in (fixtures.parent / "seeds").glob("*.txt")]
    package = build_datapackage(files, seeds, version=dataset_version(fixtures))
    (fixtures / "datapackage.json").write_bytes(package)


def read_records(fixtures_dir: Path, stem: str) -> list[dict[str, Any]]:
    """Returns the parsed records of fixtures_dir/<stem>.json."""
    records: list[dict[str, Any]] = json.loads((fixtures_dir / f"{stem}.json").read_text(encoding="utf-8"))
    return records


def fixture_counts(fixtures_dir: Path = FIXTURES) -> dict[str, int]:
    """Records per fixture file (stem -> count), in the order the dataset lists its entities: what
    counts the tests expect, read from the files rather than written down."""
    from schema.model.dataset import FIXTURE_MODELS

    return {stem: len(read_records(fixtures_dir, stem)) for stem in FIXTURE_MODELS}


def edit_records(
    fixtures_dir: Path, stem: str, edit: Callable[[list[dict[str, Any]]], None]
) -> list[dict[str, Any]]:
    """Applies edit to the records of one fixture file in place, writes them back, returns them."""
    records = read_records(fixtures_dir, stem)
    edit(records)
    text = json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    (fixtures_dir / f"{stem}.json").write_text(text, encoding="utf-8")
    return records


def run_schema(*args: str) -> subprocess.CompletedProcess[str]:
    """Runs `python -m schema <args>` from the repository root and returns the finished process.

    The data under test (FIXTURES, SEEDS) comes first, so a `--fixtures` or `--seeds` in args wins.
    """
    command, *rest = args
    return subprocess.run(
        [sys.executable, "-m", "schema", command, "--fixtures", str(FIXTURES), "--seeds", str(SEEDS), *rest],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
