"""Test helpers for the API: one in-process app over the real fixtures, and a `gql` shortcut."""

from __future__ import annotations

import tempfile
import warnings
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.http.app import create_app, open_snapshot
from schema.store.reader import StoredDataset

if TYPE_CHECKING:
    from starlette.testclient import TestClient

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
SEEDS = REPO / "seeds"


@cache
def dataset() -> StoredDataset:
    """The real dataset as `parley serve` serves it: the snapshot, built once for the whole session
    into a temporary directory."""
    built, _ = open_snapshot(Path(tempfile.mkdtemp(prefix="parley-test-")) / "parley.db", FIXTURES, SEEDS)
    return built


@cache
def client() -> TestClient:
    """A TestClient over the app serving the real dataset (built once)."""
    with warnings.catch_warnings():
        # Starlette nudges towards httpx2; the httpx-based TestClient is what this project pins.
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        return TestClient(create_app(dataset()), raise_server_exceptions=True)


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
