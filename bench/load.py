"""Load check: 60 s at 64 connections of queries, misuse and downloads against a real `parley serve`."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from api.http.views.playground import load_examples

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
GRJ = "application/graphql-response+json"


@dataclass(frozen=True)
class Shot:
    """One request of the mix and what it must get: status, first error code (None: no errors), sha256."""

    kind: str
    name: str
    method: str
    url: str
    status: int
    code: str | None = None
    content: bytes | None = None
    headers: tuple[tuple[str, str], ...] = (("content-type", "application/json"),)
    sha256: str | None = None


def _post(kind: str, name: str, document: Any, status: int, code: str | None, accept: str = GRJ) -> Shot:
    headers = (("content-type", "application/json"), ("accept", accept))
    return Shot(kind, name, "POST", "/graphql", status, code, json.dumps(document).encode(), headers)


def mix() -> list[tuple[Shot, int]]:
    """Returns (request, weight): the examples as queries, misuse that must get its 4xx, and downloads."""
    shots: list[tuple[Shot, int]] = []
    for example in load_examples(REPO / "examples"):  # each with its variables
        document = {"query": example.query, "variables": example.variables}
        shots.append((_post("query", example.name, document, 200, None), 4))
        legacy = _post("query", example.name + " (json)", document, 200, None, "application/json")
        shots.append((legacy, 1))
    shots.append((Shot("query", "GET meta", "GET", "/graphql?query=%7Bmeta%7Bversion%7D%7D", 200), 4))
    nested = "{ claims { nodes { speaker { claims { nodes { speaker { claims { totalCount } } } } } } } }"
    deep = "{ " + "claims { nodes { speaker { " * 3 + "claims { totalCount }" + " } } }" * 3 + " }"
    misuse = [
        ("syntax error", {"query": "{ claims("}, 400, "GRAPHQL_PARSE_FAILED"),
        ("unknown field", {"query": "{ claimz }"}, 400, "GRAPHQL_VALIDATION_FAILED"),
        ("100 aliases", {"query": "{" + " ".join(f"a{i}: __typename" for i in range(100)) + "}"}, 400,
         "TOO_MANY_ALIASES"),
        ("too costly", {"query": nested}, 400, "QUERY_TOO_COMPLEX"),
        ("too deep", {"query": deep}, 400, "QUERY_TOO_DEEP"),
        ("bad variables", {"query": "query ($n: Int) { claims(first: $n) { totalCount } }",
                           "variables": {"n": "ten"}}, 400, "BAD_USER_INPUT"),
        ("bad cursor", {"query": '{ claims(after: "nope") { totalCount } }'}, 200, "BAD_USER_INPUT"),
        ("batch", [{"query": "{ __typename }"}], 400, "BAD_REQUEST"),
        ("200 KB body", {"query": "{ __typename }", "pad": "x" * 200_000}, 413, "PAYLOAD_TOO_LARGE"),
    ]
    shots += [(_post("misuse", name, doc, status, code), 2) for name, doc, status, code in misuse]
    shots.append((Shot("misuse", "invalid JSON", "POST", "/graphql", 400, "BAD_REQUEST", b'{"query": '), 2))
    shots.append((Shot("misuse", "text/plain", "POST", "/graphql", 415, "UNSUPPORTED_MEDIA_TYPE", b"{ x }",
                       (("content-type", "text/plain"),)), 2))
    shots.append((Shot("misuse", "PUT", "PUT", "/graphql", 405, "METHOD_NOT_ALLOWED", b"{}"), 2))
    package = json.loads((REPO / "fixtures" / "datapackage.json").read_bytes())
    for resource in package["resources"]:
        sha = resource["hash"].removeprefix("sha256:")
        url = f"/fixtures/{resource['path']}"
        shots.append((Shot("download", resource["path"], "GET", url, 200, sha256=sha), 3))
    return shots


def check(shot: Shot, response: httpx.Response) -> str | None:
    """Returns why the response is not the intended one, or None when it is."""
    if response.status_code != shot.status:
        return f"status {response.status_code}, expected {shot.status}: {response.text[:200]}"
    if shot.sha256 is not None:
        same = hashlib.sha256(response.content).hexdigest() == shot.sha256
        return None if same else "download bytes differ from datapackage.json"
    errors = response.json().get("errors")
    code = errors[0]["extensions"]["code"] if errors else None
    return None if code == shot.code else f"code {code}, expected {shot.code}"


@dataclass
class Tally:
    """What the run saw: per-kind latencies, statuses, and unintended answers (with a few samples)."""

    latencies: dict[str, list[float]]
    statuses: Counter[int]
    unintended: Counter[str]
    samples: list[str]


async def fire(client: httpx.AsyncClient, shot: Shot, tally: Tally) -> None:
    """Sends one request and records its latency, status and whether it was the intended answer."""
    began = time.perf_counter()
    try:
        headers = dict(shot.headers)
        response = await client.request(shot.method, shot.url, content=shot.content, headers=headers)
        problem = check(shot, response)
        tally.statuses[response.status_code] += 1
    except httpx.HTTPError as error:
        problem = f"{type(error).__name__}: {error}"
    tally.latencies.setdefault(shot.kind, []).append(time.perf_counter() - began)
    if problem is not None:
        tally.unintended[f"{shot.kind}: {shot.name}"] += 1
        if len(tally.samples) < 10:
            tally.samples.append(f"{shot.name}: {problem}")


async def worker(client: httpx.AsyncClient, weighted: list[tuple[Shot, int]], stop: float, tally: Tally,
                 seed: int) -> None:
    """One connection's loop: weighted random requests until the deadline."""
    pick = random.Random(seed)
    shots, weights = [s for s, _ in weighted], [w for _, w in weighted]
    while time.monotonic() < stop:
        await fire(client, pick.choices(shots, weights)[0], tally)


def rss_kib(pid: int) -> int:
    """Returns the resident set size of a process, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000 if ordered else 0.0


async def run(base: str, pid: int, seconds: float, connections: int) -> dict[str, Any]:
    weighted = mix()
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        warm = Tally({}, Counter(), Counter(), [])
        for shot, _ in weighted:  # one of each first, so lazily built state counts as "start"
            await fire(client, shot, warm)
        rss_start = rss_kib(pid)
        tally = Tally({}, Counter(), Counter(), [])
        began = time.monotonic()
        tasks = [worker(client, weighted, began + seconds, tally, seed) for seed in range(connections)]
        await asyncio.gather(*tasks)
        elapsed = time.monotonic() - began
    rss_end = rss_kib(pid)
    every = [v for values in tally.latencies.values() for v in values]
    return {
        "seconds": round(elapsed, 1),
        "connections": connections,
        "requests": len(every),
        "requests_per_second": round(len(every) / elapsed),
        "by_kind": {kind: len(values) for kind, values in sorted(tally.latencies.items())},
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "unintended_errors": sum(tally.unintended.values()) + sum(warm.unintended.values()),
        "unintended_by_request": dict(tally.unintended + warm.unintended),
        "unintended_samples": warm.samples + tally.samples,
        "latency_ms": {"p50": round(percentile(every, 0.5), 1), "p99": round(percentile(every, 0.99), 1),
                       "max": round(percentile(every, 1.0), 1)},
        "p99_ms_by_kind": {k: round(percentile(v, 0.99), 1) for k, v in sorted(tally.latencies.items())},
        "server_rss_kib": {"start": rss_start, "end": rss_end},
        "rss_growth_percent": round(100 * (rss_end - rss_start) / rss_start, 1),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Starts `parley serve` on a free loopback port; returns the process and its base URL once healthy."""
    port = free_port()
    parley = Path(sys.executable).parent / "parley"
    with log.open("wb") as sink:
        process = subprocess.Popen([str(parley), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                   cwd=REPO, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError(f"parley serve exited with {process.returncode}; see {log}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("parley serve did not answer within 60 s")


def report(result: dict[str, Any]) -> str:
    """Returns the Markdown report of one run."""
    rss = result["server_rss_kib"]
    lines = [
        "# Load check", "",
        f"`{result['command']}` on {result['machine']}, {result['date']}.", "",
        f"- {result['requests']} requests in {result['seconds']} s over {result['connections']} connections"
        f" ({result['requests_per_second']}/s); by kind: {result['by_kind']}",
        f"- statuses: {result['statuses']}",
        f"- **unintended errors: {result['unintended_errors']}** {result['unintended_by_request'] or ''}",
        f"- latency: p50 {result['latency_ms']['p50']} ms, **p99 {result['latency_ms']['p99']} ms**,"
        f" max {result['latency_ms']['max']} ms; p99 by kind {result['p99_ms_by_kind']}",
        f"- server RSS: {rss['start']} KiB at start, {rss['end']} KiB at end:"
        f" **{result['rss_growth_percent']:+}%** (must stay under 10%)",
    ]
    lines += [f"- sample: {s}" for s in result["unintended_samples"]]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        process, base = serve(Path(work) / "server.log")
        try:
            result = asyncio.run(run(base, process.pid, args.seconds, args.connections))
        finally:
            process.terminate()
            process.wait(timeout=20)
    result["command"] = "make load"
    cpus = len(os.sched_getaffinity(0))
    result["machine"] = f"{platform.platform()}, {cpus} CPUs, Python {platform.python_version()}"
    result["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "load.md").write_text(report(result), encoding="utf-8")
    print(report(result))
    return 0 if result["unintended_errors"] == 0 and result["rss_growth_percent"] < 10 else 1


if __name__ == "__main__":
    sys.exit(main())
