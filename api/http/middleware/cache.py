"""The response cache as ASGI middleware in front of /graphql: a hit never reaches routing or CORS.

It sits outermost but for Starlette's error middleware, so what it stores is the answer exactly as
the rest of the stack produced it (CORS, security headers and gzip included; Origin and whether
gzip is accepted are part of the key, and a gzip answer's ETag ends in -gzip). A miss reads the
request's parameters once (api/http/transport.py `read_received`) and leaves that reading in the
scope for the endpoint; it is run by the app and buffered: a GET answer gets a strong ETag and
`Vary: Accept` (and 304 to a matching If-None-Match), a POST answer is stored on its second sighting.
An answer with errors is stored only under the raw key: its locations belong to that spelling.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.engine.request import GraphQLRequest
from api.http.middleware.response_cache import CachedResponse, ResponseCache, etag_matches
from api.http.transport import read_received

logger = logging.getLogger("parley.http")
_SHAPING = (
    b"accept", b"accept-encoding", b"content-type", b"origin", b"if-none-match", b"content-length",
    b"content-encoding",
)  # fmt: skip


class ResponseCacheMiddleware:
    """Answers repeated GET and POST requests to `path` from a `ResponseCache`."""

    def __init__(
        self, app: ASGIApp, cache: ResponseCache, max_request_bytes: int, path: str = "/graphql"
    ) -> None:
        self.app, self.cache, self.max_request_bytes, self.path = app, cache, max_request_bytes, path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or scope["method"] not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        found: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            if name in _SHAPING and name not in found:
                found[name] = value
        accept = found.get(b"accept", b"")
        if method == "GET":
            raw: bytes = scope.get("query_string", b"")
            if len(raw) > self.max_request_bytes or b"text/html" in accept:
                await self.app(scope, receive, send)  # the playground, or too long for the cache
                return
        else:
            length = found.get(b"content-length", b"")
            coded = found.get(b"content-encoding", b"").strip().lower() not in (b"", b"identity")
            if coded or not length.isdigit() or int(length) > self.max_request_bytes:
                await self.app(scope, receive, send)  # the app streams and limits (or refuses) these
                return
            received = await _read_body(receive)
            if received is None:
                return  # the client went away mid-body: nobody to answer
            raw = received
            receive = _replaying(raw, receive)
        # gzip or not is all the edge's compression tells apart (api/http/middleware/edge.py).
        encoding = b"gzip" if b"gzip" in found.get(b"accept-encoding", b"") else b""
        shape = (accept, found.get(b"content-type", b""), found.get(b"origin", b""), encoding)
        raw_key = self.cache.request_key(method, raw, shape)
        cached = self.cache.get(raw_key)
        norm_key = None
        if cached is None:
            # Read once, as the endpoint reads it; the endpoint takes this reading from the scope.
            reading = read_received(scope, method, raw, shape[1].decode("latin-1"), self.max_request_bytes)
            if isinstance(reading.outcome, GraphQLRequest):
                norm_key = self.cache.normalised_request_key(method, reading.outcome, shape)
            cached = None if norm_key is None else self.cache.get(norm_key)
            if cached is not None:
                self.cache.put(raw_key, cached)
        if cached is not None:
            self.cache.hits += 1
            await _replay(cached, method, found.get(b"if-none-match", b""), send)
            return
        self.cache.misses += 1
        await self._miss(scope, receive, send, method, (raw_key, norm_key), found.get(b"if-none-match", b""))

    async def _miss(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        method: str,
        keys: tuple[Any, Any],
        if_none_match: bytes,
    ) -> None:
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        stored = None
        if method == "GET" or self.cache.seen_before(keys[1] or keys[0]):
            stored = self.cache.storable(start.get("status", 0), list(start.get("headers", [])), body)
        if stored is None:
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        self.cache.put(keys[0], stored)
        if keys[1] is not None and b'"errors"' not in stored.body:
            self.cache.put(keys[1], stored)
        await _replay(stored, method, if_none_match, send)


async def _read_body(receive: Receive) -> bytes | None:
    """Returns the whole body, or None when the client disconnected before it all arrived."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            logger.info("client disconnected before its request body arrived: POST /graphql")
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """Returns a receive that gives the app the body already read, then waits on the real one."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _replay(cached: CachedResponse, method: str, if_none_match: bytes, send: Send) -> None:
    if method != "GET":
        status, headers, body = 200, cached.post_headers, cached.body  # ETags describe GET resources
    elif etag_matches(if_none_match, cached.etag):
        status, headers, body = 304, cached.not_modified_headers, b""
    else:
        status, headers, body = 200, cached.get_headers, cached.body
    await send({"type": "http.response.start", "status": status, "headers": list(headers)})
    await send({"type": "http.response.body", "body": body})
