"""Validation CPU amplification (issue 9, defect 1): /healthz latency while clients send repeated fields.

Starts a real `parley serve` on 127.0.0.1 (a free port), probes `GET /healthz` alone for a few
seconds, then again while `--clients` threads each POST the 249-repeat query
`{ claims { totalCount } claims { totalCount } ... }` about `--rate` times a second (each with a
distinct trailing comment, so no cache can answer it). Prints the probe's latency (median, p90,
p99, max) in both phases and what the attackers got back. Bounded: `--seconds` per phase, 10 s
per request. Not a test (timings are reported, never asserted).

    .venv/bin/python -m bench.validation_dos            # defaults: 2 clients, 3 req/s each, 10 s
    .venv/bin/python -m bench.validation_dos --out bench/results/validation_dos.json
    .venv/bin/python -m bench.validation_dos --prepare   # in-process: the worst accepted documents

`--prepare` times an uncached `prepare` (parse, the field-merging bound, validation: what runs on
the event loop before execution) in-process for documents built to sit just under the limits:
for each family (repeated fields, repeated fragments, nested repeats) the one with the highest
field-merging cost still accepted, and GraphiQL's introspection query, 100 kB strings and
comments; wall time (best, median, max) and the thread's CPU time (median).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from bench.servers import Server

REPEATS = 249
QUERY = "{" + " claims { totalCount }" * REPEATS + " }"
"""4.7 kB by GET, 998 tokens: under every limit the issue found (tokens, depth, aliases, cost)."""


def _get(url: str) -> float:
    began = time.perf_counter()
    with urllib.request.urlopen(url, timeout=10) as response:
        response.read()
    return time.perf_counter() - began


def probe(url: str, stop: float, interval: float) -> list[float]:
    """GETs `url` every `interval` seconds until `stop`; returns each latency in seconds."""
    latencies: list[float] = []
    while time.perf_counter() < stop:
        latencies.append(_get(url))
        time.sleep(interval)
    return latencies


def attack(url: str, stop: float, rate: float, seed: int, seen: Counter[str]) -> None:
    """POSTs the repeated-field query about `rate` times a second (0: back to back) until `stop`;
    tallies the answers."""
    period, sent = (1.0 / rate if rate > 0 else 0.0), 0
    began = time.perf_counter()
    while time.perf_counter() < stop:
        body = json.dumps({"query": f"{QUERY} # client {seed} request {sent}"}).encode()
        request = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                answer = json.loads(response.read())
        except (urllib.error.URLError, TimeoutError) as error:
            seen[f"failed: {type(error).__name__}"] += 1
        else:
            errors = answer.get("errors")
            seen["data" if not errors else str(errors[0].get("extensions", {}).get("code"))] += 1
        sent += 1
        wait = began + sent * period - time.perf_counter()
        if wait > 0:
            time.sleep(wait)


def summary(latencies: list[float]) -> dict[str, float | int]:
    """Returns the count and the median, p90, p99 and max of latencies, in milliseconds."""
    ordered = sorted(latencies)

    def at(fraction: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000, 2)

    return {
        "count": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p90_ms": at(0.90),
        "p99_ms": at(0.99),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def run(seconds: float, clients: int, rate: float, interval: float) -> dict[str, Any]:
    """Starts the server, measures both phases, stops the server; returns the figures."""
    server = Server("validation-dos", [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1"])
    server.start(timeout=120)
    try:
        health = server.url + "/healthz"
        idle = probe(health, time.perf_counter() + min(seconds, 3.0), interval)
        stop = time.perf_counter() + seconds
        seen: Counter[str] = Counter()
        threads = [
            threading.Thread(target=attack, args=(server.url + "/graphql", stop, rate, n, seen))
            for n in range(clients)
        ]
        for thread in threads:
            thread.start()
        loaded = probe(health, stop, interval)
        for thread in threads:
            thread.join(timeout=15)
    finally:
        server.stop()
    return {
        "query": f"{{ claims {{ totalCount }} }} x {REPEATS} ({len(QUERY)} bytes), POST, distinct comments",
        "clients": clients,
        "rate_per_client": rate,
        "seconds": seconds,
        "healthz_idle": summary(idle),
        "healthz_under_attack": summary(loaded),
        "attack_answers": dict(seen),
    }


def _fragments(count: int, repeats: int) -> str:
    spreads = " ".join(f"...F{i}" for i in range(count))
    body = " ".join(["meta { version }"] * repeats)
    return f"{{ {spreads} }} " + " ".join(f"fragment F{i} on Query {{ {body} }}" for i in range(count))


def _nested(width: int) -> str:
    nodes = " ".join(["nodes { " + " ".join(["summary"] * width) + " }"] * width)
    return "{ " + " ".join([f"claims(first: 1) {{ {nodes} }}"] * width) + " }"


def worst_documents() -> dict[str, str]:
    """Documents at the edge of the limits: for each family, the costliest one still accepted."""
    from graphql import get_introspection_query, parse

    from api.engine.query_shape import field_merge_cost
    from api.settings import Limits

    limit = Limits.from_env().max_field_comparisons
    fits = lambda text: field_merge_cost(parse(text), limit) <= limit  # noqa: E731
    families: dict[str, list[str]] = {
        "claims { totalCount } repeated": ["{" + " claims { totalCount }" * n + " }" for n in range(2, 250)],
        "__typename repeated": ["{" + " __typename" * n + " }" for n in range(2, 990)],
        "fragments of repeated fields": [_fragments(c, r) for c in range(2, 30) for r in range(1, 40)],
        "nested repeats": [_nested(w) for w in range(2, 9)],
    }
    chosen: dict[str, str] = {}
    for name, texts in families.items():
        accepted = [t for t in texts if len(t) < 100_000 and fits(t)]
        chosen[name] = max(accepted, key=lambda t: field_merge_cost(parse(t), 10**9))
    chosen["GraphiQL introspection"] = get_introspection_query(descriptions=True)
    chosen["100 kB block string"] = '{ search(text: """' + "x" * 99_000 + '""") { matched } }'
    chosen["100 kB comment"] = "{ meta { version } } #" + "x" * 99_000
    chosen["30 aliases, 30 directives, a variable"] = (
        "query ($t: Boolean = true) { "
        + " ".join(f"a{i}: claims(first: 1) @include(if: $t) {{ totalCount }}" for i in range(30))
        + " }"
    )
    return chosen


def prepare_times(rounds: int) -> dict[str, dict[str, Any]]:
    """Times an uncached `prepare` of each worst document; returns its cost, outcome, best and median ms."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from graphql import parse

    from api.engine.query_shape import field_merge_cost
    from api.http.app import create_app
    from tests.api_client import dataset

    pipeline = create_app(dataset()).state.engine
    out: dict[str, dict[str, Any]] = {}
    for name, text in worst_documents().items():
        times, cpu = [], []
        for n in range(rounds):
            began, began_cpu = time.perf_counter(), time.thread_time()
            prepared = pipeline._prepare_uncached(text + f"\n# {n}")
            times.append(time.perf_counter() - began)
            cpu.append(time.thread_time() - began_cpu)
        out[name] = {
            "bytes": len(text),
            "merge_cost": field_merge_cost(parse(text), 10**9),
            "outcome": prepared.code or "accepted",
            "best_ms": round(min(times) * 1000, 2),
            "median_ms": round(statistics.median(times) * 1000, 2),
            "max_ms": round(max(times) * 1000, 2),
            "cpu_median_ms": round(statistics.median(cpu) * 1000, 2),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the attack phase")
    parser.add_argument("--clients", type=int, default=2, help="attacking clients (threads)")
    parser.add_argument("--rate", type=float, default=3.0, help="requests a second per client (0: no pause)")
    parser.add_argument("--interval", type=float, default=0.02, help="seconds between /healthz probes")
    parser.add_argument("--out", type=Path, help="also write the figures here as JSON")
    parser.add_argument("--prepare", action="store_true", help="time prepare on the worst accepted documents")
    parser.add_argument("--rounds", type=int, default=9, help="with --prepare: timings per document")
    args = parser.parse_args(argv)
    result: Any = (
        prepare_times(args.rounds)
        if args.prepare
        else run(args.seconds, args.clients, args.rate, args.interval)
    )
    text = json.dumps(result, indent=2)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
