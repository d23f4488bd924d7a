"""Test helpers for the API: one in-process app over the session's snapshot, and a `gql` shortcut.

The app is what `parley serve` runs: `create_app` over the dataset `open_snapshot` opens from the
SQLite snapshot of the data under test (built once per session, into the directory conftest.py
gives; elsewhere, as when bench/ imports this, into a temporary directory).
"""

from __future__ import annotations

import tempfile
import warnings
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.http.app import create_app, open_snapshot
from schema.model.dataset import Dataset
from tests.datafiles import FIXTURES, SEEDS

if TYPE_CHECKING:
    from starlette.testclient import TestClient

_SNAPSHOT_DIR: list[Path] = []


def use_snapshot_dir(directory: Path) -> None:
    """Puts the session's snapshot in `directory` (conftest.py calls this before any test runs)."""
    if not _SNAPSHOT_DIR:
        _SNAPSHOT_DIR.append(directory)


@cache
def snapshot_path() -> Path:
    """The session's snapshot file of the data under test, built on first use."""
    directory = _SNAPSHOT_DIR[0] if _SNAPSHOT_DIR else Path(tempfile.mkdtemp(prefix="parley-test-"))
    path = directory / "parley.db"
    _, reasons = open_snapshot(path, FIXTURES, SEEDS)
    assert reasons, f"{path} existed before the session built it"
    return path


@cache
def dataset() -> Dataset:
    """The snapshot-backed dataset `parley serve` serves, opened once for the whole test session."""
    opened, reasons = open_snapshot(snapshot_path(), FIXTURES, SEEDS)
    assert reasons == [], reasons  # current: opened, not rebuilt
    return opened


def make_client(app: Any, **options: Any) -> TestClient:
    """A TestClient over any ASGI app (Starlette's httpx2 nudge silenced: this project pins httpx)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        return TestClient(app, **options)


@cache
def client() -> TestClient:
    """A TestClient over the app serving the session's snapshot (built once)."""
    return make_client(create_app(dataset()), raise_server_exceptions=True)


def post(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """POSTs a query and returns the JSON body (any status)."""
    response = client().post("/graphql", json={"query": query, "variables": variables})
    body: dict[str, Any] = response.json()
    return body


def gql(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """POSTs a query that must succeed and returns its `data`."""
    response = client().post("/graphql", json={"query": query, "variables": variables})
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def error_of(query: str, variables: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    """POSTs a query that must fail and returns (HTTP status, its only error)."""
    response = client().post("/graphql", json={"query": query, "variables": variables})
    body = response.json()
    assert len(body.get("errors", [])) == 1, body
    error: dict[str, Any] = body["errors"][0]
    return response.status_code, error
