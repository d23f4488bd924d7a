"""The limit: a raw Starlette endpoint that answers every request with precomputed bytes.

The harness PUTs the bytes (and their Content-Type) to /_set before each scenario; every other path
then answers with them. POST bodies are read, as any real endpoint must, and ignored.
"""

from __future__ import annotations

import argparse

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


class Precomputed:
    """The bytes to answer with and their media type."""

    body: bytes = b"{}"
    media_type: str = "application/json"


def create_raw_app() -> Starlette:
    """Returns the raw app: PUT /_set stores the answer; /graphql and /fixtures/<name> replay it."""
    current = Precomputed()

    async def set_answer(request: Request) -> Response:
        current.body = await request.body()
        current.media_type = request.headers.get("x-answer-type", "application/json")
        return Response(b"", status_code=204)

    async def answer(request: Request) -> Response:
        if request.method == "POST":
            await request.body()
        return Response(current.body, media_type=current.media_type)

    routes = [
        Route("/_set", set_answer, methods=["PUT"]),
        Route("/healthz", answer, methods=["GET"]),
        Route("/graphql", answer, methods=["GET", "POST"]),
        Route("/fixtures/{name:str}", answer, methods=["GET"]),
    ]
    return Starlette(routes=routes)


def main() -> None:
    """Serves the raw app with uvicorn's defaults but for the access log: the limit does nothing a
    bare endpoint would not do, and uvicorn's per-request log line would halve its throughput."""
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m bench.raw_app")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(create_raw_app(), host="127.0.0.1", port=args.port, access_log=False)


if __name__ == "__main__":
    main()
