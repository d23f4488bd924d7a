"""The layers around every answer (inside the response cache, which stores what they produce):
security headers, and gzip that keeps ETags honest.

- `SecurityHeaders`: `X-Content-Type-Options: nosniff` on every response, and a restrictive
  Content-Security-Policy on HTML pages that do not bring their own (no framing, own origin only).
- Starlette's GZipMiddleware for bodies of 1 kB and more, inside `GzipETags`, which
  gives the gzip representation its own strong ETag (`"<tag>-gzip"`, as RFC 9110 asks of a different
  representation) and takes the suffix off again on If-None-Match, so a 304 still answers it.
  Brotli is not offered: Starlette has no brotli middleware and the gain over gzip on JSON this size
  does not pay for another native dependency.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTML_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
"""For HTML pages without a policy of their own."""
GZIP_SUFFIX = b"-gzip"
MINIMUM_SIZE = 1000


class SecurityHeaders:
    """Adds `nosniff` to every HTTP response and a default CSP to HTML responses lacking one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                html = headers.get("content-type", "").startswith("text/html")
                if html and "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = HTML_POLICY
            await send(message)

        await self.app(scope, receive, send_secured)


class GzipETags:
    """Suffixes the ETag of gzip-encoded answers, and unsuffixes If-None-Match on the way in."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        asked_for_gzip = False
        headers = []
        for name, value in scope["headers"]:
            if name == b"if-none-match" and GZIP_SUFFIX in value:
                asked_for_gzip = True
                value = value.replace(GZIP_SUFFIX + b'"', b'"')
            headers.append((name, value))
        scope = {**scope, "headers": headers}

        async def send_tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                etag = out.get("etag")
                gzipped = out.get("content-encoding") == "gzip"
                if etag and etag.endswith('"') and (gzipped or (message["status"] == 304 and asked_for_gzip)):
                    out["ETag"] = etag[:-1] + GZIP_SUFFIX.decode() + '"'
            await send(message)

        await self.app(scope, receive, send_tagged)


def edge_middleware() -> list[Middleware]:
    """Returns the edge middleware, outermost first: security headers, then gzip with ETags."""
    return [
        Middleware(SecurityHeaders),
        Middleware(GzipETags),
        Middleware(GZipMiddleware, minimum_size=MINIMUM_SIZE),
    ]
