"""`build_snapshot` in one process and in two (a forked record process writes the record tables):
the same bytes, the loader's report on invalid input, and no snapshot when either part fails."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import schema.load.loader
import schema.store.snapshot
from api.http.app import SNAPSHOT_WRITERS, snapshot_code
from api.synth.generator import generate, write
from schema.load.loader import FixtureError
from schema.model.dataset import Dataset
from schema.store.snapshot import ExtraWriter, SnapshotError, build_snapshot, runs_with_inputs
from tests.datafiles import FIXTURES, SEEDS


@cache
def _synthetic() -> tuple[Path, Path]:
    """300 synthetic claims (every table gets rows), generated once per session."""
    out = Path("/tmp/parley-test-build-synth-300")
    if not (out / "fixtures" / "datapackage.json").is_file():
        write(generate(300, seed=11), out)
    return out / "fixtures", out / "seeds"


def _build(
    path: Path,
    data: tuple[Path, Path] = (FIXTURES, SEEDS),
    *,
    processes: int | None,
    extra: Sequence[ExtraWriter] = SNAPSHOT_WRITERS,
    progress: Any = None,
) -> None:
    build_snapshot(
        path, *data, code=snapshot_code(), extra=extra, progress=progress, processes=processes
    )


def _left(directory: Path) -> list[str]:
    """Files in the directory but the sidecars a build keeps (hash cache, lock, recorded sha256)."""
    return sorted(p.name for p in directory.iterdir() if not p.name.endswith((".hashes", ".lock", ".sha256")))


@pytest.mark.parametrize("data", ["curated", "synthetic"])
def test_one_and_two_processes_write_the_same_bytes(tmp_path: Path, data: str) -> None:
    inputs = (FIXTURES, SEEDS) if data == "curated" else _synthetic()
    one, two, again = tmp_path / "one.db", tmp_path / "two.db", tmp_path / "again.db"
    _build(one, inputs, processes=1)
    _build(two, inputs, processes=2)
    _build(again, inputs, processes=2)
    assert one.read_bytes() == two.read_bytes() == again.read_bytes()
    tables = {name for (name,) in sqlite3.connect(two).execute("SELECT name FROM sqlite_schema")}
    assert {"manifest", "claims", "lists", "seeds", "files", "passage_texts", "search_claims"} <= tables
    assert _left(tmp_path) == ["again.db", "one.db", "two.db"]  # no temporary part left behind


def test_a_two_process_build_reports_its_steps_to_the_end() -> None:
    steps: list[str] = []

    def progress(step: str, done: int, total: int) -> None:
        if not steps or steps[-1] != step:
            steps.append(step)

    target = Path("/tmp/parley-test-build-progress.db")
    try:
        _build(target, _synthetic(), processes=2, progress=progress)
    finally:
        target.unlink(missing_ok=True)
    assert steps[0] == "loading and verifying"
    assert steps[1:5] == ["seeds", "lists", "api indexes", "passage texts"]  # this process's part, meanwhile
    assert steps[-3:] == ["search tables", "merging", "done"]  # the record process's last step, forwarded


def _broken(dataset: Dataset, conn: sqlite3.Connection, progress: Any) -> None:
    raise RuntimeError("the disk is on fire")


def test_a_failing_record_part_is_a_clear_error_and_leaves_the_old_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "parley.db"
    _build(path, processes=1)
    before = path.read_bytes()
    with pytest.raises(SnapshotError) as failed:
        _build(path, processes=2, extra=[*SNAPSHOT_WRITERS, _broken])
    assert str(failed.value) == "not written: the record tables failed (RuntimeError: the disk is on fire)"
    assert path.read_bytes() == before  # not replaced, not touched
    assert _left(tmp_path) == ["parley.db"]


def test_a_killed_record_process_is_a_clear_error_and_leaves_no_snapshot(tmp_path: Path) -> None:
    main = os.getpid()

    def killed(dataset: Dataset, conn: sqlite3.Connection, progress: Any) -> None:
        assert os.getpid() != main, "the record writers ran in the main process"
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(SnapshotError) as failed:
        _build(tmp_path / "parley.db", processes=2, extra=[*SNAPSHOT_WRITERS, killed])
    message = "not written: the record process was killed by signal 9 (SIGKILL) before writing its part"
    assert str(failed.value) == message
    assert _left(tmp_path) == []


def test_a_writer_reading_seed_texts_unmarked_fails_saying_how_to_mark_it(tmp_path: Path) -> None:
    def seeds_too(dataset: Dataset, conn: sqlite3.Connection, progress: Any) -> None:
        conn.execute("CREATE TABLE seed_sizes (source TEXT, size INTEGER)")
        sizes = [(source, len(text)) for source, text in dataset.seed_texts.items()]
        conn.executemany("INSERT INTO seed_sizes VALUES (?, ?)", sizes)

    with pytest.raises(SnapshotError, match=r"LookupError: .*must be marked @runs_with_inputs"):
        _build(tmp_path / "a.db", processes=2, extra=[*SNAPSHOT_WRITERS, seeds_too])
    assert _left(tmp_path) == []
    marked = runs_with_inputs(seeds_too)  # now it runs in the main process, beside the seeds
    try:
        _build(tmp_path / "a.db", processes=2, extra=[*SNAPSHOT_WRITERS, marked])
        _build(tmp_path / "b.db", processes=1, extra=[*SNAPSHOT_WRITERS, marked])
    finally:
        schema.store.snapshot.INPUT_WRITERS.discard(marked)
    assert (tmp_path / "a.db").read_bytes() == (tmp_path / "b.db").read_bytes()
    rows = sqlite3.connect(tmp_path / "a.db").execute("SELECT COUNT(*) FROM seed_sizes").fetchone()
    assert rows == (len(list(SEEDS.glob("*.txt"))),)


def _broken_copy(tmp_path: Path) -> tuple[Path, Path]:
    """The curated data with a repeated key, a claim of an unknown speaker and a shifted offset."""
    fixtures, seeds = tmp_path / "fixtures", tmp_path / "seeds"
    shutil.copytree(FIXTURES, fixtures)
    shutil.copytree(SEEDS, seeds)
    claims = json.loads((fixtures / "claims.json").read_bytes())
    claims[0]["speaker"] = "nobody-at-all"
    claims[1]["said_on"]["evidence"][0]["start"] += 1
    text = json.dumps(claims, ensure_ascii=False, indent=2)
    (fixtures / "claims.json").write_text(text + "\n", encoding="utf-8")
    people = (fixtures / "people.json").read_text(encoding="utf-8")
    (fixtures / "people.json").write_text(people.replace('"id": ', '"id": "x", "id": ', 1), encoding="utf-8")
    return fixtures, seeds


def test_invalid_fixtures_are_refused_with_the_loader_report_either_way(tmp_path: Path) -> None:
    data = _broken_copy(tmp_path)
    reports = []
    for processes in (1, 2):
        with pytest.raises(FixtureError) as refused:
            _build(tmp_path / "out" / "parley.db", data, processes=processes)
        reports.append(str(refused.value))
    with pytest.raises(FixtureError) as loaded:
        schema.load.loader.load_dataset(*data)
    assert reports == [str(loaded.value)] * 2
    for needle in ("repeats the key 'id'", "nobody-at-all", "claims.json"):
        assert needle in reports[0]
    assert _left(tmp_path / "out") == []


@pytest.mark.parametrize("processes", [1, 2])
def test_a_fixture_changed_after_it_was_read_is_not_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, processes: int
) -> None:
    fixtures, seeds = tmp_path / "fixtures", tmp_path / "seeds"
    shutil.copytree(FIXTURES, fixtures)
    shutil.copytree(SEEDS, seeds)
    read = schema.load.loader.read_fixture_files

    def read_then_edited(directory: Path) -> Any:
        files = read(directory)
        people = fixtures / "people.json"
        people.write_bytes(people.read_bytes() + b"\n")  # after it was read, before it is hashed
        return files

    monkeypatch.setattr(schema.load.loader, "read_fixture_files", read_then_edited)
    with pytest.raises(SnapshotError, match="changed while the snapshot was being built"):
        _build(tmp_path / "out" / "parley.db", (fixtures, seeds), processes=processes)
    assert _left(tmp_path / "out") == []


def test_large_fixtures_take_two_processes_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = [*SNAPSHOT_WRITERS, _broken]
    with pytest.raises(RuntimeError, match="the disk is on fire"):  # one process: the writer's own error
        _build(tmp_path / "a.db", processes=None, extra=extra)
    monkeypatch.setattr(schema.store.snapshot, "TWO_PROCESSES_FROM", 1)
    monkeypatch.setattr(schema.store.snapshot.threading, "active_count", lambda: 1)
    with pytest.raises(SnapshotError, match="the record tables failed"):
        _build(tmp_path / "a.db", processes=None, extra=extra)
    assert _left(tmp_path) == []
    monkeypatch.setattr(schema.store.snapshot.threading, "active_count", lambda: 2)  # no fork beside a thread
    with pytest.raises(RuntimeError, match="the disk is on fire"):
        _build(tmp_path / "a.db", processes=None, extra=extra)
