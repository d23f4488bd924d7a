"""A Dataset read from a snapshot (schema.store.snapshot): lazy Mappings and Sequences over SQLite.

The file is opened once, read-only and immutable (it never changes once written: a rebuild renames a
new file into place, and a Store keeps reading the one it opened). Records are decoded on demand and
kept in bounded LRU caches; the `*_by_*` indexes are queried, not rebuilt. Each thread gets its own
connection. A stem's records are decoded from `<stem>_json` by position; its table's row id is the
position too (`layout`), so an id's position is read from the table's key index alone.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import signal
import sqlite3
import threading
import weakref
from array import array
from collections.abc import Callable, ItemsView, Iterable, Iterator, KeysView, Mapping, Sequence, ValuesView
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from stat import S_ISREG
from typing import Any, Generic, TypeVar, overload

from pydantic import TypeAdapter

from schema.model.dataset import FIXTURE_MODELS, Dataset, FixtureFile
from schema.model.models import Evidence, Verified
from schema.store.layout import TABLES
from schema.store.snapshot import (
    BY_COLUMN,
    FORMAT,
    LISTS,
    OPEN_SUFFIX,
    ExtraWriter,
    Progress,
    build_lock,
    build_snapshot,
    check_snapshot,
    hash_cache_for,
    input_hashes,
)
from schema.store.snapshot import SnapshotError as SnapshotError  # re-exported: defined where builds raise it

M = TypeVar("M", bound=Verified)
K = TypeVar("K")
V = TypeVar("V")

RECORD_CACHE = 4096
"""Decoded records kept per fixture stem at once (reaching it forgets them all: see `Records`)."""
LIST_CACHE = 2048
"""Index lists (positions only) kept per index at once (reaching it forgets them all)."""
WHOLE_TABLE = 2048
"""A stem of at most this many records is decoded whole, in one statement, when its first record is
read: its records then lie together in memory, which makes reading them faster, and every later
read is a hit."""
DECODED_AT_OPEN = 8192
"""A snapshot of at most this many records in all has its small stems decoded when it is opened."""
BATCH = 256
"""Records (or lists) read with one statement at most, when many are read at once (`Records.load`)."""
FAST_ITERATION = 4096
"""A RecordList of up to this many records is iterated from its decoded rows in one C-level step."""


POSITIONS_HELD = 1 << 20
"""Positions (8 bytes each) that `Store.positions` keeps between its answers; reaching it forgets them."""
POSITIONS_KEPT = 256
"""Answers `Store.positions` keeps at once (reaching it forgets them all)."""
POSITIONS_KEY = 4096
"""Characters of SQL and parameters beyond which an answer is not kept (a long filter text): the
kept keys hold at most POSITIONS_KEPT times this, whatever clients send."""


EVIDENCE_LIST = TypeAdapter(list[Evidence])
"""Evidence lists as the snapshot stores them (JSON arrays of the fields each selector set)."""


PROGRESS_STEPS = 10_000
"""SQLite virtual machine steps between two calls of `Store.interrupt` while a statement runs."""


class Store:
    """One open snapshot file: a read-only, immutable connection per thread.

    Every connection (and `fd`, for downloads) reads the file opened first, whatever another process
    later renames into its place: SQLite would follow /proc/self/fd/N back to the path, so connections
    open this process's own hard link to it (`.parley.db.<random>.open`, removed on close, or by the
    next build or start after a kill: `remove_leftovers`). Where no link can be made (read-only
    directory), a connection that would open another file than `fd` raises SnapshotError. `sha256`
    is set once `damage` has checked it. `queries` counts the statements run (a warm request runs
    none). `interrupt` (the API's deadline) is asked every PROGRESS_STEPS steps of a statement for
    an exception to stop it with, so a long statement ends with the request's timeout.
    """

    interrupt: Callable[[], Exception | None] | None = None

    def __init__(self, path: Path) -> None:
        self.path = path.resolve()
        try:
            self.fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            raise SnapshotError(f"{path}: no snapshot there") from None
        except OSError as error:
            raise SnapshotError(f"{path}: cannot read it ({error.strerror})") from None
        stat = os.fstat(self.fd)
        if not S_ISREG(stat.st_mode):
            os.close(self.fd)
            raise SnapshotError(f"{path}: no snapshot there")
        self.size, self._inode = stat.st_size, (stat.st_dev, stat.st_ino)
        self.sha256: str | None = None
        # Shared: a private name of the file is a leftover once no process holds this lock on it.
        fcntl.flock(self.fd, fcntl.LOCK_SH)
        link = _link(self.fd, self.path)
        self._closed = weakref.finalize(self, _release, self.fd, link)
        _OPEN.add(self)
        self._uri = (link or self.path).as_uri() + "?mode=ro&immutable=1"
        self._by_path = link is None
        self._local = threading.local()
        self.queries = 0
        self._positions: dict[tuple[Any, ...], array[int]] = {}
        self._held = 0
        self._lock = threading.Lock()
        try:
            self.manifest = dict(self.query("SELECT key, value FROM manifest"))
        except sqlite3.DatabaseError as error:
            self.close()
            raise SnapshotError(f"{path}: not a parley snapshot ({error})") from None
        if self.manifest.get("format") != FORMAT:
            given = self.manifest.get("format")
            self.close()
            raise SnapshotError(f"{path}: snapshot format {given!r}, expected {FORMAT!r}")

    def damage(self) -> str | None:
        """Says how the file differs from the one its build wrote (None: it is that file, byte for
        byte; `sha256` is then set), against the sha256 the build recorded beside it
        (`check_snapshot`: the file is read only when its stamp moved)."""
        damage, digest = check_snapshot(self.path, self.fd)
        if damage is None:
            self.sha256 = digest
        return damage

    def close(self) -> None:
        """Closes the file and removes its private name (connections already open keep reading it)."""
        self._closed()

    def connection(self) -> sqlite3.Connection:
        """Returns this thread's connection to the snapshot (the file opened as `fd`)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if not self._closed.alive:
                raise SnapshotError(f"{self.path}: closed")
            conn = sqlite3.connect(self._uri, uri=True, check_same_thread=False)
            if self._by_path and not self._same_file():
                conn.close()
                raise SnapshotError(f"{self.path} was replaced since it was opened: restart to serve it")
            conn.set_progress_handler(self._progress, PROGRESS_STEPS)
            self._local.conn = conn
        return conn

    def _same_file(self) -> bool:
        """Whether the path still names the file opened as `fd` (then a connection just opened by
        path has it: that inode cannot have been reused while `fd` holds it)."""
        try:
            stat = os.stat(self.path)
        except OSError:
            return False
        return (stat.st_dev, stat.st_ino) == self._inode

    def _progress(self) -> int:
        """SQLite's progress handler: non-zero stops the statement (`query` raises the reason)."""
        reason = None if self.interrupt is None else self.interrupt()
        if reason is None:
            return 0
        self._local.stopped = reason
        return 1

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Runs one read statement on this thread's connection; returns every row (counted).

        Raises what `interrupt` gave if it stopped the statement.
        """
        self.queries += 1  # not atomic across threads: a count to look at, not to rely on exactly
        try:
            return self.connection().execute(sql, params).fetchall()
        except sqlite3.OperationalError:
            # Set by `_progress` only when it stopped this statement, so taken here every time.
            reason: Exception | None = self._local.__dict__.pop("stopped", None)
            if reason is None:
                raise
            raise reason from None

    def in_batches(
        self, sql: str, params: Sequence[Any] = (), size: int = 128, most: int = 0
    ) -> Iterator[Any]:
        """Yields the rows of a query `size` at a time, so a caller that stops early reads little;
        with `most`, each batch is four times the last, up to that many rows.

        `sql` pages by its first column, ascending, without repeats: it ends with
        `<column> > ? ORDER BY <column>`; the value after `params` (the previous batch's last
        first column, -1 at first) and the LIMIT are added here.
        """
        last = -1
        while True:
            rows = self.query(f"{sql} LIMIT {size}", (*params, last))
            yield from rows
            if len(rows) < size:
                return
            last = rows[-1][0]
            size = max(size, min(size * 4, most))

    def positions(
        self, sql: str, params: Sequence[Any] = (), check: Callable[..., bool] | None = None, tag: str = ""
    ) -> array[int]:
        """Runs a query whose rows start with a record's position; returns those positions in order.

        With `check`, a row is kept only if `check(*its other columns)` is true (`tag` names the check in
        what is remembered). Answers are remembered, so a repeated filter runs no statement: at most
        POSITIONS_KEPT of them holding POSITIONS_HELD positions (reaching either forgets them all), and
        none whose key is longer than POSITIONS_KEY characters.
        """
        key = (sql, tuple(params), tag)
        found = self._positions.get(key)
        if found is not None:
            return found
        rows = self.query(sql, params)
        if check is None:
            found = array("q", [row[0] for row in rows])
        else:
            found = array("q", [row[0] for row in rows if check(*row[1:])])
        if len(sql) + len(tag) + sum(len(str(p)) for p in params) > POSITIONS_KEY:
            return found
        with self._lock:
            if len(self._positions) >= POSITIONS_KEPT or self._held + len(found) > POSITIONS_HELD:
                self._positions.clear()
                self._held = 0
            if len(found) <= POSITIONS_HELD:
                self._positions[key] = found
                self._held += len(found)
        return found

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Runs one read query; returns the first column of its first row, or None."""
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    def inputs(self) -> dict[str, str]:
        """Returns manifest name -> sha256 of the input files the snapshot was built from."""
        return {k.removeprefix("input:"): v for k, v in self.manifest.items() if k.startswith("input:")}


def _link(fd: int, path: Path) -> Path | None:
    """Makes this process's own hard link to the open file, beside `path` (None: none can be made)."""
    try:
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        for _ in range(8):
            link = path.with_name(f".{path.name}.{secrets.token_hex(4)}{OPEN_SUFFIX}")
            try:  # linkat(AT_SYMLINK_FOLLOW): the file open as fd, not what the path names now
                os.link(f"/proc/self/fd/{fd}", link.name, dst_dir_fd=folder, follow_symlinks=True)
            except FileExistsError:
                continue
            except OSError:
                return None
            return link
        return None
    finally:
        os.close(folder)


_OPEN: weakref.WeakSet[Store] = weakref.WeakSet()


def close_on_sigterm() -> None:
    """Makes SIGTERM close every open Store (removing its link) and then end the process as it
    would have. A process ended by a signal runs no exit handlers, and uvicorn, once shut down,
    raises the SIGTERM it caught again; a link left by a killed process waits for the next start."""

    def close_then_end(sig: int, frame: Any) -> None:
        for store in list(_OPEN):
            store.close()
        signal.signal(sig, signal.SIG_DFL)
        signal.raise_signal(sig)

    if threading.current_thread() is threading.main_thread():  # only it may set handlers
        signal.signal(signal.SIGTERM, close_then_end)


def _release(fd: int, link: Path | None) -> None:
    if link is not None:
        with contextlib.suppress(OSError):
            link.unlink()
    os.close(fd)


class LoadedMapping(dict[K, V]):
    """A read-only Mapping whose values are loaded on first lookup and kept in the dict itself.

    A hit is a plain dict lookup (no Python frame: `__missing__` runs only on a miss), which keeps
    the snapshot's lookups cheap. A miss calls `_load` (None: no such key, remembered too). Reaching
    `limit` values (or absent keys) forgets them all: the data never changes, and this bounds memory
    without an LRU's per-hit bookkeeping. len, iteration, `in`, get, == and the views answer for the
    whole mapping, never from what happens to be kept; it cannot be changed.
    """

    limit: int = 4096

    def __init__(self) -> None:
        super().__init__()
        self._absent: set[Any] = set()

    def _load(self, key: Any) -> V | None:
        raise NotImplementedError

    def _keys(self) -> Iterator[K]:
        raise NotImplementedError

    def _count(self) -> int:
        raise NotImplementedError

    def __missing__(self, key: K) -> V:
        if key in self._absent:
            raise KeyError(key)
        found = self._load(key)
        if found is None:
            self._remember_absent(key)
            raise KeyError(key)
        if dict.__len__(self) >= self.limit:
            self.forget()  # a subclass's own bookkeeping goes with what it kept
        dict.__setitem__(self, key, found)
        return found

    def _remember_absent(self, key: Any) -> None:
        """Remembers that a key has no value: at most `limit` such keys, reaching it forgets them."""
        if len(self._absent) >= self.limit:
            self._absent.clear()
        self._absent.add(key)

    def _to_load(self, keys: Iterable[Any]) -> list[str]:
        """The string keys among these neither kept nor known absent, sorted, at most `limit` (what
        a batched `load` reads)."""
        wanted = {k for k in keys if isinstance(k, str) and not dict.__contains__(self, k)}
        return sorted(wanted - self._absent)[: self.limit]

    def kept(self) -> int:
        """How many values are loaded and kept now."""
        return dict.__len__(self)

    def forget(self) -> None:
        """Drops every value kept (they are loaded again when asked for)."""
        dict.clear(self)
        self._absent.clear()

    def get(self, key: K, default: Any = None) -> Any:
        """The value for that key, or `default`."""
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        try:
            self[key]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[K]:
        return self._keys()

    def __len__(self) -> int:
        return self._count()

    def __reversed__(self) -> Iterator[K]:
        return reversed(list(self._keys()))

    def keys(self) -> KeysView[K]:  # type: ignore[override]
        """The keys of the whole mapping."""
        return KeysView(self)

    def values(self) -> ValuesView[V]:  # type: ignore[override]
        """The values of the whole mapping (each loaded when reached)."""
        return ValuesView(self)

    def items(self) -> ItemsView[K, V]:  # type: ignore[override]
        """The (key, value) pairs of the whole mapping (each loaded when reached)."""
        return ItemsView(self)

    def copy(self) -> dict[K, V]:
        """A plain dict of the whole mapping."""
        return dict(self.items())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None

    def __or__(self, other: Any) -> Any:
        return self.copy() | other

    def __ror__(self, other: Any) -> Any:
        return other | self.copy()

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.kept()} of {len(self)} kept>"

    def __reduce__(self) -> Any:
        raise TypeError(f"{type(self).__name__} reads an open snapshot: it cannot be pickled")

    def _read_only(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"{type(self).__name__} is read-only")

    __setitem__ = __delitem__ = __ior__ = _read_only
    pop = popitem = setdefault = update = clear = _read_only


class Records(LoadedMapping[str, M]):
    """One fixture stem's records by id, in file order, decoded from JSON on demand.

    Decoded records are kept by position (`at`) and by id (the dict itself), at most `limit`
    (`RECORD_CACHE`) at once: the next decode after that forgets them all and starts again. A stem
    of at most `whole` (`WHOLE_TABLE`) records is decoded whole on its first read.
    """

    limit = RECORD_CACHE
    whole = WHOLE_TABLE

    def __init__(self, store: Store, stem: str, model: type[M]) -> None:
        super().__init__()
        self.store, self.stem, self.model = store, stem, model
        self._json = TABLES[stem].body  # the records' JSON by position (the stem's table has the columns)
        self._size = int(store.manifest.get(f"count:{stem}", "0"))
        self._rows: list[M | None] = [None] * self._size
        self._decoded = 0
        self._positions: dict[str, int] = {}  # id -> position, for ids looked up or decoded
        self._all = RecordList(self, range(self._size))

    def position(self, record_id: str) -> int | None:
        """The position in file order of the record with that id (None: there is none)."""
        found = self._positions.get(record_id)
        if found is None:
            found = self.store.one(f'SELECT rowid FROM "{self.stem}" WHERE id = ?', (record_id,))
            if found is not None:
                self._remember(record_id, found)
        return found

    def _remember(self, record_id: str, pos: int) -> None:
        if len(self._positions) >= 4 * self.limit:
            self._positions.clear()
        self._positions[record_id] = pos

    def _decode(self, pos: int) -> M:
        if self._decoded == 0 and self._size <= min(self.whole, self.limit):
            return self._decode_whole()[pos]
        body = self.store.one(f'SELECT body FROM "{self._json}" WHERE pos = ?', (pos,))
        if body is None:
            raise IndexError(pos)
        if self._decoded >= self.limit:
            self.forget()
        return self._keep(pos, body)

    def _keep(self, pos: int, body: str) -> M:
        record = self.model.model_validate_json(body)
        self._decoded += 1
        self._rows[pos] = record
        self._remember(record.id, pos)
        return record

    def load(self, positions: Iterable[int]) -> None:
        """Decodes the records at these positions that are not decoded yet, a statement per
        `BATCH` of them instead of one each (what a page or a list is about to read)."""
        rows = self._rows
        missing = sorted({p for p in positions if 0 <= p < self._size and rows[p] is None})
        if missing and self._decoded == 0 and self._size <= min(self.whole, self.limit):
            self._decode_whole()
            return
        for chunk in _chunks(missing[: self.limit]):
            if self._decoded + len(chunk) > self.limit:
                self.forget()
            sql = f'SELECT pos, body FROM "{self._json}" WHERE pos IN ({", ".join("?" * len(chunk))})'
            for pos, body in self.store.query(sql, chunk):
                self._keep(pos, body)

    def load_ids(self, record_ids: Iterable[str]) -> None:
        """Decodes the records with these ids that are not decoded yet (see `load`); unknown ids are
        passed over."""
        wanted = {i for i in record_ids if isinstance(i, str) and not dict.__contains__(self, i)}
        known = [self._positions[i] for i in wanted if i in self._positions]
        unknown = sorted(i for i in wanted if i not in self._positions)
        for chunk in _chunks(unknown):
            sql = f'SELECT id, rowid FROM "{self.stem}" WHERE id IN ({", ".join("?" * len(chunk))})'
            for record_id, pos in self.store.query(sql, chunk):
                self._remember(record_id, pos)
                known.append(pos)
        self.load(known)

    def _decode_whole(self) -> list[M]:
        sql = f'SELECT body FROM "{self._json}" ORDER BY pos'
        rows = [self.model.model_validate_json(body) for (body,) in self.store.query(sql)]
        if len(rows) != self._size:
            raise SnapshotError(f"{self.store.path}: {self.stem} holds {len(rows)} rows, not {self._size}")
        self._rows, self._decoded = list(rows), len(rows)
        dict.update(self, ((record.id, record) for record in rows))
        self._positions = {record.id: pos for pos, record in enumerate(rows)}
        return rows

    def at(self, pos: int) -> M:
        """The record at a position in file order (IndexError outside 0 .. len - 1)."""
        if not 0 <= pos < self._size:
            raise IndexError(pos)
        found = self._rows[pos]
        return self._decode(pos) if found is None else found

    @property
    def decoded(self) -> int:
        """How many records are decoded and kept now."""
        return self._decoded

    def forget(self) -> None:
        """Drops every decoded record (and every id -> record answer)."""
        self._rows = [None] * self._size
        self._decoded = 0
        super().forget()  # positions are kept: they are small and never wrong

    def _load(self, record_id: Any) -> M | None:
        pos = self.position(record_id) if isinstance(record_id, str) else None
        return None if pos is None else self.at(pos)

    def _keys(self) -> Iterator[str]:
        for (record_id,) in self.store.query(f'SELECT id FROM "{self.stem}" ORDER BY rowid'):
            yield record_id

    def _count(self) -> int:
        return self._size

    def values(self) -> RecordList[M]:  # type: ignore[override]
        """Every record in file order, as a lazy Sequence (slicing decodes only the slice)."""
        return self._all


class Column(LoadedMapping[str, V]):
    """One plain column of a stem's table (`layout.TABLES`) by record id, each value converted; ids whose
    value is NULL (or that name no record) are absent. Read without decoding the records: one
    statement per id missed, or per `BATCH` ids with `load`."""

    limit = 16384

    def __init__(self, store: Store, stem: str, column: str, convert: Callable[[Any], V]) -> None:
        super().__init__()
        self.store, self.convert = store, convert
        self._sql = f'SELECT {column} FROM "{stem}" WHERE id = ?'
        self._many_sql = f'SELECT id, {column} FROM "{stem}" WHERE id IN (%s)'
        self._keys_sql = f'SELECT id FROM "{stem}" WHERE {column} IS NOT NULL ORDER BY rowid'
        self._count_sql = f'SELECT COUNT(*) FROM "{stem}" WHERE {column} IS NOT NULL'

    def _load(self, record_id: Any) -> V | None:
        found = self.store.one(self._sql, (record_id,)) if isinstance(record_id, str) else None
        return None if found is None else self.convert(found)

    def load(self, record_ids: Iterable[str]) -> None:
        """Reads the values of these ids that are neither kept nor known absent, a batch at a time."""
        for chunk in _chunks(self._to_load(record_ids)):
            if dict.__len__(self) + len(chunk) > self.limit:
                self.forget()
            found = dict(self.store.query(self._many_sql % ", ".join("?" * len(chunk)), chunk))
            for record_id in chunk:
                value = found.get(record_id)
                if value is not None:
                    dict.__setitem__(self, record_id, self.convert(value))
                else:
                    self._remember_absent(record_id)

    def _keys(self) -> Iterator[str]:
        return (record_id for (record_id,) in self.store.query(self._keys_sql))

    def _count(self) -> int:
        return int(self.store.one(self._count_sql))


class RecordList(Sequence[M], Generic[M]):
    """Records of one stem at given positions, decoded when read.

    Iterating one whose records are all decoded takes them from the stem's rows in one C-level
    step (a slice, or an `itemgetter` of the positions); otherwise each is decoded as it is reached.
    An index's list (`owner`) is then replaced there by the tuple of its records (see `Lists`).
    """

    def __init__(
        self, records: Records[M], positions: Sequence[int], owner: Lists[M] | None = None, key: str = ""
    ) -> None:
        self.records, self.positions, self._owner, self._key = records, positions, owner, key
        self._pick: Callable[[list[Any]], Any] | None = None

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
        positions = self.positions
        if len(positions) <= FAST_ITERATION:
            rows = self.records._rows
            got: Any  # the decoded rows at these positions, None where not decoded
            if type(positions) is range and positions.step == 1:
                got = rows[positions.start : positions.stop]
            else:
                pick = self._pick
                if pick is None:
                    pick = self._pick = _picker(positions)
                got = pick(rows)
            if all(got):  # records are always true: no `__bool__` or `__len__` (None: not decoded)
                if self._owner is not None:
                    self._owner._decoded(self._key, self, got)
                return iter(got)
        return self._decoding()

    def _decoding(self) -> Iterator[M]:
        """Decodes the records a chunk at a time (32, then twice as many up to `BATCH`): a statement
        per chunk, and a caller that stops early has not decoded much more than it read."""
        records, start, size = self.records, 0, 32
        while start < len(self.positions):
            chunk = self.positions[start : start + size]
            records.load(chunk)
            yield from map(records.at, chunk)
            start, size = start + size, min(2 * size, BATCH)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    return (items[start : start + BATCH] for start in range(0, len(items), BATCH))


def _picker(positions: Sequence[int]) -> Callable[[list[Any]], tuple[Any, ...]]:
    """Returns rows -> the rows at these positions, as a tuple (an itemgetter, for two or more)."""
    if len(positions) == 0:
        return lambda rows: ()
    if len(positions) == 1:
        only = positions[0]
        return lambda rows: (rows[only],)
    return itemgetter(*positions)


class Lists(LoadedMapping[str, Sequence[M]]):
    """One `*_by_*` index: key -> its records in file order (only keys with records are present).

    Indexes grouping a table on a column read that column's SQL index; the others, `lists` rows. A
    list is a lazy `RecordList` of positions until all its records were read, then their tuple
    (iterated in C). At most `limit` (`LIST_CACHE`) lists, holding at most `hold` (`RECORD_CACHE`)
    records between them, are kept at once.
    """

    limit = LIST_CACHE
    hold = RECORD_CACHE

    def __init__(self, store: Store, name: str, records: Records[M]) -> None:
        super().__init__()
        self.store, self.name, self.records = store, name, records
        self._held = 0
        if name in BY_COLUMN:
            stem, column = BY_COLUMN[name]
            self._sql = f'SELECT pos FROM "{stem}" WHERE {column} = ? ORDER BY pos'
            self._many_sql = f'SELECT {column}, pos FROM "{stem}" WHERE {column} IN (%s) ORDER BY 1, 2'
            self._keys_sql = f'SELECT DISTINCT {column} FROM "{stem}" WHERE {column} IS NOT NULL ORDER BY 1'
            self._params: tuple[str, ...] = ()
        else:
            self._sql = "SELECT pos FROM lists WHERE name = ? AND key = ? ORDER BY seq"
            self._many_sql = "SELECT key, pos FROM lists WHERE name = ? AND key IN (%s) ORDER BY key, seq"
            self._keys_sql = "SELECT DISTINCT key FROM lists WHERE name = ? ORDER BY 1"
            self._params = (name,)

    def _load(self, key: Any) -> RecordList[M] | None:
        if not isinstance(key, str):
            return None
        rows = self.store.query(self._sql, (*self._params, key))
        return RecordList(self.records, tuple(pos for (pos,) in rows), self, key) if rows else None

    def load(self, keys: Iterable[str]) -> None:
        """Reads the lists of these keys that are not kept yet, a statement per `BATCH` keys, and
        decodes their records (see `Records.load`): what a page is about to read for each of its items."""
        positions: list[int] = []
        for chunk in _chunks(self._to_load(keys)):
            if dict.__len__(self) + len(chunk) > self.limit:
                self.forget()
            found: dict[str, list[int]] = {}
            sql = self._many_sql % ", ".join("?" * len(chunk))
            for key, pos in self.store.query(sql, (*self._params, *chunk)):
                found.setdefault(key, []).append(pos)
                positions.append(pos)
            for key in chunk:
                if key in found:
                    dict.__setitem__(self, key, RecordList(self.records, tuple(found[key]), self, key))
                else:
                    self._remember_absent(key)
        self.records.load(positions)

    def _decoded(self, key: str, lazy: RecordList[M], records: Sequence[M]) -> None:
        """Keeps the records of a list that were all read, in its place (if it is still kept)."""
        if len(records) > self.hold or dict.get(self, key) is not lazy:
            return
        if self._held + len(records) > self.hold:
            self.forget()
            return
        self._held += len(records)
        dict.__setitem__(self, key, tuple(records))

    def forget(self) -> None:
        """Drops every list kept."""
        self._held = 0
        super().forget()

    def _keys(self) -> Iterator[str]:
        return (key for (key,) in self.store.query(self._keys_sql, self._params))

    def _count(self) -> int:
        return len(self.store.query(self._keys_sql, self._params))


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


class SeedTexts(LoadedMapping[str, str]):
    """Source id -> seed text, read from the snapshot when asked (at most 64 texts are kept)."""

    limit = 64

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def _load(self, source: Any) -> str | None:
        if not isinstance(source, str):
            return None
        found: str | None = self.store.one("SELECT text FROM seeds WHERE source = ?", (source,))
        return found

    def _keys(self) -> Iterator[str]:
        return (s for (s,) in self.store.query("SELECT source FROM seeds ORDER BY source"))

    def _count(self) -> int:
        return int(self.store.one("SELECT COUNT(*) FROM seeds"))


@dataclass(frozen=True)
class StoredDataset(Dataset):
    """A Dataset served from a snapshot (see `open_dataset`); `store` is the open file."""

    store: Store | None = field(default=None, repr=False, compare=False)


def open_dataset(path: Path, *, store: Store | None = None) -> StoredDataset:
    """Opens a snapshot read-only and returns its Dataset, records decoded when asked for.

    A small snapshot (at most DECODED_AT_OPEN records) has its stems of at most `WHOLE_TABLE` records
    decoded now, so they are among what the app freezes after start-up and the collector never walks
    them on a request's time; a large snapshot's start does not pay for that. `store`: the file,
    already open (as `ensure_snapshot` has it). Raises SnapshotError if the file is missing or not a
    snapshot of this format.
    """
    store = store or Store(path)
    tables: dict[str, Records[Any]] = {
        stem: Records(store, stem, model) for stem, model in FIXTURE_MODELS.items()
    }
    small = sum(len(table) for table in tables.values()) <= DECODED_AT_OPEN
    for table in tables.values() if small else ():
        if 0 < len(table) <= min(table.whole, table.limit):
            table.at(0)  # decodes it whole
    lists = {name: Lists(store, name, tables[stem]) for name, stem in LISTS.items()}
    files = {
        name: StoredFile(store, name, sha256, size)
        for name, sha256, size in store.query("SELECT name, sha256, bytes FROM files ORDER BY name")
    }
    return StoredDataset(
        tables=tables, seed_texts=SeedTexts(store), files=files, lists=lists, selectors=(), store=store
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
    """Opens the snapshot at `path` if it is the file its build wrote and matches the input files
    and code, else builds it first; returns the dataset and why it was (re)built (empty: current).

    `hashes` (from `input_hashes`) saves hashing again. The inputs' hashes and the snapshot's own are
    reused while a file's stamp is unchanged (`hash_cache_for`, `Store.damage`), so a start costs a
    `stat` per file; an edited row or damaged pages mean a rebuild. `build_lock` keeps workers from
    building it twice; a start finding no build running removes a dead one's temporary files.
    Raises FixtureError when the inputs are invalid, and SnapshotError, in one line naming the file,
    when it can be neither served nor rebuilt (a full disk, a read-only directory).
    """
    cache = hash_cache_for(path)
    with contextlib.suppress(OSError), build_lock(path, wait=False):
        pass  # taken only when no build runs: removes what a dead one left
    current = dict(hashes) if hashes is not None else input_hashes(fixtures_dir, seeds_dir, cache=cache)
    store, reasons = _checked(path, current, code)
    if store is not None:
        return open_dataset(path, store=store), []
    try:
        with build_lock(path):
            current = input_hashes(fixtures_dir, seeds_dir, cache=cache)
            store, _ = _checked(path, current, code)  # another process may have built it meanwhile
            if store is None:
                build_snapshot(path, fixtures_dir, seeds_dir, code=code, extra=extra, progress=progress)
    except (SnapshotError, OSError) as error:
        said = str(error) if isinstance(error, SnapshotError) else f"cannot write {path}: {error.strerror}"
        raise SnapshotError(f"{said}; it had to be rebuilt: {'; '.join(reasons)}") from None
    if store is None:
        store, left = _checked(path, input_hashes(fixtures_dir, seeds_dir, cache=cache), code)
        if store is None:
            raise SnapshotError(f"{path} still differs from the files after a build: {'; '.join(left)}")
    return open_dataset(path, store=store), reasons


def _checked(path: Path, hashes: Mapping[str, str], code: str) -> tuple[Store | None, list[str]]:
    """Opens the snapshot if it is the file its build wrote and matches these input hashes and
    code; else None and why not (the file is closed again)."""
    try:
        store = Store(path)
    except SnapshotError as error:
        return None, [str(error)]
    damage = store.damage()
    reasons = [damage] if damage is not None else stale_inputs(store, hashes, code)
    if reasons:
        store.close()
        return None, reasons
    return store, []
