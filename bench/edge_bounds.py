"""The request's edge under abuse: memory with distinct large inputs, /healthz under load, the large
answer's tail at 1 and 16 connections. Real `parley serve` processes on 127.0.0.1; figures are
reported, never asserted. Bounded in time: about two minutes with the defaults.

- memory: RSS of one worker before and after `--requests` requests (default 5,000), one at a time,
  each with a distinct ~95 kB input: half to every text argument of the schema in turn (enumerated
  from it by tests/text_inputs.py; as a literal and as a variable), half distinct ~95 kB comments
  on a valid query (every fourth by GET, whose answers the response cache keeps at once).
- healthz: GET /healthz on a new connection every 20 ms during `--seconds` (default 60) of cold
  load (bench/queries.py CLAIMS_20, asOf varying) from wrk at `--connections` (default 64).
- large: the large scenario (1,000 claims, synth 1k, cold) with wrk at 1 and 16 connections.

    .venv/bin/python -m bench.edge_bounds                         # every phase
    .venv/bin/python -m bench.edge_bounds --phases memory --requests 2000
    .venv/bin/python -m bench.edge_bounds --tree /path/to/other/checkout   # the same, served from there
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench import queries as q
from bench.run import cold, synth_dataset
from bench.servers import REPO, Server
from bench.wrk import run_wrk
from tests.text_inputs import query_with, text_inputs

INPUT_CHARS = 95_000


SERVE_ARGS: list[str] = []
"""Extra `parley serve` arguments for every server (`--serve-args`), e.g. a setting to compare."""


def _server(name: str, tree: Path, *args: str) -> Server:
    """`parley serve` as shipped, run by the tree's own venv (its api and its settings)."""
    python = str(tree / ".venv" / "bin" / "python") if tree != REPO else sys.executable
    command = [python, "-m", "api.cli", "serve", "--host", "127.0.0.1", *args, *SERVE_ARGS]
    return Server(name, command, cwd=tree)


def _requests(count: int) -> Iterator[tuple[str, str, bytes]]:
    """The memory phase's requests: (method, target, body), each input distinct and ~95 kB (made one
    at a time: made all first, the connection would sit idle past the keep-alive timeout)."""
    places = text_inputs()
    for n in range(count):
        tag = f"{n:06d}"
        if n % 2 == 0:
            place = places[(n // 2) % len(places)]
            as_variable = (n // 2 // len(places)) % 2 == 1
            query, variables = query_with(place, tag + "x" * (INPUT_CHARS - 6), as_variable)
            yield "POST", "/graphql", json.dumps({"query": query, "variables": variables}).encode()
        else:
            query = "{ meta { version } claims(first: 1) { totalCount } } #" + tag + "c" * (INPUT_CHARS - 6)
            if n % 8 == 1:
                yield "GET", "/graphql?query=" + quote(query), b""
            else:
                yield "POST", "/graphql", json.dumps({"query": query}).encode()


def memory_phase(tree: Path, count: int) -> dict[str, Any]:
    server = _server("edge-memory", tree)
    server.start(timeout=300)
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        for _ in range(50):  # warm: first requests build what every later one shares
            connection.request("POST", "/graphql", b'{"query":"{ meta { version } }"}', headers)
            connection.getresponse().read()
        rss_start = server.rss_mb()
        statuses: dict[str, int] = {}
        began = time.perf_counter()
        for method, target, body in _requests(count):
            connection.request(method, target, body or None, headers)
            response = connection.getresponse()
            answer = response.read()
            errors = json.loads(answer).get("errors") if b'"errors"' in answer else None
            key = f"{response.status} {errors[0]['extensions']['code'] if errors else 'data'}"
            statuses[key] = statuses.get(key, 0) + 1
        seconds = time.perf_counter() - began
        connection.close()
        rss_end = server.rss_mb()
    finally:
        server.stop()
    return {
        "requests": count,
        "input_chars": INPUT_CHARS,
        "text_inputs": len(text_inputs()),
        "answers": dict(sorted(statuses.items())),
        "seconds": round(seconds, 1),
        "rss_mb": {"start": rss_start, "end": rss_end, "growth": round(rss_end - rss_start, 1)},
    }


def _probe(port: int, stop: threading.Event, latencies: list[float], failures: list[str]) -> None:
    """GET /healthz on a new connection every 20 ms until stopped; records each latency (ms)."""
    while not stop.is_set():
        began = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status != 200:
                failures.append(str(response.status))
        except OSError as error:
            failures.append(type(error).__name__)
        latencies.append((time.perf_counter() - began) * 1000)
        stop.wait(0.02)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 2)


def healthz_phase(tree: Path, seconds: float, connections: int, workers: int) -> dict[str, Any]:
    server = _server("edge-healthz", tree, "--workers", str(workers))
    server.start(timeout=300)
    try:
        latencies: list[float] = []
        failures: list[str] = []
        stop = threading.Event()
        prober = threading.Thread(target=_probe, args=(server.port, stop, latencies, failures))
        prober.start()
        try:
            load = run_wrk(server.url, cold(q.CLAIMS_20), seconds, connections)
        finally:
            stop.set()
            prober.join()
    finally:
        server.stop()
    return {
        "load": {"connections": connections, "workers": workers, **load.as_dict()},
        "healthz_ms": {
            "probes": len(latencies),
            "p50": _percentile(latencies, 0.50),
            "p99": _percentile(latencies, 0.99),
            "max": round(max(latencies), 2),
            "mean": round(statistics.fmean(latencies), 2),
        },
        "healthz_failures": failures,
    }


def large_phase(tree: Path, seconds: float, data_dir: Path) -> dict[str, Any]:
    fixtures, seeds = synth_dataset(1000, data_dir)
    server = _server("edge-large", tree, "--fixtures", str(fixtures), "--seeds", str(seeds))
    server.start(timeout=600)
    found: dict[str, Any] = {}
    try:
        run_wrk(server.url, cold(q.LARGE), 2, 4)  # warm: plans compiled, threads started
        for connections in (1, 16):
            result = run_wrk(server.url, cold(q.LARGE), seconds, connections)
            found[f"c{connections}"] = {
                "rps": result.rps,
                "p50_ms": result.p50_ms,
                "p99_ms": result.p99_ms,
                "p99_over_p50": round(result.p99_ms / result.p50_ms, 2) if result.p50_ms else None,
                "non_2xx": result.non_2xx,
            }
    finally:
        server.stop()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.edge_bounds", description=__doc__.split("\n\n")[0])
    parser.add_argument("--phases", default="memory,healthz,large", help="which phases to run")
    parser.add_argument("--requests", type=int, default=5000, help="memory phase: requests of ~95 kB")
    parser.add_argument("--seconds", type=float, default=60.0, help="healthz phase: seconds of load")
    parser.add_argument("--connections", type=int, default=64, help="healthz phase: wrk connections")
    parser.add_argument("--workers", type=int, default=1, help="healthz phase: parley serve --workers")
    parser.add_argument("--large-seconds", type=float, default=6.0, help="large phase: seconds per run")
    parser.add_argument("--tree", type=Path, default=REPO, help="checkout to serve from (its .venv)")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/parley-bench-data"))
    parser.add_argument("--serve-args", default="", help="extra `parley serve` arguments, space-separated")
    parser.add_argument("--out", type=Path, help="also write the figures here as JSON")
    args = parser.parse_args(argv)
    SERVE_ARGS[:] = args.serve_args.split()
    phases = set(args.phases.split(","))
    tree = args.tree.resolve()
    results: dict[str, Any] = {"tree": str(tree)}
    if "memory" in phases:
        results["memory"] = memory_phase(tree, args.requests)
        print(json.dumps({"memory": results["memory"]}), flush=True)
    if "healthz" in phases:
        results["healthz"] = healthz_phase(tree, args.seconds, args.connections, args.workers)
        print(json.dumps({"healthz": results["healthz"]}), flush=True)
    if "large" in phases:
        results["large"] = large_phase(tree, args.large_seconds, args.data_dir)
        print(json.dumps({"large": results["large"]}), flush=True)
    text = json.dumps(results, indent=2)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
