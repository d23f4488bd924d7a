"""Release diffs through `parley diff`: records added, removed and changed (which fields) between two
fixtures directories, a snapshot and a directory, or two git revisions; the previous dataset version
found in git history; the committed fixtures/changes.json, the CHANGELOG's data section and
/downloads/changes.json all being that diff."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from schema.publish.changes import CHANGES, listed_ids
from schema.publish.generate import refresh_datapackage
from tests.api_client import client, snapshot_path
from tests.datafiles import FIXTURES, REPO, SEEDS, copy_fixtures, edit_records, read_records

PARLEY = Path(sys.executable).parent / "parley"


def parley_diff(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PARLEY), "diff", *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def diffed(*args: str, cwd: Path = REPO) -> dict[str, Any]:
    result = parley_diff(*args, "--json", cwd=cwd)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_an_edit_is_listed_as_added_removed_and_changed(tmp_path: Path) -> None:
    old = copy_fixtures(tmp_path / "old")
    new = copy_fixtures(tmp_path / "new")
    people = edit_records(new, "people", lambda records: records[0].update(description="Edited."))
    claims = read_records(new, "claims")
    removed, kept = claims[-1], claims[0]

    def add_and_remove(records: list[dict[str, Any]]) -> None:
        records.pop()
        records.append({**kept, "id": "a-new-claim"})

    edit_records(new, "claims", add_and_remove)
    report = diffed(str(old), str(new))
    assert report["entities"]["people"] == {
        "added": [], "removed": [], "changed": [{"id": people[0]["id"], "fields": ["description"]}]
    }
    expected = {"added": ["a-new-claim"], "removed": [removed["id"]], "changed": []}
    assert report["entities"]["claims"] == expected
    assert report["totals"] == {"added": 1, "removed": 1, "changed": 1}
    others = [found for stem, found in report["entities"].items() if stem not in ("people", "claims")]
    assert all(not any(found.values()) for found in others)
    text = parley_diff(str(old), str(new)).stdout.splitlines()
    assert "claims: 1 added, 1 removed, 0 changed" in text
    listed = [line for line in text if line[:3] in ("  +", "  -")]
    assert listed == ["  + a-new-claim", f"  - {removed['id']}"]
    assert f"  ~ {people[0]['id']}: description" in text
    assert text[-1] == "total: 1 added, 1 removed, 1 changed"


def test_a_snapshot_holds_the_fixtures_it_was_built_from() -> None:
    report = diffed(str(snapshot_path()), str(FIXTURES))
    assert report["totals"] == {"added": 0, "removed": 0, "changed": 0}
    assert report["from"]["version"] == report["to"]["version"] is not None


def test_a_side_that_cannot_be_read_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = parley_diff("no-such-revision", "HEAD")
    assert result.returncode == 2
    expected = "parley diff: 'no-such-revision' is neither a file, a directory nor a git revision of .\n"
    assert result.stderr == expected
    (tmp_path / "junk.db").write_bytes(b"not sqlite at all" * 10)
    result = parley_diff(str(tmp_path / "junk.db"), "HEAD")
    assert result.returncode == 2
    assert result.stderr.startswith("parley diff: ") and "Traceback" not in result.stderr


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", "-C", str(repo), *args],
        capture_output=True, text=True, check=True, timeout=60,
    )
    return done.stdout.strip()


def _release(repo: Path, version: str) -> None:
    """Sets the dataset version the way a curator does: version.json, then the generated package."""
    (repo / "fixtures" / "curation" / "version.json").write_text(json.dumps({"version": version}) + "\n")
    package = json.loads((repo / "fixtures" / "datapackage.json").read_text(encoding="utf-8"))
    package["version"] = version
    (repo / "fixtures" / "datapackage.json").write_text(json.dumps(package, indent=2) + "\n")


def _released_repo(tmp_path: Path) -> tuple[Path, str]:
    """A git repository of a copy of the fixtures, released as 1.0.0 in its first commit; returns it
    and that commit."""
    repo = tmp_path / "repo"
    copy_fixtures(repo)
    _git(repo, "init", "-q")
    _release(repo, "1.0.0")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "1.0.0")
    released = _git(repo, "rev-parse", "HEAD")
    return repo, released


def test_the_previous_version_is_found_in_git_history(tmp_path: Path) -> None:
    repo, released = _released_repo(tmp_path)
    first = edit_records(repo / "fixtures", "outlets", lambda r: r[0].update(name="Renamed"))[0]["id"]
    _release(repo, "1.1.0")
    _git(repo, "commit", "-qam", "1.1.0")
    second = edit_records(repo / "fixtures", "sources", lambda r: r[0].update(notes="Noted."))[0]["id"]
    _git(repo, "commit", "-qam", "still 1.1.0")
    report = diffed(cwd=repo)  # no sides: the previous version from history -> the working tree
    assert report["from"] == {"version": "1.0.0", "source": f"git {released}"}
    assert report["to"] == {"version": "1.1.0", "source": "fixtures/"}
    assert list(listed_ids(report)) == [first, second]
    assert diffed("HEAD~1", "HEAD", cwd=repo)["totals"] == {"added": 0, "removed": 0, "changed": 1}
    shutil.rmtree(repo / ".git")
    result = parley_diff(cwd=repo)
    assert result.returncode == 2 and "not a git checkout" in result.stderr


def test_version_json_can_name_the_previous_release(tmp_path: Path) -> None:
    # Records edited before the version was raised: history's newest 1.0.0 commit is not 1.0.0 as
    # released, so version.json names the released commit, and a wrong name is one line, exit 2.
    repo, released = _released_repo(tmp_path)
    early = edit_records(repo / "fixtures", "outlets", lambda r: r[0].update(name="Renamed"))[0]["id"]
    assert refresh_datapackage(repo / "fixtures", SEEDS)  # its hashes move, as `make refresh` writes them
    _git(repo, "commit", "-qam", "edited, still declaring 1.0.0")
    _release(repo, "1.1.0")
    assert list(listed_ids(diffed(cwd=repo))) == []  # history alone takes the edited commit as 1.0.0
    version = repo / "fixtures" / "curation" / "version.json"
    version.write_text(json.dumps({"version": "1.1.0", "previous": {"version": "1.0.0", "commit": released}}))
    report = diffed(cwd=repo)
    assert report["from"] == {"version": "1.0.0", "source": f"git {released}"}
    assert list(listed_ids(report)) == [early]
    version.write_text(json.dumps({"version": "1.1.0", "previous": {"version": "0.9.0", "commit": released}}))
    result = parley_diff(cwd=repo)
    assert result.returncode == 2 and "declares version 1.0.0, not 0.9.0" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_the_committed_changes_are_the_diff_from_the_previous_version() -> None:
    """In this repository's history: `parley diff --json` (previous version -> working tree) is
    fixtures/changes.json byte for byte, and the CHANGELOG's data section names every record in it."""
    committed = (REPO / "fixtures" / CHANGES).read_bytes()
    result = parley_diff("--json")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.encode() == committed, "stale: run make refresh"
    report = json.loads(committed)
    assert report["from"]["version"] != report["to"]["version"]
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    start = changelog.index(f"<!-- data changes {report['to']['version']}:")
    section = changelog[start : changelog.index("<!-- end of data changes", start)]
    assert f"since {report['from']['version']}" in section
    for record in listed_ids(report):
        assert f"`{record}`" in section, record


def test_the_server_publishes_the_changes_in_its_data_package() -> None:
    served = client().get("/downloads/changes.json", headers={"accept-encoding": "identity"})
    assert served.status_code == 200
    assert served.content == (FIXTURES / CHANGES).read_bytes()
    package = client().get("/downloads/datapackage.json").json()
    assert [r["path"] for r in package["resources"] if r["name"] == "changes"] == [CHANGES]
