"""The verified snapshot: a loaded Dataset written once into one SQLite file that servers open read-only.

Layout (every table is also meant to be read by people, with `sqlite3` or Datasette):
- `manifest(key, value)`: `format`, `code` (hash of the loader and index code that wrote it),
  `input:fixtures/<name>` / `input:seeds/<name>` (sha256 of every input file) and `count:<stem>`.
- one table per fixture stem (`claims`, `citations`, ...): `pos` (file order), `id`, `body` (the
  record as JSON, exactly the fields the fixture set) and a few plain columns to query on (`COLUMNS`;
  the API answers root filters and orders from them: a partial date is also kept as its first and
  last day, `claims.said_from`/`said_to`, `sources.published_from`/`published_to`; `sources.story`
  is what `independent_stories` counts, `people.folded_name` the casefolded name).
- the Dataset's `*_by_*` indexes: those grouping a table on one of its columns (`claims.speaker`,
  `citations.claim`, ...) are SQL indexes on that column; the two derived through citations
  (`claims_by_source`, `claims_by_outlet`) are rows of `lists(name, key, seq, pos)`, as are the
  claims naming each topic (`claims_by_topic`, for the `topic` filter).
- `seeds(source, text)`, `files(name, sha256, bytes, content)`: seed texts, fixture bytes.
- tables the API adds through `extra` writers (spans, claim texts, FTS5 search tables).

The same inputs give the same file, byte for byte: rows go in in file order, nothing records a time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from schema.dataset import FIXTURE_MODELS, Dataset, gc_paused
from schema.models import Verified

FORMAT = "2"

Progress = Callable[[str, int, int], None]
"""progress(step, done, total): called as a build goes (total 0: a step without a count)."""

ExtraWriter = Callable[[Dataset, sqlite3.Connection, Progress], None]
"""Writes more tables (the API's derived indexes) into the snapshot being built."""

# Dataset index name -> (the fixture stem its lists hold, the column of that table it groups on).
BY_COLUMN: dict[str, tuple[str, str]] = {
    "citations_by_claim": ("citations", "claim"),
    "citations_by_source": ("citations", "source"),
    "claims_by_speaker": ("claims", "speaker"),
    "claims_by_negotiation": ("claims", "negotiation"),
    "delegates_by_negotiation": ("delegates", "negotiation"),
    "delegates_by_person": ("delegates", "person"),
    "sources_by_outlet": ("sources", "outlet"),
}
# Dataset index name -> the stem its lists hold, kept as rows of `lists` (not one column's values).
DERIVED: dict[str, str] = {"claims_by_source": "claims", "claims_by_outlet": "claims"}
LISTS: dict[str, str] = {**{name: stem for name, (stem, _) in BY_COLUMN.items()}, **DERIVED}
TOPICS = "claims_by_topic"
"""The `lists` rows of topic slug -> the positions of the claims naming it (root `topic` filters)."""


def _attested(value: Any) -> Any:
    return None if value is None else getattr(value, "value", value)


def _date(value: Any) -> str | None:
    return None if value is None else str(getattr(value, "date", value))


def _earliest(value: Any) -> str | None:
    """The first day a partial date can mean, ISO (strings in this shape sort as the days do)."""
    return None if value is None else str(value.earliest().isoformat())


def _latest(value: Any) -> str | None:
    """The last day a partial date can mean, ISO."""
    return None if value is None else str(value.latest().isoformat())


# Plain columns per stem, beside `body`, for people querying the file; the API decodes records from
# `body` and answers root filters from these columns (`*_from`/`*_to`: a partial date's first and
# last day, ISO).
COLUMNS: dict[str, dict[str, Callable[[Any], Any]]] = {
    "outlets": {"name": lambda r: r.name, "kind": lambda r: str(r.kind)},
    "sources": {
        "outlet": lambda r: r.outlet,
        "seed": lambda r: r.seed,
        "headline": lambda r: _attested(r.headline),
        "published_from": lambda r: _earliest(r.published_on),
        "published_to": lambda r: _latest(r.published_on),
        "story": lambda r: f"source:{r.id}" if r.credit is None else f"outlet:{r.credit.origin}",
    },
    "parties": {"name": lambda r: r.name},
    "people": {"name": lambda r: r.name, "folded_name": lambda r: r.name.casefold()},
    "negotiations": {"name": lambda r: r.name},
    "delegates": {"negotiation": lambda r: r.negotiation, "person": lambda r: r.person},
    "claims": {
        "speaker": lambda r: r.speaker,
        "negotiation": lambda r: r.negotiation,
        "said_on": lambda r: _date(r.said_on),
        "said_from": lambda r: _earliest(r.said_on),
        "said_to": lambda r: _latest(r.said_on),
        "summary": lambda r: r.summary,
    },
    "citations": {
        "claim": lambda r: r.claim,
        "source": lambda r: r.evidence.source,
        "mode": lambda r: str(r.mode),
        "start": lambda r: r.evidence.start,
        "end": lambda r: r.evidence.end,
        "exact": lambda r: r.evidence.exact,
    },
    "discrepancies": {},
}


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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return  # nowhere to keep it: the next check hashes those files again
    try:
        with os.fdopen(handle, "w") as out:
            json.dump({"format": HASH_CACHE_FORMAT, "files": dict(sorted(entries.items()))}, out)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)


def input_hashes(fixtures_dir: Path, seeds_dir: Path, *, cache: Path | None = None) -> dict[str, str]:
    """Returns manifest name -> sha256 of every input file (see `input_files`).

    With `cache` (a JSON file), a file whose size, mtime, ctime, inode and device are those it had
    when it was last hashed keeps that hash; any other file is read and hashed, and the cache is
    rewritten. Writing a file always moves its ctime (which no user call can set back), so an
    unchanged stamp means unchanged bytes; a file changed within RACY_NS of being hashed is not
    remembered, since a second write in the same clock tick could leave its stamp unchanged (git's
    "racy clean" rule). Without `cache`, every file is read.
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


def code_version(extra_sources: Iterable[Path] = ()) -> str:
    """Returns a hash of the loader's code (every schema/*.py) and of `extra_sources`.

    A snapshot written by other code (other checks, other derived tables) never counts as current.
    """
    digest = hashlib.sha256(FORMAT.encode())
    here = Path(__file__).resolve().parent
    for path in [*sorted(here.glob("*.py")), *extra_sources]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def record_json(record: Verified) -> str:
    """Returns a record as the JSON the snapshot stores: the fields its fixture set, nothing else."""
    return record.model_dump_json(exclude_unset=True)


def _no_progress(step: str, done: int, total: int) -> None:
    return None


def _write_records(conn: sqlite3.Connection, dataset: Dataset, progress: Progress) -> None:
    total = sum(dataset.counts().values())
    done = 0
    for stem in FIXTURE_MODELS:
        columns = COLUMNS[stem]
        names = "".join(f", {c}" for c in columns)
        conn.execute(
            f'CREATE TABLE "{stem}" (pos INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL'
            + "".join(f", {c}" for c in columns)
            + ")"
        )
        marks = ", ?" * len(columns)
        rows: list[tuple[Any, ...]] = []
        bodies = dataset.bodies.get(stem)  # the JSON the fixture gave each record, if kept
        for pos, record in enumerate(getattr(dataset, stem).values()):
            body = record_json(record) if bodies is None else bodies[pos]
            rows.append((pos, record.id, body, *(get(record) for get in columns.values())))
            if len(rows) >= 5000:
                conn.executemany(f'INSERT INTO "{stem}" (pos, id, body{names}) VALUES (?, ?, ?{marks})', rows)
                done += len(rows)
                rows = []
                progress("records", done, total)
        conn.executemany(f'INSERT INTO "{stem}" (pos, id, body{names}) VALUES (?, ?, ?{marks})', rows)
        done += len(rows)
        progress("records", done, total)


def _write_lists(conn: sqlite3.Connection, dataset: Dataset, progress: Progress) -> None:
    conn.execute(
        "CREATE TABLE lists (name TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL,"
        " pos INTEGER NOT NULL, PRIMARY KEY (name, key, seq)) WITHOUT ROWID"
    )
    positions = {
        stem: {record_id: i for i, record_id in enumerate(getattr(dataset, stem))}
        for stem in sorted(set(DERIVED.values()))
    }
    for name, stem in DERIVED.items():
        where = positions[stem]
        index: Mapping[str, Sequence[Verified]] = getattr(dataset, name)
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
    for number, (stem, column) in enumerate(BY_COLUMN.values(), start=1):
        conn.execute(f'CREATE INDEX "{stem}_by_{column}" ON "{stem}" ({column})')  # rows in pos order
        progress("indexes", number, len(BY_COLUMN))


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

    `inputs` is manifest name -> sha256 of the files it was loaded from; `code` the writer's
    `code_version`. The file is written beside `path` and renamed into place, so a server that has
    the old snapshot open keeps reading the old one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        with gc_paused():
            _write_file(temporary, dataset, inputs, code, extra, progress)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _write_file(
    temporary: str,
    dataset: Dataset,
    inputs: Mapping[str, str],
    code: str,
    extra: Sequence[ExtraWriter],
    progress: Progress,
) -> None:
    conn = sqlite3.connect(temporary, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA page_size=4096")
        conn.execute("BEGIN")
        conn.execute("CREATE TABLE manifest (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
        manifest = {"format": FORMAT, "code": code}
        manifest.update({f"input:{name}": digest for name, digest in sorted(inputs.items())})
        manifest.update({f"count:{stem}": str(n) for stem, n in dataset.counts().items()})
        conn.executemany("INSERT INTO manifest VALUES (?, ?)", sorted(manifest.items()))
        _write_records(conn, dataset, progress)
        _write_lists(conn, dataset, progress)
        conn.execute("CREATE TABLE seeds (source TEXT PRIMARY KEY, text TEXT NOT NULL)")
        conn.executemany("INSERT INTO seeds VALUES (?, ?)", sorted(dataset.seed_texts.items()))
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
            write(dataset, conn, progress)
        conn.execute("COMMIT")
        progress("done", 1, 1)
    finally:
        conn.close()
