"""The whole-response cache: normalised keys, LRU bounds, what may be replayed, ETag and 304 for GET."""

from __future__ import annotations

import warnings
from functools import cache
from typing import TYPE_CHECKING

from api.http.app import create_app
from api.http.middleware.cache import ResponseCacheMiddleware
from api.http.middleware.response_cache import (
    CachedResponse,
    ResponseCache,
    etag_matches,
    normalise_query,
    normalised_key,
)
from tests.api_client import dataset

if TYPE_CHECKING:
    from starlette.testclient import TestClient

QUERY = "{ claims(first: 2) { nodes { summary } } }"
ANSWER = (
    b'{"data":{"claims":{"nodes":[{"summary":"Trump said the US is doing well with China."},'
    b'{"summary":"Trump said China is not easy."}]}}}'
)


@cache
def fresh() -> tuple[TestClient, ResponseCache]:
    """A client over its own app, and that app's response cache."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from starlette.testclient import TestClient

        app = create_app(dataset())
    found = next(m for m in app.user_middleware if m.cls is ResponseCacheMiddleware)  # type: ignore[comparison-overlap]
    cache_ = found.kwargs["cache"]
    assert isinstance(cache_, ResponseCache)
    return TestClient(app), cache_


def test_normalise_query_drops_only_insignificant_characters() -> None:
    assert normalise_query("query Q($a: Int, $b: [ID!]) {\n  x(a: $a) { ...F  ... on T { y } } }") == (
        "query Q($a:Int$b:[ID!]){x(a:$a){...F...on T{y}}}"
    )
    assert normalise_query("{ meta { version } }") == normalise_query("{meta{version}}") == "{meta{version}}"
    # Strings and comments could hold meaningful whitespace: such queries are kept as sent.
    assert normalise_query('{ search(text: "a  b") { matched } }') == '{ search(text: "a  b") { matched } }'
    assert normalise_query("{ meta # note\n { version } }") == "{ meta # note\n { version } }"


def test_normalised_key_uses_canonical_variables() -> None:
    one = normalised_key({"query": "{a}", "variables": {"x": 1, "y": [2]}}, (b"*/*",))
    two = normalised_key({"query": "{ a }", "variables": '{"y": [2], "x": 1}'}, (b"*/*",))
    # query, variables, operationName, persisted-query hash, then the shaping headers
    assert one == two == ("{a}", b'{"x":1,"y":[2]}', None, None, b"*/*")
    assert normalised_key({"query": "{a}", "operationName": ["x"]}, ()) is None
    assert normalised_key({"query": 3}, ()) is None
    # Read as the engine reads them: a falsy non-string operationName or a non-object extensions is
    # a bad request, never the key of the valid query (graphql-http's audit 6C01, 6C02, 58B0-58B3).
    for bad in ({"operationName": 0}, {"operationName": False}, {"extensions": "x"}, {"extensions": [1]}):
        assert normalised_key({"query": "{a}", **bad}, ()) is None


def test_lru_evicts_the_least_recently_used_within_both_bounds() -> None:
    # Keys are 32-byte digests, and the byte budget counts each entry's whole footprint (key,
    # slot, answer and headers), not only its body: the budget here fits two small entries.
    one = ResponseCache()
    one.put(b"a" * 32, CachedResponse(b"1234", b'"e"', (), (), ()))
    lru = ResponseCache(max_entries=2, max_bytes=2 * one.bytes_held())
    lru.put(b"a" * 32, CachedResponse(b"1234", b'"e"', (), (), ()))
    lru.put(b"b" * 32, CachedResponse(b"1234", b'"e"', (), (), ()))
    assert lru.get(b"a" * 32) is not None  # a is now the most recent
    lru.put(b"c" * 32, CachedResponse(b"1234", b'"e"', (), (), ()))
    assert list(lru.entries) == [b"a" * 32, b"c" * 32]
    lru.put(b"d" * 32, CachedResponse(b"12345678", b'"f"', (), (), ()))
    assert list(lru.entries) == [b"d" * 32] and lru.bytes_held() == one.bytes_held() + 4


def test_only_clean_json_200s_are_stored() -> None:
    lru = ResponseCache(max_body=20)
    json_headers = [(b"content-length", b"11"), (b"content-type", b"application/json"), (b"vary", b"Origin")]
    stored = lru.storable(200, json_headers, b'{"data":{}}')
    # The ETag hashes the media type with the body: one per representation.
    assert stored is not None and stored.etag == b'"8669a7d280e3b678c84ce26c31471bcf"'
    assert stored.post_headers == tuple(json_headers)
    assert stored.get_headers == (
        (b"content-length", b"11"),
        (b"content-type", b"application/json"),
        (b"etag", b'"8669a7d280e3b678c84ce26c31471bcf"'),
        (b"vary", b"Accept, Origin"),
        (b"cache-control", b"public, max-age=300, must-revalidate"),
    )
    assert stored.not_modified_headers == stored.get_headers[2:]
    assert lru.storable(503, json_headers, b'{"data":{}}') is None
    assert lru.storable(200, [(b"content-type", b"text/html")], b"<html></html>") is None
    assert lru.storable(200, json_headers, b'{"errors":[{"requestId":"x"}]}') is None
    assert lru.storable(200, json_headers, b'{"data":{"long":"' + b"x" * 20 + b'"}}') is None


def test_etag_matching_follows_rfc_9110() -> None:
    assert etag_matches(b'"a", W/"b"', b'"b"')
    assert etag_matches(b"*", b'"z"')
    assert not etag_matches(b'"a"', b'"b"')
    assert not etag_matches(b"", b'"b"')


def test_equivalent_posts_share_one_entry_stored_on_the_second_sighting() -> None:
    client, lru = fresh()
    stored = len(lru.entries)
    first = client.post("/graphql", json={"query": QUERY})
    assert len(lru.entries) == stored  # a one-off POST costs no storing
    second = client.post("/graphql", json={"query": QUERY})
    assert len(lru.entries) == stored + 2  # under its raw and its normalised key
    before = (lru.hits, lru.misses)
    again = client.post("/graphql", json={"query": "{claims(first:2){nodes{summary}}}", "variables": None})
    assert first.content == second.content == again.content == ANSWER
    assert (lru.hits, lru.misses) == (before[0] + 1, before[1])
    assert "etag" not in again.headers  # an answer to POST carries no ETag


def test_get_answers_carry_an_etag_and_304_when_it_matches() -> None:
    client, _ = fresh()
    first = client.get("/graphql", params={"query": QUERY})
    assert first.status_code == 200 and first.content == ANSWER
    etag = first.headers["etag"]
    assert first.headers["vary"].startswith("Accept")
    revalidated = client.get("/graphql", params={"query": QUERY}, headers={"If-None-Match": etag})
    assert revalidated.status_code == 304
    assert revalidated.content == b""
    assert revalidated.headers["etag"] == etag
    stale = client.get("/graphql", params={"query": QUERY}, headers={"If-None-Match": '"other"'})
    assert stale.status_code == 200 and stale.content == ANSWER


def test_accept_and_content_type_are_part_of_the_key() -> None:
    client, _ = fresh()
    client.post("/graphql", json={"query": QUERY})
    typed = client.post(
        "/graphql", json={"query": QUERY}, headers={"Accept": "application/graphql-response+json"}
    )
    assert typed.headers["content-type"] == "application/graphql-response+json; charset=utf-8"
    plain = client.post(
        "/graphql", content=b'{"query": "{ meta { version } }"}', headers={"Content-Type": "text/plain"}
    )
    assert plain.status_code == 415


def test_errors_are_answered_afresh_each_time() -> None:
    client, lru = fresh()
    body = {"query": "{ noSuchField }"}
    first = client.post("/graphql", json=body, headers={"Accept": "application/graphql-response+json"})
    assert first.status_code == 400
    misses = lru.misses
    client.post("/graphql", json=body, headers={"Accept": "application/graphql-response+json"})
    assert lru.misses == misses + 1
