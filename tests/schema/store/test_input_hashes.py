"""Checking a snapshot against the files costs a `stat` per unchanged file, and still sees every edit.

`input_hashes` keeps each file's sha256 beside the snapshot under its stamp (size, mtime, ctime,
inode, device). These tests count the files actually read and hashed.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

import schema.store.snapshot
from api.http.app import create_app, open_snapshot
from schema.curate.settings import dataset_version
from schema.publish.datapackage import build_datapackage
from schema.store.snapshot import RACY_NS, hash_cache_for, input_files
from tests.api_client import make_client as _client
from tests.datafiles import FIXTURES, SEEDS


def _settled_copy(tmp_path: Path) -> tuple[Path, Path]:
    """Copies the data and waits until its files are older than the racy window."""
    fixtures, seeds = tmp_path / "fixtures", tmp_path / "seeds"
    shutil.copytree(FIXTURES, fixtures)
    shutil.copytree(SEEDS, seeds)
    time.sleep(RACY_NS / 1e9 + 0.2)
    return fixtures, seeds


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    read: list[str] = []
    real = schema.store.snapshot.sha256_file

    def counting(path: Any) -> str:
        read.append(os.path.basename(path))
        return real(path)

    monkeypatch.setattr(schema.store.snapshot, "sha256_file", counting)
    return read


def test_a_start_over_unchanged_files_reads_none_and_an_edit_keeping_size_and_mtime_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixtures, seeds = _settled_copy(tmp_path)
    path = tmp_path / "build" / "parley.db"
    _, reasons = open_snapshot(path, fixtures, seeds)
    assert reasons  # built
    assert hash_cache_for(path).is_file()
    read = _count_reads(monkeypatch)
    _, reasons = open_snapshot(path, fixtures, seeds)
    assert reasons == [] and read == []  # every file's stamp matched: none was read

    # Same length, mtime put back: only the ctime (which a write always moves) tells.
    claims_path = fixtures / "claims.json"
    stat = claims_path.stat()
    claims = json.loads(claims_path.read_bytes())
    claim = next(c for c in claims if c["id"] == "trump-china-not-easy")
    before = claim["summary"]
    claim["summary"] = before[:-1] + ("?" if before[-1] != "?" else "!")
    text = json.dumps(claims, ensure_ascii=False, indent=2) + "\n"
    claims_path.write_bytes(text.encode())
    assert claims_path.stat().st_size == stat.st_size
    files = {p.name: p.read_bytes() for p in fixtures.glob("*.json") if p.name != "datapackage.json"}
    seed_names = [p.name for p in seeds.glob("*.txt")]
    package = build_datapackage(files, seed_names, version=dataset_version(fixtures))
    (fixtures / "datapackage.json").write_bytes(package)
    os.utime(claims_path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert claims_path.stat().st_mtime_ns == stat.st_mtime_ns
    dataset, reasons = open_snapshot(path, fixtures, seeds)
    assert "fixtures/claims.json changed" in reasons
    assert "claims.json" in read
    assert dataset.claims["trump-china-not-easy"].summary == claim["summary"] != before
    body = _client(create_app(dataset)).post(
        "/graphql", json={"query": '{ claim(slug: "trump-china-not-easy") { summary } }'}
    )
    assert body.json()["data"]["claim"]["summary"] == claim["summary"]


def test_files_changed_just_before_a_check_are_read_again_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixtures, seeds = tmp_path / "fixtures", tmp_path / "seeds"
    shutil.copytree(FIXTURES, fixtures)
    shutil.copytree(SEEDS, seeds)
    path = tmp_path / "parley.db"
    open_snapshot(path, fixtures, seeds)  # the files are seconds old: their stamps are not trusted yet
    read = _count_reads(monkeypatch)
    _, reasons = open_snapshot(path, fixtures, seeds)
    assert reasons == []
    assert sorted(read) == sorted(os.path.basename(p) for p in input_files(fixtures, seeds).values())


@pytest.mark.parametrize(
    "cache",
    [
        b"",
        b"not json",
        b"[]",
        b'{"format": 1, "files": []}',
        b'{"format": 1, "files": {"fixtures/claims.json": "x"}}',
        b'{"format": 1, "files": {"fixtures/claims.json": [1, 2, 3, 4, 5, 6]}}',
        b'{"format": 99, "files": {}}',
    ],
)
def test_an_unreadable_hash_cache_only_means_hashing_again(tmp_path: Path, cache: bytes) -> None:
    path = tmp_path / "parley.db"
    open_snapshot(path, FIXTURES, SEEDS)
    hash_cache_for(path).write_bytes(cache)
    dataset, reasons = open_snapshot(path, FIXTURES, SEEDS)
    assert reasons == []
    assert len(dataset.claims) > 0
    assert schema.store.snapshot.input_hashes(FIXTURES, SEEDS, cache=hash_cache_for(path)) == (
        schema.store.snapshot.input_hashes(FIXTURES, SEEDS)
    )
