"""The snapshot is never served unless it is the file its build wrote, from the files on disk: a
snapshot edited or damaged after its build is rebuilt, a running server keeps serving the file it
checked whatever is built at its path later, and a full disk, a read-only directory or a killed
build end in one line, leaving nothing the next start does not remove. Real `parley build` and
`parley serve` processes over copies of the data in tmp_path; the expectations come from the files.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

import schema.store.snapshot
from api.http.app import open_snapshot
from api.synth.generator import generate, write
from schema.store.snapshot import OPEN_SUFFIX, RACY_NS, recorded_hash_for
from tests.datafiles import copy_inputs, edit_summary
from tests.live_server import free_port
from tests.serving import serving

PARLEY = Path(sys.executable).parent / "parley"
CLAIM = "trump-china-not-easy"
SUMMARY_QUERY = f'{{ claim(slug: "{CLAIM}") {{ summary }} }}'
SIDECARS = (".hashes", ".lock", ".sha256")


def _summary_in(fixtures: Path, claim_id: str = CLAIM) -> str:
    claims = json.loads((fixtures / "claims.json").read_bytes())
    return str(next(c for c in claims if c["id"] == claim_id)["summary"])


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _data_args(snapshot: Path, fixtures: Path, seeds: Path) -> list[str]:
    return ["--snapshot", str(snapshot), "--fixtures", str(fixtures), "--seeds", str(seeds)]


def _parley(*args: str, preexec: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PARLEY), *args], capture_output=True, text=True, timeout=300, preexec_fn=preexec
    )


def _left(folder: Path) -> list[str]:
    """What is in the folder besides the snapshots and their sidecars: temporary files, links."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def post(self, query: str) -> Any:
        response = httpx.post(f"{self.base}/graphql", json={"query": query}, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def get(self, path: str) -> httpx.Response:
        """GETs the bytes as they are (not gzipped: the ETag is then the sha256 of the body)."""
        return httpx.get(f"{self.base}{path}", headers={"Accept-Encoding": "identity"}, timeout=30)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8")


@contextlib.contextmanager
def _serving(log: Path, *args: str) -> Iterator[Server]:
    """Runs `parley serve` (tests.serving: stdout and stderr to `log`) until the block ends."""
    with serving(log, *args) as served:
        yield Server(served.base, served.process, log)


def _built(tmp_path: Path) -> tuple[Path, Path, Path]:
    fixtures, seeds = copy_inputs(tmp_path)
    snapshot = tmp_path / "build" / "parley.db"
    done = _parley("build", *_data_args(snapshot, fixtures, seeds))
    assert done.returncode == 0, done.stderr
    return snapshot, fixtures, seeds


def _edit_row(snapshot: Path) -> None:
    with contextlib.closing(sqlite3.connect(snapshot)) as conn, conn:
        conn.execute("UPDATE claims SET summary = ? WHERE id = ?", ("Edited in the snapshot.", CLAIM))
        conn.execute(
            "UPDATE claims_json SET body = json_set(body, '$.summary', ?)"
            " WHERE pos = (SELECT pos FROM claims WHERE id = ?)",
            ("Edited in the snapshot.", CLAIM),
        )


def _random_bytes(snapshot: Path) -> None:
    size = snapshot.stat().st_size
    with open(snapshot, "r+b") as handle:
        handle.seek(size // 2)
        handle.write(random.Random(21).randbytes(4096))


def _invalid_json(snapshot: Path) -> None:
    with contextlib.closing(sqlite3.connect(snapshot)) as conn, conn:
        row = "pos = (SELECT pos FROM claims WHERE id = ?)"
        conn.execute(f"UPDATE claims_json SET body = substr(body, 1, length(body) - 1) WHERE {row}", (CLAIM,))
        (body,) = conn.execute(f"SELECT body FROM claims_json WHERE {row}", (CLAIM,)).fetchone()
    with pytest.raises(ValueError):
        json.loads(body)


DAMAGE = {"edited row": _edit_row, "random bytes": _random_bytes, "invalid json": _invalid_json}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_snapshot_changed_after_its_build_is_rebuilt_before_it_is_served(
    tmp_path: Path, damage: str
) -> None:
    snapshot, fixtures, seeds = _built(tmp_path)
    original, recorded = snapshot.read_bytes(), _sha256(snapshot)
    DAMAGE[damage](snapshot)
    damaged = _sha256(snapshot)
    assert damaged != recorded
    with _serving(tmp_path / "serve.log", *_data_args(snapshot, fixtures, seeds)) as server:
        answer = server.post(SUMMARY_QUERY)
        assert answer == {"data": {"claim": {"summary": _summary_in(fixtures)}}}
        assert server.get("/").status_code == 200
        download = server.get("/downloads/parley.db")
        exported = server.get("/exports/claims.ndjson")
    reason = (
        f"{snapshot} changed or was damaged since its build (sha256 {damaged[:12]}…, built {recorded[:12]}…)"
    )
    lines = server.output().splitlines()
    # Bytes written at random may land where SQLite itself sees the damage before the sha256 does
    # (where depends on the data's size): either reason is the snapshot's damage, named.
    malformed = f"{snapshot}: not a parley snapshot (database disk image is malformed)"
    assert f"parley serve: built {snapshot} ({reason})" in lines or (
        damage == "random bytes" and f"parley serve: built {snapshot} ({malformed})" in lines
    )
    assert "Traceback" not in server.output()
    # The rebuilt file is the one its build wrote: the same bytes, served with their own sha256.
    assert download.content == original == snapshot.read_bytes()
    assert download.headers["etag"] == f'"{recorded}"' == f'"{hashlib.sha256(download.content).hexdigest()}"'
    claims = [json.loads(line) for line in exported.text.splitlines()]
    assert claims == json.loads((fixtures / "claims.json").read_bytes())


def _file_size_limit(limit: int) -> Callable[[], None]:
    """A full disk, honestly: writing past `limit` bytes into any file fails with EFBIG (SIGXFSZ,
    which would kill the process, is ignored), as writing to a full disk fails with ENOSPC."""

    def limited() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limited


def _cannot_write(prog: str, snapshot: Path) -> str:
    """The line a write that failed for lack of room ends with, as a regular expression."""
    said = r"(disk I/O error \(SQLITE_IOERR\w*|database or disk is full \(SQLITE_FULL)"
    free = rf"; [\d,.]+ MB free in {re.escape(str(snapshot.parent))}\)"
    return rf"{prog}: (refusing to start: )?cannot write {re.escape(str(snapshot))}: {said}{free}"


def test_a_full_disk_is_one_line_and_a_non_zero_exit_and_leaves_nothing_behind(tmp_path: Path) -> None:
    snapshot, fixtures, seeds = _built(tmp_path)
    size = snapshot.stat().st_size
    full = _file_size_limit(size // 4)
    other = tmp_path / "other" / "parley.db"
    refused = _parley("build", *_data_args(other, fixtures, seeds), preexec=full)
    assert refused.returncode == 1
    last = refused.stderr.splitlines()[-1]
    assert re.fullmatch(_cannot_write("parley build", other), last), refused.stderr
    assert "Traceback" not in refused.stderr
    assert not other.exists() and _left(other.parent) == []

    # A damaged snapshot that cannot be rebuilt is refused, naming the file, and not served.
    recorded = _sha256(snapshot)
    _edit_row(snapshot)
    damaged = _sha256(snapshot)
    port = str(free_port())
    refused = _parley("serve", "--port", port, *_data_args(snapshot, fixtures, seeds), preexec=full)
    assert refused.returncode == 1
    last = refused.stderr.splitlines()[-1]
    reason = (
        f"{snapshot} changed or was damaged since its build (sha256 {damaged[:12]}…, built {recorded[:12]}…)"
    )
    assert last.endswith(f"; it had to be rebuilt: {reason}"), refused.stderr
    assert re.fullmatch(
        _cannot_write("parley serve", snapshot), last.removesuffix(f"; it had to be rebuilt: {reason}")
    )
    assert "Traceback" not in refused.stderr
    assert _sha256(snapshot) == damaged and _left(snapshot.parent) == []


@contextlib.contextmanager
def _read_only(folder: Path) -> Iterator[str]:
    """Makes a directory read-only for this user: its mode for others, the immutable attribute for
    root (which the mode does not stop). Yields how the refusal is worded (the errno's text)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield os.strerror(13)  # EACCES
        finally:
            folder.chmod(0o755)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(folder)]).returncode != 0:
        pytest.skip("running as root where `chattr +i` cannot make a directory read-only")
    try:
        yield os.strerror(1)  # EPERM
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_a_read_only_directory_serves_a_sound_snapshot_and_refuses_a_damaged_one_in_one_line(
    tmp_path: Path,
) -> None:
    snapshot, fixtures, seeds = _built(tmp_path)
    recorded = _sha256(snapshot)
    with _read_only(snapshot.parent):
        with _serving(tmp_path / "serve.log", *_data_args(snapshot, fixtures, seeds)) as server:
            assert server.post(SUMMARY_QUERY) == {"data": {"claim": {"summary": _summary_in(fixtures)}}}
            download = server.get("/downloads/parley.db")
            assert download.headers["etag"] == f'"{recorded}"'
            assert hashlib.sha256(download.content).hexdigest() == recorded
        assert "Traceback" not in server.output()
    _edit_row(snapshot)  # written in place: the directory's entries do not change
    damaged = _sha256(snapshot)
    with _read_only(snapshot.parent) as denied:
        refused = _parley("serve", "--port", str(free_port()), *_data_args(snapshot, fixtures, seeds))
    reason = (
        f"{snapshot} changed or was damaged since its build (sha256 {damaged[:12]}…, built {recorded[:12]}…)"
    )
    expected = (
        f"parley serve: refusing to start: cannot write {snapshot}: {denied}; it had to be rebuilt: {reason}"
    )
    assert (refused.returncode, refused.stderr.splitlines()[-1]) == (1, expected), refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_running_server_keeps_serving_the_file_it_checked_when_another_process_rebuilds_it(
    tmp_path: Path,
) -> None:
    snapshot, fixtures, seeds = _built(tmp_path)
    old_bytes, old_sha = snapshot.read_bytes(), _sha256(snapshot)
    old_summary, old_claims = _summary_in(fixtures), (fixtures / "claims.json").read_bytes()
    exports = [
        "/exports/claims.ndjson",
        "/exports/claims.csv",
        "/exports/annotations.jsonld",
        "/fixtures/claims.json",
    ]
    with _serving(tmp_path / "serve.log", *_data_args(snapshot, fixtures, seeds)) as server:
        assert server.post(SUMMARY_QUERY)["data"]["claim"]["summary"] == old_summary
        edit_summary(fixtures, CLAIM, "A summary written after the server started.")
        rebuilt = _parley("build", *_data_args(snapshot, fixtures, seeds))
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert _sha256(snapshot) != old_sha  # another file is at the path now
        with ThreadPoolExecutor(8) as pool:  # requests at once: worker threads that open connections now
            answers = list(pool.map(server.get, [*exports, "/downloads/parley.db"] * 2))
        assert all(a.status_code == 200 for a in answers), [a.status_code for a in answers]
        assert server.post(SUMMARY_QUERY)["data"]["claim"]["summary"] == old_summary
        words = " ".join(old_summary.split()[-3:])
        search = server.post(
            f'{{ search(text: "{words}") {{ item {{ ... on Claim {{ slug summary }} }} }} }}'
        )
    by_path = {path: a for path, a in zip([*exports, "/downloads/parley.db"] * 2, answers, strict=True)}
    download = by_path["/downloads/parley.db"]
    assert download.content == old_bytes
    assert download.headers["etag"] == f'"{old_sha}"' == f'"{hashlib.sha256(download.content).hexdigest()}"'
    assert by_path["/fixtures/claims.json"].content == old_claims
    ndjson = [json.loads(line) for line in by_path["/exports/claims.ndjson"].text.splitlines()]
    assert ndjson == json.loads(old_claims)
    for path in exports:
        assert "A summary written after" not in by_path[path].text
    found = {hit["item"].get("slug"): hit["item"].get("summary") for hit in search["data"]["search"]}
    assert found[CLAIM] == old_summary
    assert "Traceback" not in server.output()
    # A server started now serves the new file.
    with _serving(tmp_path / "again.log", *_data_args(snapshot, fixtures, seeds)) as again:
        assert again.post(SUMMARY_QUERY)["data"]["claim"]["summary"] == _summary_in(fixtures) != old_summary
    assert _left(snapshot.parent) == []  # stopped servers remove their links


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """800 synthetic claims: a build long enough to be caught halfway (read only: tests build copies)."""
    out = tmp_path_factory.mktemp("synthetic")
    write(generate(800, seed=5), out)
    return out / "fixtures", out / "seeds"


def _temporary_files(folder: Path) -> list[Path]:
    """The build's temporary files with something written in them (not the hash cache's)."""
    found = []
    for path in folder.glob(".parley.db.*.tmp"):
        with contextlib.suppress(FileNotFoundError):  # a hash cache's, renamed meanwhile
            if re.fullmatch(r"\.parley\.db\.\w{8}\.tmp", path.name) and path.stat().st_size > 0:
                found.append(path)
    return sorted(found)


def _start_build(snapshot: Path, fixtures: Path, seeds: Path) -> subprocess.Popen[str]:
    command = [str(PARLEY), "build", *_data_args(snapshot, fixtures, seeds)]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )


def _mid_build(build: subprocess.Popen[str], folder: Path) -> list[Path]:
    """Waits until the build has written part of its temporary files; returns them."""
    deadline = time.monotonic() + 120
    while not (found := _temporary_files(folder)):
        assert build.poll() is None, "the build ended before it was caught halfway"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    return found


def test_a_killed_build_leaves_files_the_next_start_removes(
    tmp_path: Path, synthetic: tuple[Path, Path]
) -> None:
    fixtures, seeds = synthetic
    snapshot = tmp_path / "build" / "parley.db"
    build = _start_build(snapshot, fixtures, seeds)
    try:
        left = _mid_build(build, snapshot.parent)
    finally:
        os.killpg(build.pid, signal.SIGKILL)  # the build and its forked record process, if any
        build.communicate()
    assert all(p.exists() for p in left) and not snapshot.exists()
    with _serving(tmp_path / "serve.log", *_data_args(snapshot, fixtures, seeds)) as server:
        assert [p.name for p in snapshot.parent.glob(".parley.db.*.tmp")] == []
        links = [p.name for p in snapshot.parent.glob(f".parley.db.*{OPEN_SUFFIX}")]
        assert len(links) == 1  # the server's own name of the file it serves
        os.kill(server.process.pid, signal.SIGKILL)  # a killed server leaves its link
        server.process.wait()
    assert [p.name for p in snapshot.parent.glob(".parley.db.*")] == links
    done = _parley("build", *_data_args(snapshot, fixtures, seeds))  # the next build removes it
    assert done.returncode == 0, done.stderr
    assert _left(snapshot.parent) == []
    assert sorted(p.name for p in snapshot.parent.iterdir()) == sorted(
        ["parley.db", *(f"parley.db{suffix}" for suffix in SIDECARS)]
    )
    assert "Traceback" not in server.output() + done.stderr


def test_a_start_during_a_build_leaves_that_builds_files_alone(
    tmp_path: Path, synthetic: tuple[Path, Path]
) -> None:
    fixtures, seeds = synthetic
    snapshot = tmp_path / "build" / "parley.db"
    first = _parley("build", *_data_args(snapshot, fixtures, seeds))
    assert first.returncode == 0, first.stderr
    build = _start_build(snapshot, fixtures, seeds)  # the same inputs again, in another process
    try:
        writing = _mid_build(build, snapshot.parent)
        os.killpg(build.pid, signal.SIGSTOP)  # holds its lock and its half-written files meanwhile
        with _serving(tmp_path / "serve.log", *_data_args(snapshot, fixtures, seeds)) as server:
            assert all(p.exists() for p in writing)
            answer = server.post("{ meta { counts { entity count } } }")
        os.killpg(build.pid, signal.SIGCONT)
        output, _ = build.communicate(timeout=300)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(build.pid, signal.SIGKILL)
    assert build.returncode == 0, output  # its files were not removed under it
    counts = {c["entity"]: c["count"] for c in answer["data"]["meta"]["counts"]}
    assert counts["claims"] == len(json.loads((fixtures / "claims.json").read_bytes()))
    assert all(not p.exists() for p in writing)  # renamed into place or removed by the build itself
    assert " built " not in server.output()  # the current snapshot was served, not rebuilt
    assert "Traceback" not in server.output()
    assert recorded_hash_for(snapshot).read_text().splitlines()[0] == f"{_sha256(snapshot)}  parley.db"
    assert _left(snapshot.parent) == []


def test_a_start_reads_the_snapshot_only_when_its_stamp_moved_and_then_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot, fixtures, seeds = _built(tmp_path)
    hashed: list[int] = []
    real = schema.store.snapshot.sha256_fd

    def counting(fd: int) -> str:
        hashed.append(fd)
        return real(fd)

    monkeypatch.setattr(schema.store.snapshot, "sha256_fd", counting)
    dataset, reasons = open_snapshot(snapshot, fixtures, seeds)
    assert (reasons, len(hashed)) == ([], 0)  # the stamp the build recorded: nothing read
    assert dataset.store is not None and dataset.store.sha256 == _sha256(snapshot)
    settled = time.time_ns() - 2 * RACY_NS
    os.utime(snapshot, ns=(settled, settled))  # the same bytes, another stamp
    for _ in range(3):
        _, reasons = open_snapshot(snapshot, fixtures, seeds)
        assert reasons == []
    assert len(hashed) == 1  # read once, then its new stamp was recorded
    lines = recorded_hash_for(snapshot).read_text().splitlines()
    assert lines[0] == f"{_sha256(snapshot)}  parley.db"
    assert lines[1].split()[-3:-2] == [str(settled)]
