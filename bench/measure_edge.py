"""CPU per request through the apps' ASGI stacks, in-process: parley's app against the raw limit.

Run: .venv/bin/python -m bench.measure_edge [--batches 5] [--requests 400] [--profile SCENARIO]

No server, no sockets: each request is a scope, a receive and a send called straight on the app, so
what is measured is what the app does per request (middleware, routing, headers, gzip decision,
ETag, the engine for /graphql) and nothing of uvicorn or the machine's network. The raw app
(bench/raw_app.py) answers the same bytes; the difference is parley's own per-request cost outside
uvicorn. Scenarios: the download of claims.json, the warm and cold 20-claim query (asOf varies as
bench/wrk.py varies it), with and without `Accept-Encoding: gzip`. Prints CPU microseconds per
request of the best batch. With --profile, cProfile's top functions of one scenario instead.
Not a test: it reports figures.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import json
import pstats
import time
from collections.abc import Callable, Iterator
from typing import Any

from bench import queries as q
from bench.run import REAL

Scenario = Callable[[], tuple[str, str, bytes, list[tuple[bytes, bytes]]]]


def _scenarios() -> dict[str, Scenario]:
    days: Iterator[str] = ((dt.date(2030, 1, 1) + dt.timedelta(days=i)).isoformat() for i in range(10**6))
    json_headers = [(b"content-type", b"application/json"), (b"accept", b"application/json")]

    def body(as_of: str) -> bytes:
        return json.dumps({"query": q.CLAIMS_20, "variables": {"asOf": as_of}}).encode()

    warm_body = body(q.WARM_AS_OF)
    gzip = [(b"accept-encoding", b"gzip, deflate")]
    return {
        "download": lambda: ("GET", "/fixtures/claims.json", b"", []),
        "download-gzip": lambda: ("GET", "/fixtures/claims.json", b"", gzip),
        "warm": lambda: ("POST", "/graphql", warm_body, json_headers),
        "cold": lambda: ("POST", "/graphql", body(next(days)), json_headers),
        "cold-gzip": lambda: ("POST", "/graphql", body(next(days)), json_headers + gzip),
    }


async def _call(app: Any, method: str, path: str, body: bytes, headers: list[tuple[bytes, bytes]]) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8000"), *headers, (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status: int = sent[0]["status"]
    return status


def _raw_app(parley: Any, scenario: Scenario) -> Any:
    """The raw limit, told to answer what parley answers for the scenario's first request."""
    from bench.raw_app import create_raw_app

    raw = create_raw_app()
    method, path, body, headers = scenario()
    captured: list[dict[str, Any]] = []

    async def capture() -> None:
        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            captured.append(message)

        scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "root_path": "",
                 "query_string": b"", "headers": headers, "scheme": "http", "server": ("127.0.0.1", 8000)}
        await parley(scope, receive, send)

    asyncio.run(capture())
    start = captured[0]
    content_type = dict(start["headers"]).get(b"content-type", b"application/json")
    answer = b"".join(m.get("body", b"") for m in captured[1:])
    put = [(b"x-answer-type", content_type), (b"content-length", str(len(answer)).encode())]
    asyncio.run(_call(raw, "PUT", "/_set", answer, put))
    return raw


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.measure_edge", description=__doc__)
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--requests", type=int, default=400, help="requests per batch")
    parser.add_argument("--profile", default=None, help="cProfile this scenario instead")
    parser.add_argument("--only", default=None, help="comma-separated scenarios")
    args = parser.parse_args(argv)

    from api.http.app import create_app

    parley = create_app(fixtures_dir=REAL[0], seeds_dir=REAL[1])
    scenarios = _scenarios()
    chosen = args.only.split(",") if args.only else list(scenarios)

    async def batch(app: Any, scenario: Scenario, n: int) -> float:
        requests = [scenario() for _ in range(n)]
        began = time.process_time()
        for request in requests:
            status = await _call(app, *request)
            assert status == 200, (status, request[:2])
        return (time.process_time() - began) / n * 1e6

    if args.profile:
        scenario = scenarios[args.profile]
        asyncio.run(batch(parley, scenario, 50))
        profiler = cProfile.Profile()
        profiler.enable()
        asyncio.run(batch(parley, scenario, args.requests))
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(35)
        return 0
    print(f"{'scenario':<16}{'parley us':>11}{'raw us':>9}{'ratio':>8}")
    for name in chosen:
        scenario = scenarios[name]
        raw = _raw_app(parley, scenario)
        asyncio.run(batch(parley, scenario, 50))  # warm-up: plans compiled, caches filled
        best = {"parley": float("inf"), "raw": float("inf")}
        for _ in range(args.batches):
            for label, app in (("parley", parley), ("raw", raw)):
                best[label] = min(best[label], asyncio.run(batch(app, scenario, args.requests)))
        print(f"{name:<16}{best['parley']:>11.1f}{best['raw']:>9.1f}{best['raw'] / best['parley']:>8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
