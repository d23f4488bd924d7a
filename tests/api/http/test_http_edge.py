"""The HTTP edge: HEAD, CORS for real browser clients, security headers, gzip, and graphql-http's
audit of a live server."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from api.http.app import create_app
from tests.api_client import dataset
from tests.nodejs import run_script


@pytest.fixture(scope="module")
def client() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from starlette.testclient import TestClient

        return TestClient(create_app(dataset()))


def test_head_is_answered_as_get_without_a_body(client: Any) -> None:
    params = {"query": "{ meta { name } }"}
    get = client.get("/graphql", params=params)
    head = client.head("/graphql", params=params)
    assert get.status_code == head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"] == "application/json; charset=utf-8"
    assert int(head.headers["content-length"]) == len(get.content)
    browser = client.head("/graphql", headers={"accept": "text/html"})
    assert browser.status_code == 200 and browser.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    "requested",
    ["authorization", "apollo-require-preflight", "x-apollo-operation-name", "content-type, x-any"],
)
def test_a_preflight_allows_the_headers_real_clients_send(client: Any, requested: str) -> None:
    response = client.options(
        "/graphql",
        headers={
            "origin": "http://127.0.0.1:9999",
            "access-control-request-method": "POST",
            "access-control-request-headers": requested,
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-allow-headers"] == requested
    assert "Access-Control-Request-Headers" in response.headers["vary"]
    assert "credentials" not in " ".join(response.headers.keys()).lower()


def test_every_response_says_nosniff_and_html_pages_carry_a_policy(client: Any) -> None:
    for path in ("/graphql?query={__typename}", "/fixtures/claims.json", "/healthz", "/nowhere"):
        assert client.get(path).headers["x-content-type-options"] == "nosniff", path
    index = client.get("/", headers={"accept": "text/html"})
    assert "frame-ancestors 'none'" in index.headers["content-security-policy"]
    playground = client.get("/playground")
    policy = playground.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "connect-src 'self'" in policy


def test_large_bodies_are_gzipped_with_their_own_etag_and_304s_still_match(client: Any) -> None:
    plain = client.get("/fixtures/claims.json", headers={"accept-encoding": "identity"})
    gzipped = client.get("/fixtures/claims.json", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert gzipped.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in gzipped.headers["vary"]
    assert gzipped.content == plain.content  # httpx decodes it
    assert gzipped.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
    for etag, encoding in ((gzipped.headers["etag"], "gzip"), (plain.headers["etag"], "identity")):
        headers = {"if-none-match": etag, "accept-encoding": encoding}
        again = client.get("/fixtures/claims.json", headers=headers)
        assert again.status_code == 304 and again.headers["etag"] == etag
    small = client.get("/healthz", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in small.headers  # under 1 kB: not worth it


def test_graphql_get_answers_gzip_and_revalidate(client: Any) -> None:
    params = {"query": "{ claims { nodes { summary } } }"}
    first = client.get("/graphql", params=params, headers={"accept-encoding": "gzip"})
    assert first.headers["content-encoding"] == "gzip" and first.headers["etag"].endswith('-gzip"')
    again = client.get(
        "/graphql", params=params, headers={"accept-encoding": "gzip", "if-none-match": first.headers["etag"]}
    )
    assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"]


@pytest.fixture(scope="module")
def endpoint(live_server: str) -> str:
    return f"{live_server}/graphql"


@pytest.mark.e2e
def test_graphql_http_audit_passes_every_item(endpoint: str) -> None:
    audit = run_script("audit.mjs", endpoint)
    assert audit["failed"] == []
    assert (audit["ok"], audit["total"]) == (61, 61)


def test_each_representation_of_a_get_answer_has_its_own_etag(client: Any) -> None:
    params = {"query": "{ meta { name } }"}
    json_answer = client.get("/graphql", params=params, headers={"accept": "application/json"})
    graphql_answer = client.get(
        "/graphql", params=params, headers={"accept": "application/graphql-response+json"}
    )
    assert json_answer.content == graphql_answer.content
    assert json_answer.headers["etag"] != graphql_answer.headers["etag"]
    assert json_answer.headers["cache-control"] == "public, max-age=300, must-revalidate"
    # Each ETag revalidates only its own representation.
    crossed = client.get(
        "/graphql",
        params=params,
        headers={"accept": "application/graphql-response+json", "if-none-match": json_answer.headers["etag"]},
    )
    assert crossed.status_code == 200
    revalidate = {"accept": "application/json", "if-none-match": json_answer.headers["etag"]}
    same = client.get("/graphql", params=params, headers=revalidate)
    assert same.status_code == 304
