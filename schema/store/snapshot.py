"""The verified snapshot: a loaded Dataset written once into one SQLite file that servers open read-only.

The file holds the readable tables `schema.store.layout` derives from the catalogue (a table per
stem with typed columns, child tables, full-text tables: docs/database.md), each record's JSON
(`<stem>_json`, what the engine decodes), the `*_by_*` indexes (SQL indexes on a table's column,
or `lists` rows for those derived through other tables), `manifest` (format, code hash, every
input's sha256, counts), `seeds`, `files` (the fixture bytes) and the tables the API adds through
`extra` writers. Beside it: `<name>.sha256` (`check_snapshot`), `<name>.hashes` (`input_hashes`)
and `<name>.lock` (`build_lock`).

The same inputs give the same file, byte for byte: rows go in in file order, nothing records a time,
and the file is written in the same two parts whether one process builds it or two (`build_snapshot`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import signal
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from schema.model.catalogue import BY_COLUMN as BY_COLUMN  # per entity, from the catalogue
from schema.model.dataset import DERIVED as DERIVED
from schema.model.dataset import FIXTURE_MODELS, Dataset, gc_paused
from schema.model.dataset import LISTS as LISTS
from schema.model.models import Verified
from schema.store.layout import (
    EVIDENCE,
    NOTES,
    SEEDS,
    TABLES,
    child_ddl,
    create_table,
    entity_columns,
    entity_ddl,
    evidence_rows,
    fts_ddl,
    note_rows,
)

FORMAT = "3"

class SnapshotError(Exception):
    """The snapshot is missing, unreadable or not of this format, or could not be built."""


Progress = Callable[[str, int, int], None]
"""progress(step, done, total): called as a build goes (total 0: a step without a count)."""

ExtraWriter = Callable[[Dataset, sqlite3.Connection, Progress], None]
"""Writes more tables (the API's derived indexes) into the snapshot being built."""

TOPICS = "claims_by_topic"
"""The `lists` rows of topic slug -> the positions of the claims naming it (root `topic` filters)."""


def sha256_file(path: str | Path) -> str:
    """Returns the hex sha256 of a file's bytes, read in 1 MiB blocks (hashing releases the GIL)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def input_files(fixtures_dir: Path, seeds_dir: Path) -> dict[str, str]:
    """Returns manifest name -> path of every file the loader reads: fixtures/*.json and seeds/*."""
    return {name: entry.path for name, entry in _input_entries(fixtures_dir, seeds_dir)}


def _input_entries(fixtures_dir: Path, seeds_dir: Path) -> list[tuple[str, os.DirEntry[str]]]:
    fixtures = [(f"fixtures/{e.name}", e) for e in _files_in(fixtures_dir) if e.name.endswith(".json")]
    return sorted(fixtures) + sorted((f"seeds/{e.name}", e) for e in _files_in(seeds_dir))


def _files_in(directory: Path) -> list[os.DirEntry[str]]:
    """The regular files in a directory (none if it is missing), as scandir gives them."""
    try:
        with os.scandir(directory) as entries:
            return [e for e in entries if e.is_file()]
    except (FileNotFoundError, NotADirectoryError):
        return []


HASH_CACHE_FORMAT = 1
RACY_NS = 2_000_000_000
"""A file changed less than this before it was hashed is not remembered (see `input_hashes`)."""
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _stamp(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


def _read_hash_cache(path: Path) -> dict[str, Any]:
    """name -> [size, mtime_ns, ctime_ns, inode, device, sha256]; entries are checked where used."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}  # a missing or unreadable cache only means hashing everything
    files = data.get("files") if isinstance(data, dict) and data.get("format") == HASH_CACHE_FORMAT else None
    return files if isinstance(files, dict) else {}


def _write_hash_cache(path: Path, entries: Mapping[str, list[Any]]) -> None:
    text = json.dumps({"format": HASH_CACHE_FORMAT, "files": dict(sorted(entries.items()))})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _replace_with(path, text)
    except OSError:
        return  # nowhere to keep it: the next check hashes those files again


def _replace_with(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Writes `text` as the file at `path` atomically: a temporary file beside it, renamed into place."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding=encoding) as out:
            out.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)  # gone already once renamed into place


def input_hashes(fixtures_dir: Path, seeds_dir: Path, *, cache: Path | None = None) -> dict[str, str]:
    """Returns manifest name -> sha256 of every input file (see `input_files`).

    With `cache` (a JSON file), a file whose size, mtime, ctime, inode and device are those it had
    when hashed keeps that hash (writing a file always moves its ctime); any other is read and the
    cache rewritten. A file changed within RACY_NS of being hashed is not remembered: a second write
    in the same clock tick could leave its stamp unchanged (git's "racy clean" rule).
    """
    known = _read_hash_cache(cache) if cache is not None else {}
    started = time.time_ns()
    hashes: dict[str, str] = {}
    remember: dict[str, list[Any]] = {}
    for name, entry in _input_entries(fixtures_dir, seeds_dir):
        stamp = _stamp(entry.stat())  # one fstatat: DirEntry knows its directory
        cached = known.get(name)
        if (
            isinstance(cached, list)
            and len(cached) == 6
            and cached[:5] == stamp
            and isinstance(cached[5], str)
            and _SHA256.fullmatch(cached[5])
        ):
            hashes[name] = cached[5]
            remember[name] = cached
            continue
        hashes[name] = sha256_file(entry.path)
        if _stamp(os.stat(entry.path)) == stamp and max(stamp[1], stamp[2]) < started - RACY_NS:
            remember[name] = [*stamp, hashes[name]]
    if cache is not None and remember != known:
        _write_hash_cache(cache, remember)
    return hashes


def hash_cache_for(snapshot: Path) -> Path:
    """Where the input-hash cache of a snapshot lives: beside it (`parley.db` -> `parley.db.hashes`)."""
    return snapshot.with_name(snapshot.name + ".hashes")


def recorded_hash_for(snapshot: Path) -> Path:
    """Where a build records the sha256 of the snapshot it wrote: beside it, in `sha256sum`'s format
    (`parley.db` -> `parley.db.sha256`; `sha256sum -c parley.db.sha256` checks it by hand), with the
    file's stamp when it was hashed on a comment line (`snapshot_stamp`)."""
    return snapshot.with_name(snapshot.name + ".sha256")


def snapshot_stamp(st: os.stat_result) -> list[int]:
    """A snapshot's stamp: size, mtime, inode, device. Not its ctime, which moves whenever a server
    links the file (reader.Store) or a build renames it; a build sets the mtime RACY_NS into the
    past (`_Snapshot.finish`), so any later write moves it. (Whoever could put an mtime back could
    rewrite the record too: the stamp guards against accidents, as the record does.)"""
    return [st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev]


def sha256_fd(fd: int) -> str:
    """Returns the hex sha256 of an open file's bytes (positional reads: its offset is not moved)."""
    digest = hashlib.sha256()
    offset = 0
    while block := os.pread(fd, 1 << 20, offset):
        digest.update(block)
        offset += len(block)
    return digest.hexdigest()


_STAMP_LINE = "# parley stamp (size, mtime_ns, inode, device): "


def _read_record(snapshot: Path) -> tuple[str, list[int] | None] | None:
    """The recorded sha256 and stamp (None: no record for this name; a stamp of None: none kept)."""
    try:
        lines = recorded_hash_for(snapshot).read_text(encoding="ascii").splitlines()
    except (OSError, ValueError):
        return None
    found = [line.partition("  ") for line in lines if not line.startswith("#")]
    if len(found) != 1 or not _SHA256.fullmatch(found[0][0]) or found[0][2] != snapshot.name:
        return None
    stamps = [line.removeprefix(_STAMP_LINE).split() for line in lines if line.startswith(_STAMP_LINE)]
    stamp = [int(n) for n in stamps[0]] if stamps and all(n.isdigit() for n in stamps[0]) else None
    return found[0][0], stamp


def _write_record(snapshot: Path, digest: str, stamp: list[int]) -> None:
    """Writes the record (`recorded_hash_for`) atomically."""
    text = f"{digest}  {snapshot.name}\n{_STAMP_LINE}{' '.join(map(str, stamp))}\n"
    _replace_with(recorded_hash_for(snapshot), text, encoding="ascii")


def check_snapshot(snapshot: Path, fd: int) -> tuple[str | None, str]:
    """Checks that the snapshot open as `fd` is the file its build wrote: returns (None, its sha256),
    or (how it differs, ""). The file is read and hashed only when its stamp is not the recorded
    one; when it then matches, the new stamp is recorded (unless the file changed within RACY_NS
    of being hashed, or the record changed meanwhile), so a `touch` costs one read, once."""
    record = _read_record(snapshot)
    if record is None:
        return f"{snapshot}: no sha256 recorded by its build ({recorded_hash_for(snapshot).name})", ""
    recorded, kept = record
    stamp = snapshot_stamp(os.fstat(fd))
    if kept == stamp:
        return None, recorded
    started = time.time_ns()
    digest = sha256_fd(fd)
    if digest != recorded:
        said = f"sha256 {digest[:12]}…, built {recorded[:12]}…"
        return f"{snapshot} changed or was damaged since its build ({said})", ""
    settled = snapshot_stamp(os.fstat(fd)) == stamp and stamp[1] < started - RACY_NS
    if settled and _read_record(snapshot) == record:
        with contextlib.suppress(OSError):  # not kept: the next start reads it again
            _write_record(snapshot, digest, stamp)
    return None, digest


OPEN_SUFFIX = ".open"
"""Ends the private name a server reads the snapshot by (`.parley.db.<random>.open`: reader.Store)."""
_LEFTOVER = re.compile(r"(?:hashes\.|sha256\.)?[a-z0-9_]{8}\.tmp|[0-9a-f]{8}\.open")
_HELD = threading.local()


@contextlib.contextmanager
def build_lock(path: Path, *, wait: bool = True) -> Iterator[bool]:
    """Holds `<snapshot>.lock` exclusively: one build of a path at a time (another process waits),
    so a temporary file no holder is writing is a dead build's: taking the lock removes them
    (`remove_leftovers`). A forked record process shares the lock. Re-entrant in one thread.
    Yields True once held; with `wait` False, False at once when another holds it."""
    key = os.path.abspath(path)
    held: set[str] = _HELD.__dict__.setdefault("paths", set())
    if key in held:
        yield True
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        held.add(key)
        try:
            remove_leftovers(path)
            yield True
        finally:
            held.discard(key)
    finally:
        os.close(fd)  # releases the lock


def remove_leftovers(path: Path) -> list[str]:
    """Removes what dead processes left beside the snapshot; returns the names removed. Call it
    holding `build_lock`: no build of `path` is running then, so every temporary file of one
    (`.parley.db.<random>.tmp`, also those of the hash cache and the record) is a dead build's;
    and a server's private name of the file (`OPEN_SUFFIX`) goes once no live process holds the
    shared lock every server takes on the file it opened (reader.Store)."""
    prefix = f".{path.name}."
    removed = []
    for entry in _files_in(path.parent):
        rest = entry.name[len(prefix) :] if entry.name.startswith(prefix) else ""
        if not _LEFTOVER.fullmatch(rest):
            continue
        with contextlib.suppress(OSError):
            if rest.endswith(OPEN_SUFFIX):
                fd = os.open(entry.path, os.O_RDONLY | os.O_CLOEXEC)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError: still served
                    os.unlink(entry.path)
                finally:
                    os.close(fd)
            else:
                os.unlink(entry.path)
            removed.append(entry.name)
    return removed


_WRITE_ERRORS = {sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY}


@contextlib.contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Reports a failure to write the snapshot's files (a full disk, a read-only directory, a file
    size limit) as one SnapshotError naming the snapshot."""
    try:
        yield
    except OSError as error:
        raise SnapshotError(f"cannot write {path}: {error.strerror or error}") from None
    except sqlite3.Error as error:
        if error.sqlite_errorcode & 0xFF not in _WRITE_ERRORS:
            raise
        # SQLite says "disk I/O error" for any failed write: the free space tells a full disk apart.
        free = ""
        with contextlib.suppress(OSError):
            stats = os.statvfs(path.parent)
            free = f"; {stats.f_bavail * stats.f_frsize / 1e6:,.1f} MB free in {path.parent}"
        raise SnapshotError(f"cannot write {path}: {error} ({error.sqlite_errorname}{free})") from None


def code_version(extra_sources: Iterable[Path] = ()) -> str:
    """Returns a hash of the data layer's code (every .py under schema/) and of `extra_sources`.

    A snapshot written by other code (other checks, other derived tables) never counts as current.
    """
    digest = hashlib.sha256(FORMAT.encode())
    top = Path(__file__).resolve().parents[1]
    for path in [*sorted(top.rglob("*.py")), *extra_sources]:
        name = path.relative_to(top).as_posix() if path.is_relative_to(top) else path.name
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def record_json(record: Verified) -> str:
    """Returns a record as the JSON the snapshot stores: the fields its fixture set, nothing else."""
    return record.model_dump_json(exclude_unset=True)


def _no_progress(step: str, done: int, total: int) -> None:
    return None


def _write_records(conn: sqlite3.Connection, dataset: Dataset, progress: Progress) -> None:
    """Writes each stem's table (`layout.TABLES`: typed columns; rows stored in file order, each
    row id its `pos`), its records' JSON (`<stem>_json`, what the engine decodes), its child
    tables, `evidence` and `notes`, then the reader's full-text tables."""
    total = sum(dataset.counts().values())
    done = 0
    for generic in (EVIDENCE, NOTES):
        conn.execute(create_table(generic.name, generic.columns))
    add_evidence = f'INSERT INTO "{EVIDENCE.name}" VALUES ({", ".join("?" * len(EVIDENCE.columns))})'
    add_notes = f'INSERT INTO "{NOTES.name}" VALUES ({", ".join("?" * len(NOTES.columns))})'
    for stem in FIXTURE_MODELS:
        table = TABLES[stem]
        records = dataset.tables[stem]
        conn.execute(entity_ddl(table))
        conn.execute(f'CREATE TABLE "{table.body}" (pos INTEGER PRIMARY KEY REFERENCES "{stem}" (pos),'
                     " body TEXT NOT NULL)")
        columns = [c.get for c in entity_columns(table)]
        # the row id is `pos` too: rows lie in file order, and `rowid` answers id -> pos from the
        # key's index alone (what `Records.position` reads)
        names = "".join(f', "{c.name}"' for c in entity_columns(table))
        insert = f'INSERT INTO "{stem}" (rowid, id, pos{names}) VALUES (?, ?, ?{", ?" * len(columns)})'
        bodies = dataset.bodies.get(stem)  # the JSON the fixture gave each record, if kept
        batch: list[Any] = []
        for pos, record in enumerate(records.values()):
            batch.append(record)
            if len(batch) == 5000 or pos == len(records) - 1:
                first = pos + 1 - len(batch)
                conn.executemany(insert, ((first + i, r.id, first + i, *[get(r) for get in columns])
                                          for i, r in enumerate(batch)))
                json = bodies[first : pos + 1] if bodies is not None else [record_json(r) for r in batch]
                conn.executemany(f'INSERT INTO "{table.body}" VALUES (?, ?)', enumerate(json, start=first))
                conn.executemany(add_evidence, (row for r in batch for row in evidence_rows(stem, r)))
                conn.executemany(add_notes, (row for r in batch for row in note_rows(stem, r)))
                done += len(batch)
                batch = []
                progress("records", done, total)
        for child in table.children:
            conn.execute(child_ddl(table, child))
            values = [c.get for c in child.columns]
            conn.executemany(
                f'INSERT INTO "{child.name}" VALUES (?, ?{", ?" * len(values)})',
                (
                    (record.id, seq, *[get(item) for get in values])
                    for record in records.values()
                    for seq, item in enumerate(getattr(record, child.path))
                ),
            )
    for table in TABLES.values():
        if table.search:
            conn.execute(fts_ddl(table))
            conn.execute(f'INSERT INTO "{table.fts}" ("{table.fts}") VALUES (\'rebuild\')')
    progress("reader tables", 1, 1)


def _write_lists(conn: sqlite3.Connection, dataset: Dataset, progress: Progress) -> None:
    conn.execute(
        "CREATE TABLE lists (name TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL,"
        " pos INTEGER NOT NULL, PRIMARY KEY (name, key, seq)) WITHOUT ROWID"
    )
    positions = {
        stem: {record_id: i for i, record_id in enumerate(dataset.tables[stem])}
        for stem in sorted(set(DERIVED.values()))
    }
    for name, stem in DERIVED.items():
        where = positions[stem]
        index = dataset.lists[name]
        rows = [
            (name, key, seq, where[record.id])
            for key in sorted(index)
            for seq, record in enumerate(index[key])
        ]
        conn.executemany("INSERT INTO lists VALUES (?, ?, ?, ?)", rows)
    topics: dict[str, list[int]] = {}
    for pos, claim in enumerate(dataset.claims.values()):
        for topic in dict.fromkeys(claim.topics):
            topics.setdefault(topic, []).append(pos)
    rows = [(TOPICS, key, seq, pos) for key in sorted(topics) for seq, pos in enumerate(topics[key])]
    conn.executemany("INSERT INTO lists VALUES (?, ?, ?, ?)", rows)
    progress("lists", 1, 1)


def _write_column_indexes(conn: sqlite3.Connection, progress: Progress) -> None:
    for number, (stem, column) in enumerate(BY_COLUMN.values(), start=1):
        # (column, pos): a list is read from the index alone, in file order
        conn.execute(f'CREATE INDEX "{stem}_by_{column}" ON "{stem}" ("{column}", pos)')
        progress("indexes", number, len(BY_COLUMN))


INPUT_WRITERS: set[ExtraWriter] = set()
"""Extra writers that run with the input tables (see `runs_with_inputs`)."""


def runs_with_inputs(writer: ExtraWriter) -> ExtraWriter:
    """Marks an extra writer that runs after the input tables, in the main process (which verified
    the seeds); the others run with the record tables (in a two-process build, the record process).
    A writer reading seed texts must be marked (the record process's dataset has none); one whose
    tables no record-side writer reads may be, to share the work. Its tables must be plain tables."""
    INPUT_WRITERS.add(writer)
    return writer


def write_snapshot(
    dataset: Dataset,
    path: Path,
    inputs: Mapping[str, str],
    *,
    code: str,
    extra: Sequence[ExtraWriter] = (),
    progress: Progress = _no_progress,
) -> None:
    """Writes a loaded (verified) dataset as a snapshot at `path`, replacing any file there atomically.

    `inputs`: manifest name -> sha256 of the files it was loaded from; `code`: `code_version`. A server
    that has the old file open keeps reading it. The bytes are those `build_snapshot` writes.
    """
    with _Snapshot(path) as snapshot, gc_paused(), _writing(path):
        snapshot.write_records(dataset, extra, progress)
        snapshot.write_inputs(dataset, inputs, code, extra, progress)
        snapshot.finish(progress)


class _Snapshot:
    """The two temporary files a snapshot is written as, beside `path`: the record tables
    (`write_records`), which become the snapshot, and the input tables (`write_inputs`), which
    `finish` copies into it before renaming it into place. Entering takes `build_lock` (removing a
    dead build's files); leaving, with an error or not, removes both and releases it. A failure to
    write (full disk, read-only directory) is a SnapshotError naming `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> _Snapshot:
        self._stack = contextlib.ExitStack()
        try:
            with _writing(self.path):
                self._stack.enter_context(build_lock(self.path))
                self.temporary = self._temporary()
                self.inputs = self._temporary()
        except BaseException:
            self._stack.close()
            raise
        return self

    def _temporary(self) -> str:
        prefix, folder = f".{self.path.name}.", self.path.parent
        handle, temporary = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
        os.close(handle)
        self._stack.callback(Path(temporary).unlink, missing_ok=True)  # gone already once renamed
        return temporary

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    @staticmethod
    def _connect(path: str) -> sqlite3.Connection:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA page_size=4096")
        return conn

    def write_records(self, dataset: Dataset, extra: Sequence[ExtraWriter], progress: Progress) -> None:
        """One table per fixture stem and its column indexes, `files` (the fixtures' bytes), then
        the extra writers not marked `@runs_with_inputs`, in their order."""
        conn = self._connect(self.temporary)
        try:
            conn.execute("BEGIN")
            _write_records(conn, dataset, progress)
            _write_column_indexes(conn, progress)
            conn.execute(
                "CREATE TABLE files (name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, bytes INTEGER NOT NULL,"
                " content BLOB NOT NULL)"
            )
            for name in sorted(dataset.files):
                f = dataset.files[name]
                row = (name, f.sha256, len(f.content), f.content)
                conn.execute("INSERT INTO files VALUES (?, ?, ?, ?)", row)
            progress("files", 1, 1)
            for write in extra:
                if write not in INPUT_WRITERS:
                    write(dataset, conn, progress)
            conn.execute("COMMIT")
        finally:
            conn.close()

    def write_inputs(
        self,
        dataset: Dataset,
        inputs: Mapping[str, str],
        code: str,
        extra: Sequence[ExtraWriter],
        progress: Progress,
    ) -> None:
        """`manifest`, `seeds`, `lists` (the Dataset's lists that are not one column's values), then
        the extra writers marked `@runs_with_inputs`, in their order (they may add lists)."""
        conn = self._connect(self.inputs)
        try:
            conn.execute("BEGIN")
            conn.execute("CREATE TABLE manifest (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
            manifest = {"format": FORMAT, "code": code}
            manifest.update({f"input:{name}": digest for name, digest in sorted(inputs.items())})
            manifest.update({f"count:{stem}": str(n) for stem, n in dataset.counts().items()})
            conn.executemany("INSERT INTO manifest VALUES (?, ?)", sorted(manifest.items()))
            conn.execute(create_table("seeds", SEEDS.columns, 'PRIMARY KEY ("source")'))
            conn.executemany("INSERT INTO seeds VALUES (?, ?)", sorted(dataset.seed_texts.items()))
            progress("seeds", 1, 1)
            _write_lists(conn, dataset, progress)
            for write in extra:
                if write in INPUT_WRITERS:
                    write(dataset, conn, progress)
            conn.execute("COMMIT")
        finally:
            conn.close()

    def finish(self, progress: Progress) -> None:
        """Copies the input tables into the record tables' file and renames it into place."""
        progress("merging", 0, 0)
        conn = self._connect(self.temporary)
        try:
            conn.execute("ATTACH DATABASE ? AS part", (self.inputs,))
            conn.execute("BEGIN")
            tables = "SELECT type, name, sql FROM part.sqlite_schema ORDER BY rowid"
            for kind, name, sql in conn.execute(tables).fetchall():
                # Into an empty table of the same definition, INSERT ... SELECT copies the rows'
                # bytes (SQLite's transfer optimisation), without decoding them.
                if kind == "table":
                    if not sql.startswith("CREATE TABLE "):
                        raise ValueError(f"a @runs_with_inputs writer made {name}: not a plain table")
                    conn.execute(sql)
                    conn.execute(f'INSERT INTO main."{name}" SELECT * FROM part."{name}"')
                elif kind == "index" and sql is not None:
                    conn.execute(sql)
            conn.execute("COMMIT")
            conn.execute("DETACH DATABASE part")
        finally:
            conn.close()
        os.chmod(self.temporary, 0o644)
        self._record()
        os.replace(self.temporary, self.path)
        progress("done", 1, 1)

    def _record(self) -> None:
        """Records the finished file's sha256 and stamp (`recorded_hash_for`) before it is renamed
        into place: a server then opens it only if its bytes are those. Its mtime is set RACY_NS
        into the past first, so that any later write moves it."""
        past = time.time_ns() - RACY_NS
        os.utime(self.temporary, ns=(past, past))
        fd = os.open(self.temporary, os.O_RDONLY | os.O_CLOEXEC)
        try:
            stamp, digest = snapshot_stamp(os.fstat(fd)), sha256_fd(fd)
        finally:
            os.close(fd)
        _write_record(self.path, digest, stamp)


TWO_PROCESSES_FROM = 8 << 20
"""Fixture bytes from which `build_snapshot` writes the record tables in a second process (when
this process may run on two CPUs or more). Below it a fork and a second parse cost more than they
save."""


def build_snapshot(
    path: Path,
    fixtures_dir: Path,
    seeds_dir: Path,
    *,
    code: str,
    extra: Sequence[ExtraWriter] = (),
    progress: Progress | None = None,
    processes: int | None = None,
) -> None:
    """Loads and verifies the fixtures and seeds (every check the loader runs), then writes the snapshot.

    Raises FixtureError, with the loader's messages, when anything is invalid, and SnapshotError when
    an input changed while being read or the record process failed (both temporary files are then
    removed). With `processes` 2 (the default from TWO_PROCESSES_FROM bytes of fixtures, if
    `_may_fork`), a record process forked once the files are read parses the same bytes
    (`load_records`: no checks, no seeds) and writes the record tables and the writers over records,
    while this process runs every check and writes the input tables (manifest, seeds, writers
    `@runs_with_inputs`), copied into the record process's file once both are done. (Forked after
    loading, each process would copy every page it touches.) One process writes the same two parts
    in turn: the same bytes either way. Linux only (`os.fork`, `os.sched_getaffinity`).
    """
    from schema.load.loader import load_dataset, read_fixture_files

    report = progress or _no_progress
    report("loading and verifying", 0, 0)  # hashing the inputs first is part of it
    files = read_fixture_files(fixtures_dir)
    if processes is None:
        large = sum(f.size for f in files.values()) >= TWO_PROCESSES_FROM
        processes = 2 if large and _may_fork() else 1
    with _Snapshot(path) as snapshot:
        side = _RecordProcess.start(snapshot, fixtures_dir, files, extra) if processes == 2 else None
        try:
            cache = hash_cache_for(path)
            cache.unlink(missing_ok=True)  # a build hashes every file; the check after loading, changed ones
            before = input_hashes(fixtures_dir, seeds_dir, cache=cache)
            dataset = load_dataset(fixtures_dir, seeds_dir, for_snapshot=side is None, files=files)
            read = {f"fixtures/{name}": f.sha256 for name, f in files.items()}
            hashed = {name: digest for name, digest in before.items() if name.startswith("fixtures/")}
            # The fixture files were read before they were hashed: their bytes must be those hashed.
            if read != hashed or input_hashes(fixtures_dir, seeds_dir, cache=cache) != before:
                changed = f"{fixtures_dir} or {seeds_dir} changed while the snapshot was being built"
                raise SnapshotError(changed)
            with gc_paused(), _writing(path):
                if side is None:
                    snapshot.write_records(dataset, extra, report)
                snapshot.write_inputs(dataset, before, code, extra, report)
                if side is not None:
                    side.wait(report)
                snapshot.finish(report)
        finally:
            if side is not None:
                side.stop()


def _may_fork() -> bool:
    """Whether a second process may help and is safe: this process may run on two CPUs or more,
    and it runs no other thread (a fork copies only the calling thread; a lock another one held,
    in SQLite or the C library, would stay held in the child for ever)."""
    return len(os.sched_getaffinity(0)) >= 2 and threading.active_count() == 1


class _RecordProcess:
    """The forked process that loads the records and writes the record tables (`build_snapshot`)."""

    def __init__(self, pid: int, messages: Any) -> None:
        self.pid, self.messages = pid, messages
        self.reaped = False

    @classmethod
    def start(
        cls, snapshot: _Snapshot, fixtures_dir: Path, files: Mapping[str, Any], extra: Sequence[ExtraWriter]
    ) -> _RecordProcess:
        from multiprocessing.connection import Pipe

        from schema.load.loader import load_records

        receive, send = Pipe(duplex=False)
        pid = os.fork()
        if pid == 0:  # the record process: never returns, never runs the caller's code
            status = 1
            try:
                receive.close()
                dataset = load_records(fixtures_dir, files)
                with gc_paused(), _writing(snapshot.path):
                    snapshot.write_records(dataset, extra, _Forward(send))
                send.send(("written",))
                status = 0
            except BaseException as error:  # reported to the main process, which raises it
                told = ("unwritten", str(error)) if isinstance(error, SnapshotError) else (
                    "failed", f"{type(error).__name__}: {error}"
                )
                with contextlib.suppress(BaseException):  # unless it is gone: nobody to tell then
                    send.send(told)
            finally:
                os._exit(status)
        send.close()
        return cls(pid, receive)

    def wait(self, progress: Progress) -> None:
        """Reports the record process's progress until it ends; raises SnapshotError unless it wrote
        its part. Steps it finished while this process was busy show as one (the latest)."""
        outcome: tuple[str, ...] | None = None
        pending: tuple[str, int, int] | None = None
        while outcome is None:
            try:
                message = self.messages.recv()
            except EOFError:
                break
            if message[0] == "progress":
                pending = message[1:]
                if not self.messages.poll():  # the backlog is read: report where it is now
                    progress(*pending)
                    pending = None
            else:
                outcome = message
        if pending is not None:
            progress(*pending)
        _, status = os.waitpid(self.pid, 0)
        self.reaped = True
        if outcome is not None and outcome[0] == "written" and status == 0:
            return
        if outcome is not None and outcome[0] == "unwritten":  # a full disk: said as this process says it
            raise SnapshotError(outcome[1])
        if outcome is not None and outcome[0] == "failed":
            raise SnapshotError(f"not written: the record tables failed ({outcome[1]})")
        raise SnapshotError(f"not written: the record process {_ended(status)} before writing its part")

    def stop(self) -> None:
        """Kills the record process unless it was reaped (the build failed here), and reaps it."""
        if not self.reaped:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.reaped = True
        self.messages.close()


def _ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"was killed by signal {os.WTERMSIG(status)} ({signal.Signals(os.WTERMSIG(status)).name})"
    return f"exited with status {os.waitstatus_to_exitcode(status)}"


class _Forward:
    """A progress callback sending steps to the main process: each new step, then at most every 0.2 s."""

    def __init__(self, send: Any) -> None:
        self.send, self.step, self.sent = send, "", 0.0

    def __call__(self, step: str, done: int, total: int) -> None:
        now = time.monotonic()
        if step != self.step or now - self.sent >= 0.2 or done == total:
            self.send.send(("progress", step, done, total))
            self.step, self.sent = step, now
