"""CPU per large request in-process: the engine alone (no HTTP), serial, best of N batches.

Run: .venv/bin/python -m bench.measure_large [--batches 5] [--requests 40] [--profile]

Loads the 1k synthetic dataset (generated once into --data-dir, as `bench.run` does), builds the
engine as `api.http.app` does, and sends it the large scenario's request (bench/queries.py: LARGE)
with a different `asOf` day every time from 2030-01-01 on, as the cold wrk script does; the first
request (which compiles the plan) is left out. Prints CPU and wall ms per request of the best
batch. With --profile, prints cProfile's top functions (by own time, or --sort) instead.
Not a test: it reports figures.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import time
from pathlib import Path

from bench import queries as q
from bench.run import synth_dataset


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.measure_large", description=__doc__)
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--requests", type=int, default=40, help="requests per batch")
    parser.add_argument("--profile", action="store_true", help="cProfile one batch instead")
    parser.add_argument("--sort", default="tottime", help="cProfile order with --profile (or cumulative)")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/parley-bench-data"))
    args = parser.parse_args(argv)

    from api.engine.pipeline import Engine
    from api.http.app import engine_for, open_snapshot
    from api.settings import Limits

    fixtures, seeds = synth_dataset(1000, args.data_dir)
    dataset, _ = open_snapshot(args.data_dir / "synth-1000.db", fixtures, seeds)
    engine = engine_for(dataset, Limits())
    days = (dt.date(2030, 1, 1) + dt.timedelta(days=i) for i in range(1_000_000))  # as bench/wrk.py

    def one() -> int:
        request = Engine.request_from({"query": q.LARGE, "variables": {"asOf": next(days).isoformat()}})
        status, body = engine.run_sync(request)
        assert status == 200 and b'"errors"' not in body, body[:300]
        return len(body)

    size = one()
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            one()
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(30)
        return 0
    best_cpu = best_wall = float("inf")
    for _ in range(args.batches):
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(args.requests):
            one()
        best_cpu = min(best_cpu, (time.process_time() - cpu) / args.requests * 1000)
        best_wall = min(best_wall, (time.perf_counter() - wall) / args.requests * 1000)
    print(
        f"large request ({size} bytes): {best_cpu:.2f} CPU ms, {best_wall:.2f} wall ms per request "
        f"(best of {args.batches} batches of {args.requests}; compiled runs {engine.compiled_runs}, "
        f"fallbacks {engine.fallback_runs})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
