"""`GET /healthz` answered by the outermost ASGI layer, before the response cache, CORS, gzip and
routing, and never touching the engine: a load balancer's health check gets its answer within
milliseconds however busy the engine is (requests wait in line for the engine, `Engine.run`, which
costs the event loop nothing, so it stays free to answer this)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

PATH = "/healthz"
BODY = b'{"status":"ok"}'
_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(BODY)).encode("ascii")),
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
]


class HealthCheck:
    """Answers GET and HEAD /healthz itself (liveness: the app exists only once its dataset is open);
    everything else goes on to `app`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == PATH and scope["method"] in ("GET", "HEAD"):
            await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
            await send({"type": "http.response.body", "body": BODY if scope["method"] == "GET" else b""})
            return
        await self.app(scope, receive, send)
