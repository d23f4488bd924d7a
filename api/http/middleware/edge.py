"""The layer around every answer (inside the response cache, which stores what it produces): CORS,
gzip that keeps ETags honest, and security headers, as one pure-ASGI step.

- CORS: a request with an `Origin` goes through Starlette's CORSMiddleware (any origin, no
  credentials: api/http/transport.py `cors_options`); one without (every non-browser client) skips it.
- gzip for bodies of 1 kB and more when the client accepts it, with the rules of Starlette's
  GZipMiddleware (`Vary: Accept-Encoding` on every body that size, compressed or not; streamed
  bodies compressed chunk by chunk; large chunks compressed in a worker thread; already-encoded,
  partial and binary media left alone). The gzip representation gets its own strong ETag
  (`"<tag>-gzip"`, as RFC 9110 asks of a different representation) and the suffix comes off again on
  If-None-Match, so a 304 still answers it. Brotli is not offered: the gain over gzip on JSON this
  size does not pay for another native dependency.
- `X-Content-Type-Options: nosniff` on every response, and a restrictive Content-Security-Policy on
  HTML pages that do not bring their own (no framing, own origin only).

One step instead of four: each layer was a wrapper per request and a header parse per response.
Headers are read and written as the raw byte pairs ASGI carries, with every constant precomputed.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTML_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
"""For HTML pages without a policy of their own."""
GZIP_SUFFIX = b"-gzip"
MINIMUM_SIZE = 1000
COMPRESS_LEVEL = 4
"""zlib level for answers compressed as they are sent: on 8 kB of JSON it takes half the CPU of
level 9 for 3% more bytes. Bytes compressed once and kept (downloads) use level 9."""
GZIP_BODY = "parley.gzip"
"""Key of an `http.response.body` message that carries its body already gzipped (a download held in
memory, compressed once): sent instead of compressing the body again. Servers ignore unknown keys."""
THREAD_ABOVE = 128 * 1024
"""Chunks at least this long are compressed in a worker thread, not on the event loop."""

_NOSNIFF = (b"x-content-type-options", b"nosniff")
_CSP = (b"content-security-policy", HTML_POLICY.encode("latin-1"))
_VARY = b"Accept-Encoding"
_EXCLUDED = frozenset(
    t.partition(";")[0].strip().lower().encode("latin-1") for t in DEFAULT_EXCLUDED_CONTENT_TYPES
)


def gzip_bytes(body: bytes, level: int = COMPRESS_LEVEL) -> bytes:
    """Returns `body` as one gzip member (no file name, no time stamp: the same bytes every time)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(body) + compressor.flush()


def _excluded(content_type: bytes) -> bool:
    media = content_type.partition(b";")[0].strip().lower()
    if media in _EXCLUDED or media.partition(b"/")[0] + b"/*" in _EXCLUDED:
        return True
    return media.startswith(b"application/grpc+")


def _set(headers: list[tuple[bytes, bytes]], name: bytes, value: bytes) -> None:
    """Sets a header: replaces the first of that name (dropping any others) or appends it."""
    found = [i for i, (key, _) in enumerate(headers) if key == name]
    if not found:
        headers.append((name, value))
        return
    headers[found[0]] = (name, value)
    for i in reversed(found[1:]):
        del headers[i]


class Edge:
    """CORS, gzip with ETags, and security headers around `app`, in one step (see the module)."""

    def __init__(
        self,
        app: ASGIApp,
        cors: dict[str, Any],
        minimum_size: int = MINIMUM_SIZE,
        kept: Mapping[str, ASGIApp] | None = None,
    ) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, **cors)
        self.minimum_size = minimum_size
        self.kept = {} if kept is None else kept
        """Path -> the app answering a GET or HEAD of exactly that path (a download held in memory),
        called without routing; only paths the router would send to that same app belong here."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        accepts_gzip = asked_for_gzip = False
        encoding_seen = origin = False
        for name, value in scope["headers"]:
            if name == b"accept-encoding" and not encoding_seen:
                encoding_seen, accepts_gzip = True, b"gzip" in value
            elif name == b"origin":
                origin = True
            elif name == b"if-none-match" and GZIP_SUFFIX in value:
                asked_for_gzip = True
        if asked_for_gzip:
            old, new = GZIP_SUFFIX + b'"', b'"'
            inward = [(n, v.replace(old, new) if n == b"if-none-match" else v) for n, v in scope["headers"]]
            scope = {**scope, "headers": inward}
        outgoing = _Outgoing(send, accepts_gzip, asked_for_gzip, self.minimum_size, not origin)
        app = self.cors if origin else self.app
        if not origin and scope["method"] in ("GET", "HEAD"):
            app = self.kept.get(scope["path"], app)
        await app(scope, receive, outgoing.send)


class _Outgoing:
    """One answer on its way out: holds its start until the first body says whether to compress."""

    __slots__ = (
        "asked_for_gzip", "compressor", "gzip", "minimum_size", "passing", "send_next", "start",
        "vary_origin",
    )  # fmt: skip

    def __init__(
        self, send: Send, gzip: bool, asked_for_gzip: bool, minimum_size: int, vary_origin: bool
    ) -> None:
        self.send_next, self.gzip, self.asked_for_gzip = send, gzip, asked_for_gzip
        self.minimum_size = minimum_size
        self.vary_origin = vary_origin  # no Origin, so CORS was skipped: say what it would have
        self.start: Message | None = None
        self.passing = False  # the body goes out as the app sends it
        self.compressor: Any = None

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            self.start = message
            headers = message.setdefault("headers", [])
            if self.vary_origin:  # as CORSMiddleware answers a request without Origin
                varies = [value for name, value in headers if name == b"vary"]
                _set(headers, b"vary", b", ".join([*varies, b"Origin"]))
            content_type = b""
            for name, value in headers:
                if name == b"content-encoding":
                    self.passing = True
                elif name == b"content-type" and not content_type:
                    content_type = value
            if self.passing or message["status"] == 206 or _excluded(content_type):
                self.passing = True
                await self.send_next(self._finished(message))
            return
        if kind != "http.response.body":
            if kind == "http.response.pathsend" and not self.passing and self.start is not None:
                await self.send_next(self._finished(self.start))
                self.start = None
            await self.send_next(message)
            return
        if self.passing:
            await self.send_next(message)
            return
        body: bytes = message.get("body", b"")
        more: bool = message.get("more_body", False)
        start = self.start
        if start is None:  # a later chunk of a body being compressed
            if self.compressor is not None:
                message["body"] = await self._compress(body, more)
            await self.send_next(message)
            return
        self.start = None
        headers = start["headers"]
        if len(body) < self.minimum_size and not more:
            await self.send_next(self._finished(start))
            await self.send_next(message)
            return
        vary = next((v for n, v in headers if n == b"vary"), None)
        _set(headers, b"vary", _VARY if vary is None else vary + b", " + _VARY)
        if self.gzip:
            ready = None if more else message.get(GZIP_BODY)
            if ready is None:
                self.compressor = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            message["body"] = ready if ready is not None else await self._compress(body, more)
            headers.append((b"content-encoding", b"gzip"))
            if more or start.get("trailers", False):
                headers[:] = [(n, v) for n, v in headers if n != b"content-length"]
            else:
                _set(headers, b"content-length", str(len(message["body"])).encode("latin-1"))
        await self.send_next(self._finished(start))
        await self.send_next(message)

    async def _compress(self, body: bytes, more: bool) -> bytes:
        if len(body) >= THREAD_ABOVE:
            return await run_in_threadpool(self._compress_now, body, more)
        return self._compress_now(body, more)

    def _compress_now(self, body: bytes, more: bool) -> bytes:
        compressor = self.compressor
        end = zlib.Z_SYNC_FLUSH if more else zlib.Z_FINISH
        compressed: bytes = compressor.compress(body) + compressor.flush(end)
        return compressed

    def _finished(self, start: Message) -> Message:
        """The start message with its ETag suffixed for gzip and the security headers added."""
        headers: list[tuple[bytes, bytes]] = start["headers"]
        gzipped = html = has_policy = False
        etag_at = -1
        for i, (name, value) in enumerate(headers):
            if name == b"etag":
                etag_at = i if etag_at < 0 else etag_at
            elif name == b"content-encoding":
                gzipped = gzipped or value == b"gzip"
            elif name == b"content-type":
                html = html or value.startswith(b"text/html")
            elif name == b"content-security-policy":
                has_policy = True
        if etag_at >= 0 and (gzipped or (start["status"] == 304 and self.asked_for_gzip)):
            etag = headers[etag_at][1]
            if etag.endswith(b'"'):
                headers[etag_at] = (b"etag", etag[:-1] + GZIP_SUFFIX + b'"')
        _set(headers, *_NOSNIFF)
        if html and not has_policy:
            headers.append(_CSP)
        return start
