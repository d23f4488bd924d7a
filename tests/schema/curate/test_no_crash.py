"""Bad input to the curator's commands: `parley anchor`, `validate`, `coverage` and `add-source`, run as
a curator runs them (the CLI, in a subprocess) on a temporary copy of the fixtures and seeds, answer
a duplicate id, an unknown person or source, a missing file and malformed JSON with a message naming
the file, the record and the field, and a non-zero exit; never a traceback."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.datafiles import copy_inputs, edit_records, read_records
from tests.live_server import PARLEY

CHECKS = ("anchor", "validate", "coverage")
"""The commands that read the whole fixture set."""


def _parley(
    cwd: Path, command: str, fixtures: Path, seeds: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PARLEY), command, "--fixtures", str(fixtures), "--seeds", str(seeds), *args],
        cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
    )


def _tree(*folders: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()}


def _refused(result: subprocess.CompletedProcess[str], *named: str) -> None:
    """Exit 1, no traceback, and one line of stderr names everything in `named`."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if all(part in line for part in named)]
    assert len(lines) == 1, f"no single line names {named}:\n{result.stderr}"


def _unknown_person(fixtures: Path) -> tuple[str, ...]:
    claim = read_records(fixtures, "claims")[0]["id"]
    edit_records(fixtures, "claims", lambda records: records[0].update(speaker="nobody-at-all"))
    return "claims.json", repr(claim), "'speaker'", "nobody-at-all"


def _unknown_source(fixtures: Path) -> tuple[str, ...]:
    citation = read_records(fixtures, "citations")[0]["id"]
    edit_records(
        fixtures, "citations", lambda records: records[0]["evidence"].update(source="nowhere-at-all")
    )
    return "citations.json", repr(citation), "'evidence", "nowhere-at-all"


def _duplicate_id(fixtures: Path) -> tuple[str, ...]:
    claim = read_records(fixtures, "claims")[0]
    edit_records(fixtures, "claims", lambda records: records.append(dict(claim)))
    return "claims.json", repr(claim["id"]), "'id'", "duplicate id"


def _missing_file(fixtures: Path) -> tuple[str, ...]:
    (fixtures / "people.json").unlink()
    return ("people.json",)


def _malformed_json(fixtures: Path) -> tuple[str, ...]:
    path = fixtures / "claims.json"
    text = path.read_text(encoding="utf-8")
    first = json.loads(text)[0]["id"]
    cut = text.index('"summary"', text.index(first))  # a record's body cut off mid-way
    path.write_text(text[:cut] + "\n", encoding="utf-8")
    return ("claims.json",)


BREAKS: dict[str, Callable[[Path], tuple[str, ...]]] = {
    "unknown person": _unknown_person,
    "unknown source": _unknown_source,
    "duplicate id": _duplicate_id,
    "missing file": _missing_file,
    "malformed JSON": _malformed_json,
}


@pytest.mark.parametrize("command", CHECKS)
@pytest.mark.parametrize("broken", BREAKS)
def test_a_broken_fixture_set_gets_one_named_message_and_exit_1(
    tmp_path: Path, command: str, broken: str
) -> None:
    fixtures, seeds = copy_inputs(tmp_path)
    named = BREAKS[broken](fixtures)
    before = _tree(fixtures, seeds)
    result = _parley(tmp_path, command, fixtures, seeds)
    _refused(result, *named)
    if command == "anchor" and broken != "unknown person":
        assert _tree(fixtures, seeds) == before  # nothing written when a selector or file is wrong


def test_anchor_with_an_unknown_speaker_writes_the_selectors_and_names_what_stops_the_rest(
    tmp_path: Path,
) -> None:
    """The case that printed a KeyError traceback: every selector anchors, but claims.csv (and so
    datapackage.json) cannot name a speaker who is not in people.json."""
    fixtures, seeds = copy_inputs(tmp_path)
    named = _unknown_person(fixtures)
    result = _parley(tmp_path, "anchor", fixtures, seeds)
    _refused(result, "cannot refresh datapackage.json", *named)


ARTICLE = "A headline for a test\n\nSome words of a test article.\n"


def _article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


@pytest.mark.parametrize("broken", ["unknown person", "unknown source", "malformed JSON", "missing file"])
def test_add_source_adds_nothing_when_the_other_fixtures_cannot_be_regenerated(
    tmp_path: Path, broken: str
) -> None:
    fixtures, seeds = copy_inputs(tmp_path)
    named = BREAKS[broken](fixtures)
    before = _tree(fixtures, seeds)
    result = _parley(tmp_path, "add-source", fixtures, seeds, str(_article(tmp_path)))
    _refused(result, "nothing is added", *named)
    assert _tree(fixtures, seeds) == before


def _add_source_case(tmp_path: Path, fixtures: Path, case: str) -> tuple[list[str], tuple[str, ...]]:
    """(add-source's arguments, what its message names) for one kind of bad input."""
    source = read_records(fixtures, "sources")[0]["id"]
    if case == "duplicate id":
        return [str(_article(tmp_path)), "--id", source], ("sources.json", repr(source), "source id")
    if case == "unknown outlet":
        named = ("outlets.json", "'nowhere-news'", "--outlet")
        return [str(_article(tmp_path)), "--outlet", "nowhere-news"], named
    if case == "missing file":
        return [str(tmp_path / "no-such-article.txt")], ("no-such-article.txt", "cannot read")
    if case == "malformed sources.json":
        path = fixtures / "sources.json"
        path.write_text(path.read_text(encoding="utf-8")[:-40], encoding="utf-8")
        return [str(_article(tmp_path))], ("sources.json", "cannot read")
    assert case == "same text twice"
    seed = next(p for p in sorted((tmp_path / "seeds").glob("*.txt")))
    return [str(seed)], (seed.name, "already seed")


@pytest.mark.parametrize(
    "case", ["duplicate id", "unknown outlet", "missing file", "malformed sources.json", "same text twice"]
)
def test_add_source_refuses_bad_input_with_one_named_message(tmp_path: Path, case: str) -> None:
    fixtures, seeds = copy_inputs(tmp_path)
    args, named = _add_source_case(tmp_path, fixtures, case)
    before = _tree(fixtures, seeds)
    result = _parley(tmp_path, "add-source", fixtures, seeds, *args)
    _refused(result, *named)
    assert _tree(fixtures, seeds) == before


@pytest.mark.parametrize("command", CHECKS)
def test_a_fixtures_folder_that_does_not_exist_is_named(tmp_path: Path, command: str) -> None:
    _, seeds = copy_inputs(tmp_path)
    result = _parley(tmp_path, command, tmp_path / "no-such-folder", seeds)
    _refused(result, "no-such-folder", "does not exist")
