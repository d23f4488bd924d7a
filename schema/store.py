"""A Dataset read from a snapshot (schema.snapshot): lazy Mappings and Sequences over SQLite.

The file is opened read-only and immutable (it never changes once written: a rebuild renames a new
file into place). Records are decoded on demand and kept in bounded LRU caches; the `*_by_*`
indexes are queried, not rebuilt. Each thread gets its own connection.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, TypeVar, cast, overload

from pydantic import TypeAdapter

from schema.dataset import FIXTURE_MODELS, Dataset, FixtureFile
from schema.models import Evidence, Verified
from schema.snapshot import BY_COLUMN, FORMAT, LISTS, ExtraWriter, Progress, input_hashes, write_snapshot

M = TypeVar("M", bound=Verified)

RECORD_CACHE = 4096
"""Decoded records kept per fixture stem (least recently used go first)."""
LIST_CACHE = 2048
"""Index lists (positions only) kept per index."""


EVIDENCE_LIST = TypeAdapter(list[Evidence])
"""Evidence lists as the snapshot stores them (JSON arrays of the fields each selector set)."""


class SnapshotError(Exception):
    """The snapshot is missing, unreadable or not of this format."""


class Store:
    """One open snapshot file: a read-only, immutable connection per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path.resolve()
        if not self.path.is_file():
            raise SnapshotError(f"{path}: no snapshot there")
        self._uri = self.path.as_uri() + "?mode=ro&immutable=1"
        self._local = threading.local()
        try:
            self.manifest = dict(self.query("SELECT key, value FROM manifest"))
        except sqlite3.DatabaseError as error:
            raise SnapshotError(f"{path}: not a parley snapshot ({error})") from None
        if self.manifest.get("format") != FORMAT:
            given = self.manifest.get("format")
            raise SnapshotError(f"{path}: snapshot format {given!r}, expected {FORMAT!r}")

    def connection(self) -> sqlite3.Connection:
        """Returns this thread's connection to the snapshot."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self._uri, uri=True, check_same_thread=False)
            self._local.conn = conn
        return conn

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Runs one read query; returns every row."""
        return self.connection().execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Runs one read query; returns the first column of its first row, or None."""
        row = self.connection().execute(sql, params).fetchone()
        return None if row is None else row[0]

    def inputs(self) -> dict[str, str]:
        """Returns manifest name -> sha256 of the input files the snapshot was built from."""
        return {k.removeprefix("input:"): v for k, v in self.manifest.items() if k.startswith("input:")}


class Records(Mapping[str, M]):
    """One fixture stem's records by id, in file order, decoded from JSON on demand."""

    def __init__(self, store: Store, stem: str, model: type[M]) -> None:
        self.store, self.stem, self.model = store, stem, model
        self._count = int(store.manifest.get(f"count:{stem}", "0"))
        self.at = lru_cache(maxsize=RECORD_CACHE)(self._decode)
        self.position = lru_cache(maxsize=RECORD_CACHE * 4)(self._position)

    def _decode(self, pos: int) -> M:
        body = self.store.one(f'SELECT body FROM "{self.stem}" WHERE pos = ?', (pos,))
        if body is None:
            raise IndexError(pos)
        return self.model.model_validate_json(body)

    def _position(self, record_id: str) -> int | None:
        found: int | None = self.store.one(f'SELECT pos FROM "{self.stem}" WHERE id = ?', (record_id,))
        return found

    def __getitem__(self, record_id: str) -> M:
        pos = self.position(record_id)
        if pos is None:
            raise KeyError(record_id)
        return self.at(pos)

    def get(self, record_id: str, default: Any = None) -> Any:
        """The record with that id, or `default`."""
        pos = self.position(record_id)
        return default if pos is None else self.at(pos)

    def __contains__(self, record_id: object) -> bool:
        return isinstance(record_id, str) and self.position(record_id) is not None

    def __iter__(self) -> Iterator[str]:
        for (record_id,) in self.store.connection().execute(f'SELECT id FROM "{self.stem}" ORDER BY pos'):
            yield record_id

    def __len__(self) -> int:
        return self._count

    def values(self) -> RecordList[M]:  # type: ignore[override]
        """Every record in file order, as a lazy Sequence (slicing decodes only the slice)."""
        return RecordList(self, range(self._count))


class RecordList(Sequence[M], Generic[M]):
    """Records of one stem at given positions, decoded when read."""

    def __init__(self, records: Records[M], positions: Sequence[int]) -> None:
        self.records, self.positions = records, positions

    def __len__(self) -> int:
        return len(self.positions)

    @overload
    def __getitem__(self, index: int) -> M: ...
    @overload
    def __getitem__(self, index: slice) -> RecordList[M]: ...
    def __getitem__(self, index: int | slice) -> M | RecordList[M]:
        if isinstance(index, slice):
            return RecordList(self.records, self.positions[index])
        return self.records.at(self.positions[index])

    def __iter__(self) -> Iterator[M]:
        at = self.records.at
        for pos in self.positions:
            yield at(pos)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class Lists(Mapping[str, RecordList[M]]):
    """One `*_by_*` index: key -> its records in file order (only keys with records are present).

    Indexes grouping a table on a column read that column's SQL index; the others, `lists` rows.
    """

    def __init__(self, store: Store, name: str, records: Records[M]) -> None:
        self.store, self.name, self.records = store, name, records
        self._positions = lru_cache(maxsize=LIST_CACHE)(self._load)
        if name in BY_COLUMN:
            stem, column = BY_COLUMN[name]
            self._sql = f'SELECT pos FROM "{stem}" WHERE {column} = ? ORDER BY pos'
            self._keys = f'SELECT DISTINCT {column} FROM "{stem}" WHERE {column} IS NOT NULL ORDER BY 1'
            self._params: tuple[str, ...] = ()
        else:
            self._sql = "SELECT pos FROM lists WHERE name = ? AND key = ? ORDER BY seq"
            self._keys = "SELECT DISTINCT key FROM lists WHERE name = ? ORDER BY 1"
            self._params = (name,)

    def _load(self, key: str) -> RecordList[M] | None:
        rows = self.store.query(self._sql, (*self._params, key))
        return RecordList(self.records, tuple(pos for (pos,) in rows)) if rows else None

    def __getitem__(self, key: str) -> RecordList[M]:
        found = self._positions(key)
        if found is None:
            raise KeyError(key)
        return found

    def get(self, key: str, default: Any = None) -> Any:
        """The records under that key, or `default` when there are none."""
        found = self._positions(key)
        return default if found is None else found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._positions(key) is not None

    def __iter__(self) -> Iterator[str]:
        return (key for (key,) in self.store.query(self._keys, self._params))

    def __len__(self) -> int:
        return len(self.store.query(self._keys, self._params))


class StoredFile(FixtureFile):
    """A fixture file kept in the snapshot: name, hash and size in memory, bytes read when asked."""

    _store: Store
    _size: int

    def __init__(self, store: Store, name: str, sha256: str, size: int) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "sha256", sha256)
        object.__setattr__(self, "_store", store)
        object.__setattr__(self, "_size", size)

    @property
    def content(self) -> bytes:
        """The file's exact bytes (read from the snapshot on every access: use `chunks` to stream)."""
        return bytes(self._store.one("SELECT content FROM files WHERE name = ?", (self.name,)))

    @property
    def size(self) -> int:
        """The file's length in bytes."""
        return int(self._size)

    def chunks(self, size: int = 1 << 20) -> Iterator[bytes]:
        """Yields the file's bytes in blocks, straight from the snapshot's blob.

        The connection is the generator's own, used by one step at a time; a streaming response
        may run those steps (and the final close) on different worker threads. A file of one block is
        read through the store's own connection of this thread.
        """
        if self._size <= size:
            yield self.content
            return
        conn = sqlite3.connect(self._store._uri, uri=True, check_same_thread=False)
        try:
            rowid = conn.execute("SELECT rowid FROM files WHERE name = ?", (self.name,)).fetchone()[0]
            with conn.blobopen("files", "content", rowid, readonly=True) as blob:
                while block := blob.read(size):
                    yield block
        finally:
            conn.close()

    def __repr__(self) -> str:
        return f"StoredFile({self.name!r}, {self._size} bytes)"


class SeedTexts(Mapping[str, str]):
    """Source id -> seed text, read from the snapshot when asked (a few texts are kept)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._text = lru_cache(maxsize=64)(self._load)

    def _load(self, source: str) -> str | None:
        found: str | None = self.store.one("SELECT text FROM seeds WHERE source = ?", (source,))
        return found

    def __getitem__(self, source: str) -> str:
        text = self._text(source) if isinstance(source, str) else None
        if text is None:
            raise KeyError(source)
        return text

    def __iter__(self) -> Iterator[str]:
        return (s for (s,) in self.store.query("SELECT source FROM seeds ORDER BY source"))

    def __len__(self) -> int:
        return int(self.store.one("SELECT COUNT(*) FROM seeds"))


@dataclass(frozen=True)
class StoredDataset(Dataset):
    """A Dataset served from a snapshot (see `open_dataset`); `store` is the open file."""

    store: Store | None = field(default=None, repr=False, compare=False)


def open_dataset(path: Path) -> StoredDataset:
    """Opens a snapshot read-only and returns its Dataset; nothing is decoded until asked for.

    Raises SnapshotError if the file is missing or not a snapshot of this format.
    """
    store = Store(path)
    tables: dict[str, Records[Any]] = {
        stem: Records(store, stem, model) for stem, model in FIXTURE_MODELS.items()
    }
    lists = {name: Lists(store, name, tables[stem]) for name, stem in LISTS.items()}
    files = {
        name: StoredFile(store, name, sha256, size)
        for name, sha256, size in store.query("SELECT name, sha256, bytes FROM files ORDER BY name")
    }
    return StoredDataset(
        **cast(dict[str, Any], tables),
        seed_texts=SeedTexts(store),
        files=files,
        **cast(dict[str, Any], lists),
        selectors=(),
        store=store,
    )


def stale_inputs(store: Store, hashes: Mapping[str, str], code: str) -> list[str]:
    """Returns why a snapshot does not match the files on disk (empty: it matches them exactly)."""
    reasons = []
    if store.manifest.get("code") != code:
        reasons.append("it was written by other loader code")
    built = store.inputs()
    for name in sorted(built.keys() | hashes.keys()):
        if name not in hashes:
            reasons.append(f"{name} is gone")
        elif name not in built:
            reasons.append(f"{name} is new")
        elif built[name] != hashes[name]:
            reasons.append(f"{name} changed")
    return reasons


def build_snapshot(
    path: Path,
    fixtures_dir: Path,
    seeds_dir: Path,
    *,
    code: str,
    extra: Sequence[ExtraWriter] = (),
    progress: Progress | None = None,
) -> None:
    """Loads and verifies the fixtures and seeds (every check the loader runs), then writes the snapshot.

    Raises schema.loader.FixtureError, with the loader's messages, when anything is invalid, and
    SnapshotError when an input file changed while it was being read.
    """
    from schema.loader import load_dataset

    report = progress or (lambda step, done, total: None)
    report("loading and verifying", 0, 0)  # hashing the inputs first is part of it
    before = input_hashes(fixtures_dir, seeds_dir)
    dataset = load_dataset(fixtures_dir, seeds_dir, for_snapshot=True)
    if input_hashes(fixtures_dir, seeds_dir) != before:
        raise SnapshotError(f"{fixtures_dir} or {seeds_dir} changed while the snapshot was being built")
    write_snapshot(dataset, path, before, code=code, extra=extra, progress=report)


def ensure_snapshot(
    path: Path,
    fixtures_dir: Path,
    seeds_dir: Path,
    *,
    code: str,
    extra: Sequence[ExtraWriter] = (),
    progress: Progress | None = None,
    hashes: Mapping[str, str] | None = None,
) -> tuple[StoredDataset, list[str]]:
    """Opens the snapshot at `path` if it matches the input files and code; otherwise builds it first.

    Returns the dataset and why it was (re)built (empty: the snapshot on disk was current). `hashes`
    (from `input_hashes`, e.g. worked out in a thread while the app was imported) saves hashing again.
    A lock file beside the snapshot keeps concurrent workers from building it twice.
    Raises FixtureError when the inputs are invalid: nothing is served then.
    """
    import fcntl

    current = dict(hashes) if hashes is not None else input_hashes(fixtures_dir, seeds_dir)
    reasons = _reasons(path, current, code)
    if not reasons:
        return open_dataset(path), []
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = input_hashes(fixtures_dir, seeds_dir)
        reasons = _reasons(path, current, code)  # another process may have built it meanwhile
        if reasons:
            build_snapshot(path, fixtures_dir, seeds_dir, code=code, extra=extra, progress=progress)
    dataset = open_dataset(path)
    assert dataset.store is not None
    left = stale_inputs(dataset.store, input_hashes(fixtures_dir, seeds_dir), code)
    if left:
        raise SnapshotError(f"{path} still differs from the files after a build: {'; '.join(left)}")
    return dataset, reasons


def _reasons(path: Path, hashes: Mapping[str, str], code: str) -> list[str]:
    try:
        store = Store(path)
    except SnapshotError as error:
        return [str(error)]
    return stale_inputs(store, hashes, code)
