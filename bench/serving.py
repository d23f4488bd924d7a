"""Serving from the snapshot vs from memory (issue 10's last rows), both targets in one run.

Run: .venv/bin/python -m bench.serving [--seconds 5] [--rounds 2] [--before COMMIT] [--work DIR]
Writes bench/results/serving.{json,md}. Not a test: it reports figures, it asserts nothing about them.

Two scenarios, each against raw Starlette, `parley serve --snapshot` and the in-memory
baseline (`bench/memory_app.py`)
(and, with --before, the snapshot server of another commit, exported with `git archive` into
--work and run from there), their wrk runs alternated round by round (bench/measure.py):
- the curated data's cold 20-claim page (bench/queries.py: CLAIMS_20, `asOf` differs every request);
- the large request (1,000 claims in ten aliased pages, bench/queries.py: LARGE) on synth 1k, cold.
Per target: req/s, p50, p99, the server's CPU ms per request and the ratio to raw; per scenario the
snapshot's ratio to raw over the in-memory server's. Then, in-process (no HTTP, each dataset in a
fresh process built as the app builds it), the engine's CPU ms per request on the snapshot and in
memory (best of 5 batches) and the SQLite statements a warm request makes on the snapshot
(`Store.queries`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tarfile
import time
from io import BytesIO
from pathlib import Path
from typing import Any

from bench import queries as q
from bench.measure import Settings, run_scenario
from bench.run import _load_average, cold, machine, synth_dataset
from bench.servers import REPO, Server, raw
from bench.store import FIRST_QUERY
from bench.wrk import ensure_wrk

RESULTS = REPO / "bench" / "results"


def serve(name: str, data: tuple[Path, Path], snapshot: Path | None, tree: Path = REPO) -> Server:
    """Returns (unstarted) `parley serve` of a source tree over a snapshot, or in memory (None)."""
    command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1"]
    command += ["--fixtures", str(data[0]), "--seeds", str(data[1])]
    if snapshot is None:  # the in-memory baseline (bench/memory_app.py)
        command = [sys.executable, "-m", "bench.memory_app", "--fixtures", str(data[0])]
        command += ["--seeds", str(data[1])]
    else:
        command += ["--snapshot", str(snapshot)]
    return Server(name, command, ready_path=FIRST_QUERY, cwd=tree)


def export(commit: str, work: Path) -> Path:
    """Writes the tree of a commit (`git archive`, no .git) under `work`; returns its directory."""
    rev = subprocess.run(
        ["git", "rev-parse", "--short", commit], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    tree = work / f"tree-{rev}"
    if not (tree / "api" / "cli.py").is_file():
        archive = subprocess.run(["git", "archive", rev], cwd=REPO, capture_output=True, check=True).stdout
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(tree, filter="data")
    return tree


def scenario(
    name: str, query: str, data: tuple[Path, Path], work: Path, settings: Settings, before: Path | None
) -> dict[str, Any]:
    """One scenario's wrk runs: raw, snapshot, in-memory (and the --before commit's snapshot)."""
    servers: dict[str, Server] = {
        "snapshot": serve(f"{name}-snapshot", data, work / f"{name}.db"),
        "in-memory": serve(f"{name}-in-memory", data, None),
        "raw": raw(f"{name}-raw"),
    }
    if before is not None:
        servers["snapshot-before"] = serve(f"{name}-before", data, work / f"{name}-before.db", before)
    try:
        for server in servers.values():
            server.start(timeout=900)  # a first start builds the snapshot
        result = run_scenario(
            name, cold(query), servers, settings, reference="snapshot",
            note="cold (asOf varies); snapshot vs in-memory in the same run",
        )
    finally:
        for server in servers.values():
            server.stop()
    targets = result["targets"]
    result["snapshot_over_in_memory"] = round(
        targets["snapshot"]["ratio_to_raw"] / targets["in-memory"]["ratio_to_raw"], 3
    )
    if before is not None:
        result["before_over_in_memory"] = round(
            targets["snapshot-before"]["ratio_to_raw"] / targets["in-memory"]["ratio_to_raw"], 3
        )
    return result


def in_process(scenario: str, data: tuple[Path, Path], snapshot: Path, requests: int) -> dict[str, Any]:
    """The engine alone, each dataset in a fresh process of its own (`_one`): CPU ms per request
    (best of 5 batches, `asOf` new every request) and, on the snapshot, SQLite statements per warm
    request."""
    found: dict[str, Any] = {}
    for mode in ("snapshot", "in-memory"):
        command = [sys.executable, "-m", "bench.serving", "--one", mode, scenario, str(requests)]
        command += [str(data[0]), str(data[1]), str(snapshot)]
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
        found[mode] = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "sqlite_statements_per_warm_request": found["snapshot"]["statements"],
        "cpu_ms": {mode: found[mode]["cpu_ms"] for mode in found},
        "snapshot_over_in_memory_cpu": round(found["snapshot"]["cpu_ms"] / found["in-memory"]["cpu_ms"], 3),
    }


def _one(
    mode: str, scenario: str, requests: int, fixtures: Path, seeds: Path, snapshot: Path
) -> dict[str, Any]:
    """One dataset's engine, built as `api.http.app` builds it (the collector off while loading,
    then `gc.freeze()`); returns its CPU ms per request and the SQLite statements per warm request."""
    import gc

    from api.engine.pipeline import Engine
    from api.http.app import engine_for, open_snapshot
    from api.settings import Limits
    from schema.load.loader import load_dataset
    from schema.store.reader import StoredDataset

    query = {"cold-curated-20": q.CLAIMS_20, "large-1000": q.LARGE}[scenario]
    gc.disable()
    if mode == "snapshot":
        dataset = open_snapshot(snapshot, fixtures, seeds)[0]
    else:
        dataset = load_dataset(fixtures, seeds)
    engine = engine_for(dataset, Limits())
    gc.freeze()
    gc.enable()
    days = (dt.date(2030, 1, 1) + dt.timedelta(days=i) for i in range(10_000_000))

    def one() -> None:
        request = Engine.request_from({"query": query, "variables": {"asOf": next(days).isoformat()}})
        status, body = engine.run_sync(request)
        if status != 200 or b'"errors"' in body:
            raise RuntimeError(f"the request failed: {status} {body[:300]!r}")

    for _ in range(3):
        one()
    store = dataset.store if isinstance(dataset, StoredDataset) else None
    before = store.queries if store is not None else 0
    for _ in range(10):
        one()
    statements = None if store is None else (store.queries - before) / 10
    best = float("inf")
    for _ in range(5):
        began = time.process_time()
        for _ in range(requests):
            one()
        best = min(best, (time.process_time() - began) / requests * 1000)
    return {"cpu_ms": round(best, 3), "statements": statements}


def markdown(results: dict[str, Any], command: str) -> str:
    """The figures as markdown."""
    m = results["machine"]
    lines = [
        "# Serving from the snapshot vs from memory",
        "",
        f"Command: `{command}` at {m['commit']} on {m['date']} ({m['cpus']} CPUs; load average "
        f"{m['load_average_at_start']} at start, {m['load_average_at_end']} at end).",
        "",
        "| scenario | target | req/s | p50 ms | p99 ms | server CPU ms/request | ratio to raw |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for s in results["scenarios"]:
        for name, t in s["targets"].items():
            lines.append(
                f"| {s['scenario']} | {name} | {t['rps']:,} | {t['p50_ms']} | {t['p99_ms']}"
                f" | {t.get('cpu_ms_per_request', '-')} | {t['ratio_to_raw']} |"
            )
    lines += [""]
    for s in results["scenarios"]:
        ratio = s["snapshot_over_in_memory"]
        line = f"- {s['scenario']}: snapshot's ratio to raw / in-memory's: **{ratio}x**"
        if "before_over_in_memory" in s:
            line += f" (the --before commit's snapshot: {s['before_over_in_memory']}x)"
        lines.append(line)
    lines += ["", "In-process (the engine alone, no HTTP), same machine, right after:", ""]
    lines += [
        "| scenario | SQLite statements per warm request | CPU ms snapshot | CPU ms in-memory | ratio |"
    ]
    lines += ["|---|---:|---:|---:|---:|"]
    for name, p in results["in_process"].items():
        lines.append(
            f"| {name} | {p['sqlite_statements_per_warm_request']} | {p['cpu_ms']['snapshot']}"
            f" | {p['cpu_ms']['in-memory']} | {p['snapshot_over_in_memory_cpu']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Runs both scenarios and the in-process rows; writes bench/results/serving.{json,md}."""
    parser = argparse.ArgumentParser(prog="python -m bench.serving", description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="wrk seconds per timed run")
    parser.add_argument("--rounds", type=int, default=2, help="timed runs per target, alternated")
    parser.add_argument("--before", help="also serve this commit's snapshot server (git archive)")
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "work", help="snapshots, trees")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/parley-bench-data"))
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/results/ alone")
    parser.add_argument("--one", nargs=6, help=argparse.SUPPRESS)  # in_process's child: one dataset
    args = parser.parse_args(argv)
    if args.one:
        mode, name, requests, fixtures, seeds, snapshot = args.one
        print(json.dumps(_one(mode, name, int(requests), Path(fixtures), Path(seeds), Path(snapshot))))
        return 0
    ensure_wrk()
    args.work.mkdir(parents=True, exist_ok=True)
    settings = Settings(seconds=args.seconds, rounds=args.rounds, warmup_seconds=1.0, connections=16)
    before = export(args.before, args.work) if args.before else None
    curated = (REPO / "fixtures", REPO / "seeds")
    synth = synth_dataset(1000, args.data_dir)
    results: dict[str, Any] = {"machine": machine(), "settings": vars(settings)}
    results["scenarios"] = [
        scenario("cold-curated-20", q.CLAIMS_20, curated, args.work, settings, before),
        scenario("large-1000", q.LARGE, synth, args.work, settings, before),
    ]
    results["in_process"] = {
        "cold-curated-20": in_process("cold-curated-20", curated, args.work / "cold-curated-20.db", 200),
        "large-1000": in_process("large-1000", synth, args.work / "large-1000.db", 40),
    }
    results["machine"]["load_average_at_end"] = _load_average()
    command = "python -m bench.serving " + " ".join(argv if argv is not None else sys.argv[1:])
    text = markdown(results, command.strip())
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "serving.json").write_text(json.dumps(results, indent=2) + "\n")
        (RESULTS / "serving.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
