"""One parse per request: the response cache and the /graphql endpoint share one read of a request.

Each request goes through the in-process client while a profiler and a patched `orjson.loads` count,
in whichever module or under whatever name they happen:

- deliveries: how many times the body is handed to a reader, i.e. the http.request messages any
  `receive` returns (the server's, or one replaying a body read before), in whole bodies;
- decodes: `orjson.loads` calls on the body;
- readings: calls of `api.engine.request.request_from`, the reading of the GraphQL parameters;
- query strings: `urllib.parse.parse_qsl` calls on a GET's query string (Starlette's and ours).
"""

from __future__ import annotations

import sys
import threading
import urllib.parse
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from types import FrameType
from typing import TYPE_CHECKING, Any

import orjson
import pytest

import api.engine.request
from api.http.app import create_app
from api.http.middleware.cache import ResponseCacheMiddleware
from api.http.middleware.response_cache import ResponseCache
from tests.api_client import dataset

if TYPE_CHECKING:
    from starlette.testclient import TestClient

_READ_PARAMETERS = api.engine.request.request_from.__code__
_PARSE_QSL = urllib.parse.parse_qsl.__code__


@dataclass
class Counts:
    """What one request cost in reads of its body and readings of its parameters."""

    body: bytes
    query_string: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    decodes: int = 0
    readings: int = 0
    query_strings: int = 0

    @property
    def deliveries(self) -> float:
        """Whole bodies handed to readers (a body sent in chunks comes in several messages)."""
        return sum(len(m.get("body", b"")) for m in self.messages) / len(self.body)


@cache
def fresh() -> tuple[TestClient, ResponseCache]:
    """A client over its own app (its own response cache), and that cache."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Starlette nudges towards httpx2; the project pins httpx
        from starlette.testclient import TestClient

        app = create_app(dataset())
    found = next(m for m in app.user_middleware if m.cls is ResponseCacheMiddleware)  # type: ignore[comparison-overlap]
    response_cache = found.kwargs["cache"]
    assert isinstance(response_cache, ResponseCache)
    return TestClient(app), response_cache


def _carries(returned: Any, body: bytes) -> bool:
    """Whether a returned value is an ASGI message carrying (part of) the body."""
    if not body or not isinstance(returned, dict) or returned.get("type") != "http.request":
        return False
    part = returned.get("body")
    return isinstance(part, bytes) and bool(part) and part in body


@contextmanager
def counting(monkeypatch: pytest.MonkeyPatch, body: bytes = b"", query_string: str = "") -> Iterator[Counts]:
    """Counts, while the block runs, the reads of `body` and of `query_string` (see the module)."""
    counts = Counts(body, query_string)

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code is _READ_PARAMETERS:
            counts.readings += 1
        elif event == "call" and frame.f_code is _PARSE_QSL and query_string:
            counts.query_strings += frame.f_locals.get("qs") == query_string
        elif event == "return" and _carries(arg, body) and all(arg is not m for m in counts.messages):
            counts.messages.append(arg)  # a wrapper passing a message on returns the same object

    loads = orjson.loads

    def counted_loads(data: Any) -> Any:
        if body and data == body:
            counts.decodes += 1
        return loads(data)

    monkeypatch.setattr(orjson, "loads", counted_loads)
    threading.setprofile(profile)  # the client runs the app in a thread of its own per request
    sys.setprofile(profile)
    try:
        yield counts
    finally:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
        monkeypatch.undo()


def _post(client: TestClient, body: bytes, content_type: str = "application/json", **kwargs: Any) -> Any:
    return client.post("/graphql", content=body, headers={"content-type": content_type, **kwargs})


def _body(query: str, **params: Any) -> bytes:
    return orjson.dumps({"query": query, **params})


def test_a_post_cache_miss_is_read_and_decoded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    client, response_cache = fresh()
    body = _body("{ meta { version } }", operationName=None)
    misses = response_cache.misses
    with counting(monkeypatch, body) as counts:
        response = _post(client, body)
    assert response.status_code == 200 and "errors" not in response.json()
    assert response_cache.misses == misses + 1  # the endpoint answered it
    assert (counts.deliveries, counts.decodes, counts.readings) == (1, 1, 1)


def test_a_post_cache_hit_is_read_once_and_decoded_at_most_once(monkeypatch: pytest.MonkeyPatch) -> None:
    client, response_cache = fresh()
    body = _body("{ claims(first: 1) { totalCount } }")
    first, second = _post(client, body), _post(client, body)  # stored on its second sighting
    hits = response_cache.hits
    with counting(monkeypatch, body) as counts:
        third = _post(client, body)
    assert response_cache.hits == hits + 1
    assert first.content == second.content == third.content
    # The raw bytes key the answer: nothing is decoded.
    assert (counts.deliveries, counts.decodes, counts.readings) == (1, 0, 0)
    # Another spelling of the same request: decoded and read once, to find the normalised key.
    respelled = _body("{claims(first:1){totalCount}}", variables=None)
    with counting(monkeypatch, respelled) as counts:
        fourth = _post(client, respelled)
    assert response_cache.hits == hits + 2 and fourth.content == first.content
    assert (counts.deliveries, counts.decodes, counts.readings) == (1, 1, 1)


@pytest.mark.parametrize(
    ("body", "content_type", "status", "decodes", "readings"),
    [
        (_body("{ nope }"), "application/json", 200, 1, 1),  # GraphQL errors: stored raw only
        (_body("", variables={}), "application/json", 400, 1, 1),  # no query: the endpoint refuses
        (b"[" + _body("{ meta { version } }") + b"]", "application/json", 400, 1, 0),  # batched
        (b'{"query": ', "application/json", 400, 1, 0),  # not JSON
        (_body("{ meta { version } }"), "text/plain", 415, 0, 0),  # not read as JSON at all
        (orjson.dumps({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}}),
         "application/json", 400, 1, 1),  # a hash alone: no normalised key, unknown hash
    ],
)  # fmt: skip
def test_an_uncacheable_post_is_read_once(
    monkeypatch: pytest.MonkeyPatch, body: bytes, content_type: str, status: int, decodes: int, readings: int
) -> None:
    client, _ = fresh()
    with counting(monkeypatch, body) as counts:
        response = _post(client, body, content_type)
    assert response.status_code == status, response.text
    assert (counts.deliveries, counts.decodes, counts.readings) == (1, decodes, readings)


def test_a_body_the_cache_does_not_read_is_read_once_by_the_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    client, _ = fresh()
    body = _body("{ outlets(first: 1) { totalCount } }")

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked, streamed by the endpoint
        yield body[:7]
        yield body[7:]

    with counting(monkeypatch, body) as counts:
        response = client.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 200 and "errors" not in response.json()
    assert (counts.deliveries, counts.decodes, counts.readings) == (1, 1, 1)


def test_a_get_reads_its_query_string_once(monkeypatch: pytest.MonkeyPatch) -> None:
    client, response_cache = fresh()
    url = "/graphql?" + urllib.parse.urlencode({"query": "{ parties(first: 1) { totalCount } }"})
    query_string = url.partition("?")[2]
    misses, hits = response_cache.misses, response_cache.hits
    with counting(monkeypatch, query_string=query_string) as counts:
        first = client.get(url)
    assert first.status_code == 200 and response_cache.misses == misses + 1
    assert (counts.query_strings, counts.readings) == (1, 1)
    with counting(monkeypatch, query_string=query_string) as counts:
        second = client.get(url)  # a GET answer is stored at once: the query string keys it
    assert second.content == first.content and response_cache.hits == hits + 1
    assert (counts.query_strings, counts.readings) == (0, 0)
    # What the cache leaves to the endpoint (a browser's Accept, HEAD) is still read once.
    for method, accept in (("GET", "text/html, application/json"), ("HEAD", "application/json")):
        with counting(monkeypatch, query_string=query_string) as counts:
            response = client.request(method, url, headers={"accept": accept})
        assert response.status_code == 200
        assert (counts.query_strings, counts.readings) == (1, 1)
