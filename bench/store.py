"""The store's rows (issue 10): build time, start-up to the first answered query, RSS, and the scale rows.

Run: .venv/bin/python -m bench.store [--sizes 1000,100000] [--requests 150] [--seconds 5]
Writes bench/results/store.{json,md}. Not a test: it reports figures, it asserts nothing about them.

Per size (synthetic data from `parley synth`, generated once under bench/work/):
- `parley build` wall time and the snapshot's size;
- `parley serve --snapshot` (one worker, fresh snapshot) from launch to the first answered GraphQL query;
- sequential latency of a cold speaker page (busiest speaker, `asOf` differs on every request) and of a
  search for a name never searched before (a different person's name on every request), `first: 20`
  and, with other names, `first: 2` (as many results at every size);
- RSS after a wrk load (cold 20-claim page, then the two loops above); then the same with 2 workers, each.
Then, on the curated data, the cold 20-claim page against raw Starlette: the snapshot and the in-memory
loader (`--in-memory`, what serve did before the store) in the same run, as ratios to raw.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench import queries as q
from bench.measure import Settings, run_scenario
from bench.run import busiest_speaker, cold, synth_dataset
from bench.servers import REPO, Server, _children, fetch, raw, tree_rss_mb
from bench.wrk import ensure_wrk, run_wrk

WORK = [REPO / "bench" / "work"]  # --work changes it
RESULTS = REPO / "bench" / "results"
FIRST_QUERY = "/graphql?" + urllib.parse.urlencode({"query": "{ claims(first: 1) { totalCount } }"})


def serve(name: str, fixtures: Path, seeds: Path, snapshot: Path | None, workers: int = 1) -> Server:
    """Returns (unstarted) `parley serve` over a snapshot (or in memory), ready once a query answers."""
    command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--workers", str(workers)]
    command += ["--fixtures", str(fixtures), "--seeds", str(seeds)]
    command += ["--in-memory"] if snapshot is None else ["--snapshot", str(snapshot)]
    return Server(name, command, ready_path=FIRST_QUERY)


def build(fixtures: Path, seeds: Path, snapshot: Path) -> dict[str, Any]:
    """Runs `parley build`; returns its wall time and the snapshot's size."""
    began = time.perf_counter()
    command = [sys.executable, "-m", "api.cli", "build", "--fixtures", str(fixtures), "--seeds", str(seeds)]
    subprocess.run([*command, "--snapshot", str(snapshot)], cwd=REPO, check=True, capture_output=True)
    seconds = round(time.perf_counter() - began, 2)
    return {"build_s": seconds, "snapshot_mb": round(snapshot.stat().st_size / 2**20, 1)}


def _post(server: Server, query: str, variables: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    """Returns the milliseconds one POST took and its `data`."""
    body = json.dumps({"query": query, "variables": variables}).encode()
    began = time.perf_counter()
    status, answer, _ = fetch(server.url + "/graphql", body, "POST")
    elapsed = time.perf_counter() - began
    if status != 200 or b'"errors"' in answer:
        raise RuntimeError(f"{server.name} answered {status}: {answer[:300]!r}")
    return elapsed * 1000, json.loads(answer)["data"]


def _summary(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    return {
        "median_ms": round(statistics.median(times), 3),
        "p90_ms": round(times[int(len(times) * 0.9)], 3),
        "mean_ms": round(statistics.fmean(times), 3),
    }


def _searches(server: Server, texts: list[str], day: str, first: int) -> dict[str, float]:
    """Searches each text once (`first` results at most); latency summary and mean results found."""
    answers = [_post(server, q.SEARCH, {"text": t, "asOf": day, "first": first}) for t in texts]
    found = [len(data["search"]) for _, data in answers]
    return {**_summary([ms for ms, _ in answers]), "mean_hits": round(statistics.fmean(found), 2)}


def latency_rows(server: Server, fixtures: Path, requests: int) -> dict[str, Any]:
    """Sequential cold speaker pages and never-repeated searches; median/p90/mean milliseconds.

    Searches: `first: 20`, the issue's row (at 100k synthetic claims each name matches a full page,
    at 1k about five records, so the two rows answer different amounts), then `first: 2` with other
    names (two results at every size), half the names each; each row reports its mean results.
    """
    slug, _ = busiest_speaker(fixtures)
    days = [f"2031-{1 + i // 28 % 12:02d}-{1 + i % 28:02d}" for i in range(requests + 10)]
    people = json.loads((fixtures / "people.json").read_bytes())
    names = [p["name"] for p in people if p.get("named")] or [p["name"] for p in people]
    texts = list(dict.fromkeys(names))[: 2 * requests + 10]
    for i in range(10):  # warm-up: imports, first connection, the name index read on first search
        _post(server, q.SPEAKER_PAGE, {"speaker": slug, "asOf": days[i]})
        _post(server, q.SEARCH, {"text": texts[i], "asOf": days[i]})
    speaker = [_post(server, q.SPEAKER_PAGE, {"speaker": slug, "asOf": d})[0] for d in days[10:]]
    half = (len(texts) - 10) // 2
    return {
        "speaker_page": _summary(speaker),
        "search_new_text": _searches(server, texts[10 : 10 + half], days[0], 20),
        "search_new_text_2": _searches(server, texts[10 + half :], days[0], 2),
        "searches": half,
    }


def worker_rss(server: Server) -> list[float]:
    """Returns the RSS (MB) of each worker process of a multi-worker server."""
    assert server.process is not None
    return [tree_rss_mb(child) for child in _children(server.process.pid)]


def startups(fixtures: Path, seeds: Path, snapshot: Path, count: int) -> list[float]:
    """Starts and stops the server `count` times over a fresh snapshot; returns each start-up time."""
    times = []
    for i in range(count):
        server = serve(f"startup-{i}", fixtures, seeds, snapshot).start()
        server.stop()
        times.append(server.startup_s)
    return times


def scale(size: int, settings: Settings, requests: int, in_memory: bool, starts: int) -> dict[str, Any]:
    """Every row for one synthetic size."""
    fixtures, seeds = synth_dataset(size, WORK[0])
    snapshot = WORK[0] / f"synth-{size}.db"
    row: dict[str, Any] = {"claims": size, **build(fixtures, seeds, snapshot)}
    row["startup_runs_s"] = startups(fixtures, seeds, snapshot, starts)
    one = serve(f"snapshot-{size}", fixtures, seeds, snapshot).start()
    try:
        row["startup_runs_s"].append(one.startup_s)
        row["startup_s"] = statistics.median(row["startup_runs_s"])
        row["rss_after_start_mb"] = one.rss_mb()
        row.update(latency_rows(one, fixtures, requests))
        run_wrk(one.url, cold(q.CLAIMS_20), settings.seconds, settings.connections)
        row["rss_after_load_mb"] = one.rss_mb()
    finally:
        one.stop()
    two = serve(f"snapshot-{size}-2w", fixtures, seeds, snapshot, workers=2).start()
    try:
        row["startup_2_workers_s"] = two.startup_s
        run_wrk(two.url, cold(q.CLAIMS_20), settings.seconds, settings.connections)
        latency_rows(two, fixtures, min(requests, 50))
        row["rss_2_workers_each_mb"] = worker_rss(two)
    finally:
        two.stop()
    if in_memory:
        before = serve(f"in-memory-{size}", fixtures, seeds, None).start(timeout=900)
        try:
            row["in_memory_startup_s"] = before.startup_s
            row["in_memory_rss_mb"] = before.rss_mb()
        finally:
            before.stop()
    print(json.dumps(row), flush=True)
    return row


def curated(settings: Settings) -> dict[str, Any]:
    """The cold 20-claim page on the curated data: snapshot vs in-memory vs raw, in one run."""
    fixtures, seeds = REPO / "fixtures", REPO / "seeds"
    snapshot = WORK[0] / "curated.db"
    build(fixtures, seeds, snapshot)
    servers = {
        "snapshot": serve("curated-snapshot", fixtures, seeds, snapshot),
        "in-memory": serve("curated-in-memory", fixtures, seeds, None),
        "raw": raw(),
    }
    try:
        for server in servers.values():
            server.start()
        result = run_scenario(
            "cold-curated", cold(q.CLAIMS_20), servers, settings, reference="snapshot",
            note="20 claims, asOf varies; snapshot vs the in-memory loader, same run",
        )
    finally:
        for server in servers.values():
            server.stop()
    return result


def markdown(rows: list[dict[str, Any]], ratio: dict[str, Any], command: str) -> str:
    """The results as the markdown table the issue asks for."""
    first = rows[0]
    lines = [
        "# Store: snapshot build, start-up, RSS and scale rows",
        "",
        f"Command: `{command}` (one machine, 2 cores; other work ran on it at the same time).",
        "",
        "| claims | build | snapshot | start-up to first query (median) | x 1k | RSS after load"
        " | 2 workers, each |"
        " speaker page (median) | x 1k | new search (median; results) | x 1k"
        " | new search, `first: 2` | x 1k |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['claims']:,} | {r['build_s']} s | {r['snapshot_mb']} MB | {r['startup_s']} s"
            f" | {r['startup_s'] / first['startup_s']:.2f} | {r['rss_after_load_mb']} MB"
            f" | {', '.join(f'{m} MB' for m in r['rss_2_workers_each_mb'])}"
            f" | {r['speaker_page']['median_ms']} ms"
            f" | {r['speaker_page']['median_ms'] / first['speaker_page']['median_ms']:.2f}"
            f" | {r['search_new_text']['median_ms']} ms; {r['search_new_text']['mean_hits']}"
            f" | {r['search_new_text']['median_ms'] / first['search_new_text']['median_ms']:.2f}"
            f" | {r['search_new_text_2']['median_ms']} ms"
            f" | {r['search_new_text_2']['median_ms'] / first['search_new_text_2']['median_ms']:.2f} |"
        )
    before = [r for r in rows if "in_memory_startup_s" in r]
    if before:
        lines += ["", "In memory (`parley serve --in-memory`, the loader as before the store), same run:", ""]
        lines += [
            f"- {r['claims']:,} claims: start-up {r['in_memory_startup_s']} s, RSS {r['in_memory_rss_mb']} MB"
            for r in before
        ]
    targets = ratio["targets"]
    lines += [
        "",
        "Curated data, cold 20-claim page (asOf varies), ratio to raw Starlette, same run:",
        "",
        "| target | req/s | p50 | p99 | ratio to raw |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, t in targets.items():
        lines.append(f"| {name} | {t['rps']} | {t['p50_ms']} ms | {t['p99_ms']} ms | {t['ratio_to_raw']} |")
    if "in-memory" in targets and "snapshot" in targets:
        relative = targets["snapshot"]["ratio_to_raw"] / targets["in-memory"]["ratio_to_raw"]
        lines += ["", f"Snapshot's ratio to raw / in-memory's: {relative:.3f}x (target >= 0.9x)."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Runs every row and writes bench/results/store.{json,md}."""
    parser = argparse.ArgumentParser(prog="python -m bench.store", description=__doc__)
    parser.add_argument("--sizes", default="1000,100000", help="synthetic claim counts (default 1000,100000)")
    parser.add_argument("--requests", type=int, default=150, help="sequential requests per latency row")
    parser.add_argument("--seconds", type=float, default=5.0, help="wrk seconds per load/ratio run")
    parser.add_argument("--in-memory", action="store_true", help="also start each size in memory")
    parser.add_argument("--work", type=Path, default=WORK[0], help="where synthetic data and snapshots go")
    parser.add_argument("--starts", type=int, default=4, help="extra start-ups per size (median reported)")
    args = parser.parse_args(argv)
    WORK[0] = args.work
    ensure_wrk()
    settings = Settings(seconds=args.seconds, rounds=2, warmup_seconds=1.0, connections=16)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = [scale(size, settings, args.requests, args.in_memory, args.starts) for size in sizes]
    ratio = curated(settings)
    command = "python -m bench.store " + " ".join(argv if argv is not None else sys.argv[1:])
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "store.json").write_text(json.dumps({"rows": rows, "curated": ratio}, indent=2) + "\n")
    (RESULTS / "store.md").write_text(markdown(rows, ratio, command.strip()))
    print((RESULTS / "store.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
