"""The one-step edge (api/http/middleware/edge.py) answers what Starlette's own CORS and gzip
middleware answer, plus its ETag and security rules, for every kind of answer the app sends."""

from __future__ import annotations

import asyncio
import gzip
import itertools
from typing import Any

import pytest
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import Message, Receive, Scope, Send

from api.http.middleware.edge import COMPRESS_LEVEL, HTML_POLICY, MINIMUM_SIZE, Edge
from api.http.transport import cors_options

BODIES = {
    "small json": (b"application/json", b'{"data":{}}'),
    "large json": (b"application/json; charset=utf-8", b'{"data":[' + b"1," * 2000 + b"1]}"),
    "html": (b"text/html; charset=utf-8", b"<p>" + b"x" * 3000 + b"</p>"),
    "png": (b"image/png", b"\x89PNG" + bytes(4000)),
    "sqlite": (b"application/vnd.sqlite3", bytes(range(256)) * 20),
}


def _inner(content_type: bytes, body: bytes, chunks: int, etag: bytes | None, vary: bytes | None) -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", content_type)]
        if chunks == 1:
            headers.append((b"content-length", str(len(body)).encode()))
        if etag is not None:
            headers.append((b"etag", etag))
        if vary is not None:
            headers.append((b"vary", vary))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        size = -(-len(body) // chunks)
        for i in range(chunks):
            part = body[i * size : (i + 1) * size]
            await send({"type": "http.response.body", "body": part, "more_body": i < chunks - 1})

    return app


def _call(app: Any, headers: list[tuple[bytes, bytes]]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/x", "headers": headers, "query_string": b""}
    asyncio.run(app(scope, receive, send))
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return sent[0]["status"], list(sent[0]["headers"]), body


def _decoded(headers: list[tuple[bytes, bytes]], body: bytes) -> bytes:
    return gzip.decompress(body) if (b"content-encoding", b"gzip") in headers else body


CASES = list(
    itertools.product(
        BODIES,
        [1, 3],  # one body, or streamed in three chunks
        [False, True],  # gzip accepted
        [False, True],  # an Origin (CORS)
        [None, b'"abc"'],  # the app's ETag
        [None, b"Origin"],  # the app's own Vary
    )
)


@pytest.mark.parametrize(("kind", "chunks", "accepts_gzip", "origin", "etag", "vary"), CASES)
def test_the_edge_answers_as_starlettes_cors_and_gzip_would(
    kind: str, chunks: int, accepts_gzip: bool, origin: bool, etag: bytes | None, vary: bytes | None
) -> None:
    content_type, body = BODIES[kind]
    request = [(b"host", b"x")]
    if accepts_gzip:
        request.append((b"accept-encoding", b"gzip, deflate"))
    if origin:
        request.append((b"origin", b"https://elsewhere.example"))
    inner = _inner(content_type, body, chunks, etag, vary)
    reference = GZipMiddleware(
        CORSMiddleware(inner, **cors_options()), minimum_size=MINIMUM_SIZE, compresslevel=COMPRESS_LEVEL
    )
    status, headers, sent = _call(Edge(inner, cors=cors_options()), request)
    expected_status, expected, expected_body = _call(reference, request)
    assert status == expected_status == 200
    assert _decoded(headers, sent) == _decoded(expected, expected_body) == body
    if accepts_gzip:
        assert sent == expected_body  # the same compression, byte for byte
    gzipped = (b"content-encoding", b"gzip") in headers
    # What the edge adds: the gzip ETag suffix, nosniff, and a policy on HTML.
    added = [(b"x-content-type-options", b"nosniff")]
    if content_type.startswith(b"text/html"):
        added.append((b"content-security-policy", HTML_POLICY.encode()))
    if etag is not None and gzipped:
        expected = [(n, b'"abc-gzip"' if n == b"etag" else v) for n, v in expected]
    assert headers == expected + added


def test_if_none_match_loses_its_gzip_suffix_and_a_304_gets_it_back() -> None:
    seen: list[list[tuple[bytes, bytes]]] = []

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(list(scope["headers"]))
        await send({"type": "http.response.start", "status": 304, "headers": [(b"etag", b'"abc"')]})
        await send({"type": "http.response.body", "body": b""})

    edge = Edge(inner, cors=cors_options())
    status, headers, _ = _call(edge, [(b"if-none-match", b'"abc-gzip"'), (b"accept-encoding", b"gzip")])
    assert seen[-1] == [(b"if-none-match", b'"abc"'), (b"accept-encoding", b"gzip")]
    nosniff = (b"x-content-type-options", b"nosniff")
    assert (status, headers) == (304, [(b"etag", b'"abc-gzip"'), (b"vary", b"Origin"), nosniff])
    status, headers, _ = _call(edge, [(b"if-none-match", b'"abc"')])
    assert headers[0] == (b"etag", b'"abc"')
