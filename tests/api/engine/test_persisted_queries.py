"""Automatic persisted queries (Apollo's protocol) and trusted documents (`--persisted-only`)."""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from api.budget import ENTRY_BYTES, text_bytes
from api.engine.persisted import PersistedQueries, sha256_hex
from api.engine.request import GraphQLRequest
from api.http.app import create_app
from api.http.views import permalinks
from api.http.views.playground import load_examples
from tests.api_client import dataset
from tests.datafiles import EXAMPLES
from tests.live_server import parley_server
from tests.nodejs import run_script

QUERY = "{ meta { name } }"
HASH = hashlib.sha256(QUERY.encode()).hexdigest()


def _client(**options: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from starlette.testclient import TestClient

        return TestClient(create_app(dataset(), **options))


def _extensions(digest: str = HASH, version: int = 1) -> str:
    return json.dumps({"persistedQuery": {"version": version, "sha256Hash": digest}})


def test_a_hash_alone_is_not_found_until_the_query_is_sent_with_it() -> None:
    client = _client()
    before = client.get("/graphql", params={"extensions": _extensions()})
    assert before.status_code == 400
    assert before.headers["cache-control"] == "no-store"
    assert before.json() == {
        "errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]
    }
    registered = client.post("/graphql", json={"query": QUERY, "extensions": json.loads(_extensions())})
    assert registered.json() == {"data": {"meta": {"name": "parley"}}}
    after = client.get("/graphql", params={"extensions": _extensions()})
    assert after.status_code == 200 and after.json() == {"data": {"meta": {"name": "parley"}}}
    assert after.headers["etag"]  # a GET by hash is an ordinary cacheable GET


def test_a_wrong_hash_is_refused_and_nothing_is_stored() -> None:
    client = _client()
    wrong = "0" * 64
    refused = client.post("/graphql", json={"query": QUERY, "extensions": json.loads(_extensions(wrong))})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    assert client.get("/graphql", params={"extensions": _extensions(wrong)}).status_code == 400


@pytest.mark.parametrize(
    "extensions",
    [
        {"persistedQuery": {"version": 2, "sha256Hash": HASH}},
        {"persistedQuery": {"version": 1, "sha256Hash": "ABC"}},
        {"persistedQuery": "yes"},
    ],
)
def test_malformed_persisted_query_extensions_are_bad_requests(extensions: dict[str, Any]) -> None:
    response = _client().post("/graphql", json={"query": QUERY, "extensions": extensions})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_persisted_only_runs_just_the_registered_examples() -> None:
    client = _client(persisted_only=True)
    example = client.app.state.engine.persisted.trusted
    digest, text = next(iter(example.items()))
    variables = next(tab.variables for tab in load_examples(EXAMPLES) if tab.query == text)
    params = {"extensions": _extensions(digest), "variables": json.dumps(variables)}
    by_hash = client.get("/graphql", params=params)
    assert by_hash.status_code == 200 and "errors" not in by_hash.json(), by_hash.json()
    exact = client.post("/graphql", json={"query": text, "variables": variables})  # its exact text works too
    assert exact.status_code == 200 and "errors" not in exact.json(), exact.json()
    other = client.post("/graphql", json={"query": QUERY})
    assert other.status_code == 400
    assert other.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_REQUIRED"
    # examples/*.graphql and the permalink pages' documents (their playground links)
    examples = [path.read_text(encoding="utf-8") for path in EXAMPLES.glob("*.graphql")]
    assert sorted(example.values()) == sorted(examples + permalinks.documents())


def test_the_store_counts_texts_and_keys_against_its_byte_budget() -> None:
    text = "{ meta { name } } #" + "0" * 81
    entry = text_bytes(text, sha256_hex(text)) + ENTRY_BYTES  # a stored query: its text, its hash, the entry
    store = PersistedQueries(max_bytes=10 * entry)
    for i in range(50):
        text = "{ meta { name } } #" + str(i).zfill(81)
        assert len(text) == 100
        store.resolve(GraphQLRequest(text, persisted_hash=sha256_hex(text)))
        assert store.stored.bytes_held() <= store.stored.max_bytes
    assert len(store.stored) == 10  # the oldest were evicted
    assert store.stored.bytes_held() == 10 * entry


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with parley_server() as base:
        yield f"{base}/graphql"


@pytest.mark.e2e
def test_apollo_clients_persisted_queries_link_against_a_live_server(endpoint: str) -> None:
    runs = run_script("apollo_persisted.mjs", endpoint)
    expected = {"claims": {"totalCount": 1, "nodes": [{"speaker": {"name": "Donald Trump"}}]}}

    def plain(data: Any) -> Any:  # Apollo adds __typename everywhere
        if isinstance(data, dict):
            return {k: plain(v) for k, v in data.items() if k != "__typename"}
        return [plain(v) for v in data] if isinstance(data, list) else data

    # First client: the hash alone by GET is unknown (400), the link retries with the query text.
    assert plain(runs["first"]["data"]) == expected
    assert runs["first"]["requests"] == [
        {"method": "GET", "withQuery": False, "status": 400},
        {"method": "POST", "withQuery": True, "status": 200},
    ]
    # A second client: the hash alone now answers, by GET.
    assert plain(runs["second"]["data"]) == expected
    assert runs["second"]["requests"] == [{"method": "GET", "withQuery": False, "status": 200}]
