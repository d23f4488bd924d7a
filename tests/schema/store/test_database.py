"""/downloads/parley.db as a reader opens it: downloaded from a real `parley serve`, read with sqlite3
(a typed table per entity, child tables, foreign keys that hold, enums spelled as the API spells
them, case-blind full-text search) and served by a real Datasette (entities listed, the engine's
tables hidden, a search box that finds "Trump", foreign-key links that land). Every expectation is
computed from fixtures/*.json."""

from __future__ import annotations

import contextlib
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from schema.load.references import REFERENCES
from schema.model.dataset import FIXTURE_MODELS
from schema.model.models import CitationMode
from schema.store.layout import BEGIN, END, TABLES, described_columns, markdown, reader_tables
from tests.datafiles import FIXTURES, REPO, read_records
from tests.live_server import free_port, parley_server

pytestmark = pytest.mark.e2e
DATASETTE = Path(sys.executable).parent / "datasette"
ENGINE_TABLES = ["lists", "spans", "claim_texts", "passage_texts", "person_names", "person_parties",
                 "manifest", "files", "search_claims", "claims_json"]  # fmt: skip
"""Tables only the engine reads (the issue names the first eight): never in a reader's way."""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, str]]:
    """(parley.db, metadata.json) downloaded from a real `parley serve`, and its base URL."""
    folder = tmp_path_factory.mktemp("database")
    with parley_server("--snapshot", str(folder / "served.db")) as base:
        for name in ("parley.db", "metadata.json"):
            response = httpx.get(f"{base}/downloads/{name}", timeout=60)
            assert response.status_code == 200, name
            (folder / name).write_bytes(response.content)
        yield folder / "parley.db", folder / "metadata.json", base


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)


def _words(text: str | None, word: str) -> bool:
    """Whether `word` is one of the text's words, case-blind (what the reader's FTS5 matches)."""
    return text is not None and re.search(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", text, re.I) is not None


def _spans(value: Any) -> Iterator[dict[str, Any]]:
    """Every evidence selector in a fixture record's JSON."""
    if isinstance(value, dict):
        if {"source", "exact", "start", "end"} <= value.keys():
            yield value
        for item in value.values():
            yield from _spans(item)
    elif isinstance(value, list):
        for item in value:
            yield from _spans(item)


def test_each_entity_is_a_table_of_typed_described_columns_in_file_order(
    served: tuple[Path, Path, str],
) -> None:
    db, _, _ = served
    conn = _connect(db)
    described = described_columns()
    for stem in FIXTURE_MODELS:
        info = conn.execute(f'PRAGMA table_info("{stem}")').fetchall()
        assert info, stem
        names = [row[1] for row in info]
        assert all(row[2] in ("TEXT", "INTEGER") for row in info), (stem, info)
        assert [row[1] for row in info if row[5]] == ["id"], stem  # the key readers link by
        assert "body" not in names, stem  # the record JSON is the engine's, in <stem>_json
        assert list(described[stem]) == names, stem  # every column described, none more
        records = read_records(FIXTURES, stem)
        rows = conn.execute(f'SELECT id, pos FROM "{stem}" ORDER BY pos').fetchall()
        assert rows == [(r["id"], pos) for pos, r in enumerate(records)], stem
    claims = read_records(FIXTURES, "claims")
    rows = conn.execute("SELECT id, speaker, summary, said_on, said_on_precision FROM claims ORDER BY pos")
    expected = [
        (c["id"], c["speaker"], c["summary"], (c.get("said_on") or {}).get("date"),
         (c.get("said_on") or {}).get("precision", "").upper() or None)
        for c in claims
    ]  # fmt: skip
    assert rows.fetchall() == expected


def test_lists_are_child_tables_and_every_span_is_a_row_of_evidence(served: tuple[Path, Path, str]) -> None:
    conn = _connect(served[0])
    topics = [
        (c["id"], i, t) for c in read_records(FIXTURES, "claims") for i, t in enumerate(c.get("topics", []))
    ]
    assert conn.execute("SELECT claim, seq, topic FROM claim_topics ORDER BY rowid").fetchall() == topics
    aliases = [
        (p["id"], i, a["name"])
        for p in read_records(FIXTURES, "people")
        for i, a in enumerate(p.get("aliases", []))
    ]
    assert conn.execute("SELECT person, seq, name FROM person_aliases ORDER BY rowid").fetchall() == aliases
    titles = [
        (d["id"], i, t["title"])
        for d in read_records(FIXTURES, "delegates")
        for i, t in enumerate(d["titles"])
    ]
    assert (
        conn.execute("SELECT delegate, seq, title FROM delegate_titles ORDER BY rowid").fetchall() == titles
    )
    spans = [(stem, r["id"], s["source"], s["exact"], s["start"], s["end"])
             for stem in FIXTURE_MODELS for r in read_records(FIXTURES, stem) for s in _spans(r)]  # fmt: skip
    got = conn.execute('SELECT entity, record, source, exact, start, "end" FROM evidence ORDER BY rowid')
    assert sorted(got.fetchall()) == sorted(spans)
    citations = read_records(FIXTURES, "citations")
    got = conn.execute('SELECT id, claim, source, exact, start, "end" FROM citations ORDER BY pos').fetchall()
    assert got == [(c["id"], c["claim"], *(c["evidence"][k] for k in ("source", "exact", "start", "end")))
                   for c in citations]  # fmt: skip


def test_foreign_keys_are_declared_and_hold(served: tuple[Path, Path, str], tmp_path: Path) -> None:
    conn = _connect(served[0])
    for stem, references in REFERENCES.items():
        declared = {(row[3], row[2], row[4]) for row in conn.execute(f'PRAGMA foreign_key_list("{stem}")')}
        for spec, target in references:
            if "[" not in spec:  # a list's references are its child table's
                assert (spec.replace(".", "_"), target, "id") in declared, (stem, spec)
    declared = {(row[3], row[2]) for row in conn.execute('PRAGMA foreign_key_list("citations")')}
    assert {("claim", "claims"), ("source", "sources")} <= declared
    for table in TABLES.values():
        for child in table.children:
            owners = {(row[3], row[2]) for row in conn.execute(f'PRAGMA foreign_key_list("{child.name}")')}
            assert (table.one, table.stem) in owners, child.name
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    broken = tmp_path / "broken.db"  # the check is not vacuous: a dangling speaker is reported
    shutil.copy(served[0], broken)
    with sqlite3.connect(broken) as edit:
        edit.execute("UPDATE claims SET speaker = 'nobody-at-all' WHERE pos = 0")
        found = edit.execute("PRAGMA foreign_key_check").fetchall()
        assert [row[:3] for row in found] == [("claims", 0, "people")]


def test_mode_is_spelled_as_the_api_spells_it(served: tuple[Path, Path, str]) -> None:
    db, _, base = served
    modes = dict(_connect(db).execute("SELECT id, mode FROM citations").fetchall())
    assert modes == {c["id"]: CitationMode(c["mode"]).name for c in read_records(FIXTURES, "citations")}
    api: dict[str, str] = {}
    after = None
    query = (
        "query($a: String) { citations(first: 100, after: $a) {"
        " nodes { slug mode } pageInfo { hasNextPage endCursor } } }"
    )
    while True:
        page = httpx.post(f"{base}/graphql", json={"query": query, "variables": {"a": after}}, timeout=30)
        found = page.json()["data"]["citations"]
        api.update({n["slug"]: n["mode"] for n in found["nodes"]})
        if not found["pageInfo"]["hasNextPage"]:
            break
        after = found["pageInfo"]["endCursor"]
    assert modes == api


def test_full_text_search_is_case_blind_on_the_original_text(served: tuple[Path, Path, str]) -> None:
    conn = _connect(served[0])
    expected = [c["id"] for c in read_records(FIXTURES, "claims") if _words(c["summary"], "Trump")]
    assert expected  # the fixtures do quote Trump
    for needle in ("Trump", "trump", "TRUMP"):
        rows = conn.execute("SELECT c.id FROM claims_fts f JOIN claims c ON c.pos = f.rowid"
                            " WHERE claims_fts MATCH ? ORDER BY c.pos", (needle,))  # fmt: skip
        assert [r for (r,) in rows] == expected, needle


def test_docs_describe_the_tables_the_file_holds(served: tuple[Path, Path, str]) -> None:
    text = (REPO / "docs" / "database.md").read_text(encoding="utf-8")
    assert f"{BEGIN}\n\n{markdown()}\n{END}" in text, "run: python -m schema.store.layout docs/database.md"
    names = {n for (n,) in _connect(served[0]).execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    shadow = re.compile(r".*_(data|idx|content|docsize|config)$")
    engine = sorted(n for n in names - reader_tables().keys() if not shadow.fullmatch(n))
    patterns = {f"{t.stem}_json": "`<stem>_json`" for t in TABLES.values()}
    patterns.update({t.fts: "`<stem>_fts`" for t in TABLES.values()})
    for name in engine:  # the engine's tables (and the search tables' pattern) are named in the doc
        assert patterns.get(name, f"`{name}`") in text, name


@contextlib.contextmanager
def _datasette(db: Path, *options: str) -> Iterator[str]:
    """A real Datasette serving the file on 127.0.0.1; yields its base URL."""
    port = free_port()
    command = [str(DATASETTE), "serve", str(db), "-h", "127.0.0.1", "-p", str(port), *options]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"datasette exited: {process.stdout.read() if process.stdout else ''}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/-/versions.json", timeout=2).status_code == 200:
                    break
            assert time.monotonic() < deadline, "datasette did not start"
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def _search(base: str, stem: str, needle: str) -> list[str]:
    """The ids Datasette's search box finds in a table (JSON API)."""
    params = {"_search": needle, "_shape": "objects", "_size": "max", "_col": "id"}
    response = httpx.get(f"{base}/parley/{stem}.json", params=params, timeout=30)
    assert response.status_code == 200, response.text
    return [row["id"] for row in response.json()["rows"]]


def test_datasette_lists_the_entities_hides_the_engine_and_its_search_box_finds_trump(
    served: tuple[Path, Path, str],
) -> None:
    db, metadata, _ = served
    with _datasette(db, "-m", str(metadata)) as base:
        tables = {t["name"]: t for t in httpx.get(f"{base}/parley.json", timeout=30).json()["tables"]}
        shown = sorted(name for name, t in tables.items() if not t["hidden"])
        assert shown == sorted(reader_tables())  # the entities, their lists, evidence, notes, seeds
        for name in ENGINE_TABLES:
            assert tables[name]["hidden"], name
        for stem in FIXTURE_MODELS:
            assert tables[stem]["count"] == len(read_records(FIXTURES, stem)), stem
        claims = read_records(FIXTURES, "claims")
        expected = [c["id"] for c in claims if _words(c["summary"], "Trump")]
        assert _search(base, "claims", "Trump") == expected
        page = httpx.get(f"{base}/parley/claims", timeout=30).text
        assert 'name="_search"' in page  # the search box
        assert TABLES["claims"].doc in page  # the description from the metadata
        people = {p["id"]: p["name"] for p in read_records(FIXTURES, "people")}
        first = claims[0]["speaker"]
        assert f'href="/parley/people/{first}">{people[first]}</a>' in page  # a labelled foreign key...
        landed = httpx.get(f"{base}/parley/people/{first}.json", params={"_shape": "objects"}, timeout=30)
        assert landed.json()["rows"][0]["name"] == people[first]  # ...that lands on the person
    with _datasette(db) as base:  # no metadata: Datasette finds the FTS table itself (content="claims")
        assert sorted(_search(base, "claims", "Trump")) == sorted(expected)  # listed by id then
        assert 'name="_search"' in httpx.get(f"{base}/parley/claims", timeout=30).text
