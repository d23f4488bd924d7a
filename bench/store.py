"""The store's rows (issue 10): build time, start-up to the first answered query, RSS, and the scale rows.

Run: .venv/bin/python -m bench.store [--sizes 1000,100000] [--requests 150] [--seconds 5]
Writes bench/results/store.{json,md}. Not a test: it reports figures, it asserts nothing about them.

Per size (synthetic data from `parley synth`, generated once under bench/work/):
- `parley build` wall time and the snapshot's size;
- `parley serve --snapshot` (one worker, fresh snapshot) from launch to the first answered GraphQL query;
- sequential latency of a cold speaker page (busiest speaker, `asOf` differs on every request) and of a
  search for a name never searched before (a different person's name on every request), `first: 20`
  and, with other names, `first: 2` (as many results at every size); every size's server is up at
  once and they take turns request by request, and start-ups alternate between sizes, so the
  ratios between sizes compare the same minutes of the machine;
- RSS after a wrk load (cold 20-claim page, then the two loops above); then the same with 2 workers, each.
Then, on the curated data, the cold 20-claim page against raw Starlette in the same run, as a ratio.
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
from typing import Any, TypeVar

from bench import queries as q
from bench.measure import Settings, run_scenario
from bench.run import busiest_speaker, cold, synth_dataset
from bench.servers import REPO, Server, _children, fetch, raw, tree_rss_mb
from bench.wrk import ensure_wrk, run_wrk

WORK = [REPO / "bench" / "work"]  # --work changes it
RESULTS = REPO / "bench" / "results"
K = TypeVar("K")
FIRST_QUERY = "/graphql?" + urllib.parse.urlencode({"query": "{ claims(first: 1) { totalCount } }"})


def serve(name: str, fixtures: Path, seeds: Path, snapshot: Path | None, workers: int = 1) -> Server:
    """Returns (unstarted) `parley serve` over a snapshot, ready once a query answers."""
    command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--workers", str(workers)]
    command += ["--fixtures", str(fixtures), "--seeds", str(seeds)]
    command += ["--snapshot", str(snapshot)]
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


ROWS = ("speaker_page", "search_new_text", "search_new_text_2")


def _plan(fixtures: Path, requests: int) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """The requests of each latency row on one dataset, in order, and the warm-up before them.

    Speaker page: the busiest speaker, `asOf` differs every request. Searches: `first: 20`, the
    issue's row (at 100k synthetic claims each name matches a full page, at 1k about six records,
    so the two rows answer different amounts), then `first: 2` with other names (two results at
    every size), half the names each; a name is never searched twice.
    """
    slug, _ = busiest_speaker(fixtures)
    days = [f"2031-{1 + i // 28 % 12:02d}-{1 + i % 28:02d}" for i in range(requests + 10)]
    people = json.loads((fixtures / "people.json").read_bytes())
    names = [p["name"] for p in people if p.get("named")] or [p["name"] for p in people]
    texts = list(dict.fromkeys(names))[: 2 * requests + 10]
    half = (len(texts) - 10) // 2
    warm = [(q.SPEAKER_PAGE, {"speaker": slug, "asOf": d}) for d in days[:10]]
    # imports, the first connection, the name index read on first search
    warm += [(q.SEARCH, {"text": t, "asOf": days[0]}) for t in texts[:10]]
    def searches(names: list[str], first: int) -> list[tuple[str, dict[str, Any]]]:
        return [(q.SEARCH, {"text": t, "asOf": days[0], "first": first}) for t in names]

    return {
        "warm": warm,
        "speaker_page": [(q.SPEAKER_PAGE, {"speaker": slug, "asOf": d}) for d in days[10:]],
        "search_new_text": searches(texts[10 : 10 + half], 20),
        "search_new_text_2": searches(texts[10 + half :], 2),
    }


def latency_rows(servers: dict[K, Server], fixtures: dict[K, Path], requests: int) -> dict[K, dict[str, Any]]:
    """Sequential cold speaker pages and never-repeated searches on each server (keyed by what it
    serves: a size, or a size and how); per server and row, median/p90/mean milliseconds (and for
    searches the mean results).

    The servers take turns request by request (1k, 100k, 1k, ...), each row as many requests on
    every server, so a ratio between them compares the same minutes of the machine, not two runs.
    """
    plans = {key: _plan(fixtures[key], requests) for key in servers}
    for key, server in servers.items():
        for query, variables in plans[key]["warm"]:
            _post(server, query, variables)
    answers: dict[K, dict[str, list[tuple[float, dict[str, Any]]]]] = {key: {} for key in servers}
    for row in ROWS:
        for i in range(min(len(plan[row]) for plan in plans.values())):
            for key, server in servers.items():
                answers[key].setdefault(row, []).append(_post(server, *plans[key][row][i]))
    rows: dict[K, dict[str, Any]] = {}
    for key, by_row in answers.items():
        rows[key] = {"searches": len(by_row["search_new_text"])}
        for row, got in by_row.items():
            rows[key][row] = _summary([ms for ms, _ in got])
            if row != "speaker_page":
                rows[key][row]["mean_hits"] = round(statistics.fmean(len(d["search"]) for _, d in got), 2)
    return rows


def worker_rss(server: Server) -> list[float]:
    """Returns the RSS (MB) of each worker process of a multi-worker server (not of multiprocessing's
    resource tracker, the supervisor's other child)."""
    assert server.process is not None
    children = _children(server.process.pid)
    return [tree_rss_mb(c) for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def startup_s(fixtures: Path, seeds: Path, snapshot: Path) -> float:
    """Starts and stops the server once over a fresh snapshot; returns its start-up time."""
    server = serve("startup", fixtures, seeds, snapshot).start()
    server.stop()
    return server.startup_s


def scale(
    sizes: list[int], settings: Settings, requests: int, starts: int
) -> list[dict[str, Any]]:
    """Every row for each synthetic size. Start-ups and latency rows take turns between the sizes."""
    data = {size: synth_dataset(size, WORK[0]) for size in sizes}
    snapshots = {size: WORK[0] / f"synth-{size}.db" for size in sizes}
    rows: dict[int, dict[str, Any]] = {}
    for size in sizes:
        rows[size] = {"claims": size, **build(*data[size], snapshots[size]), "startup_runs_s": []}
    for _ in range(starts):
        for size in sizes:
            rows[size]["startup_runs_s"].append(startup_s(*data[size], snapshots[size]))
    ones: dict[int, Server] = {}
    try:
        for size in sizes:
            ones[size] = serve(f"snapshot-{size}", *data[size], snapshots[size]).start()
            rows[size]["startup_runs_s"].append(ones[size].startup_s)
            rows[size]["startup_s"] = statistics.median(rows[size]["startup_runs_s"])
            rows[size]["rss_after_start_mb"] = ones[size].rss_mb()
        fixtures = {size: data[size][0] for size in ones}
        for size, latency in latency_rows(ones, fixtures, requests).items():
            rows[size].update(latency)
        for size, one in ones.items():
            run_wrk(one.url, cold(q.CLAIMS_20), settings.seconds, settings.connections)
            rows[size]["rss_after_load_mb"] = one.rss_mb()
    finally:
        for server in ones.values():
            server.stop()
    for size in sizes:
        row = rows[size]
        two = serve(f"snapshot-{size}-2w", *data[size], snapshots[size], workers=2).start()
        try:
            row["startup_2_workers_s"] = two.startup_s
            run_wrk(two.url, cold(q.CLAIMS_20), settings.seconds, settings.connections)
            latency_rows({size: two}, {size: data[size][0]}, min(requests, 50))
            row["rss_2_workers_each_mb"] = worker_rss(two)
        finally:
            two.stop()
        print(json.dumps(row), flush=True)
    return [rows[size] for size in sizes]


def curated(settings: Settings) -> dict[str, Any]:
    """The cold 20-claim page on the curated data: snapshot vs raw, in one run."""
    fixtures, seeds = REPO / "fixtures", REPO / "seeds"
    snapshot = WORK[0] / "curated.db"
    build(fixtures, seeds, snapshot)
    servers = {
        "snapshot": serve("curated-snapshot", fixtures, seeds, snapshot),
        "raw": raw(),
    }
    try:
        for server in servers.values():
            server.start()
        result = run_scenario(
            "cold-curated", cold(q.CLAIMS_20), servers, settings, reference="snapshot",
            note="20 claims, asOf varies; same run",
        )
    finally:
        for server in servers.values():
            server.stop()
    return result


def _per_result(row: dict[str, Any]) -> float:
    """The `first: 20` search's median time per result: the sizes answer pages of different sizes
    (about six results at 1k claims, twenty at 100k), so only time per result compares equal work."""
    search = row["search_new_text"]
    return float(search["median_ms"]) / max(float(search["mean_hits"]), 1.0)


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
        " speaker page (median) | x 1k | new search (median; results) | x 1k per result"
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
            f" | {_per_result(r) / _per_result(first):.2f}"
            f" | {r['search_new_text_2']['median_ms']} ms"
            f" | {r['search_new_text_2']['median_ms'] / first['search_new_text_2']['median_ms']:.2f} |"
        )
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
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Runs every row and writes bench/results/store.{json,md}."""
    parser = argparse.ArgumentParser(prog="python -m bench.store", description=__doc__)
    parser.add_argument("--sizes", default="1000,100000", help="synthetic claim counts (default 1000,100000)")
    parser.add_argument("--requests", type=int, default=150, help="sequential requests per latency row")
    parser.add_argument("--seconds", type=float, default=5.0, help="wrk seconds per load/ratio run")
    parser.add_argument("--work", type=Path, default=WORK[0], help="where synthetic data and snapshots go")
    parser.add_argument("--starts", type=int, default=4, help="extra start-ups per size (median reported)")
    args = parser.parse_args(argv)
    WORK[0] = args.work
    ensure_wrk()
    settings = Settings(seconds=args.seconds, rounds=2, warmup_seconds=1.0, connections=16)
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = scale(sizes, settings, args.requests, args.starts)
    ratio = curated(settings)
    command = "python -m bench.store " + " ".join(argv if argv is not None else sys.argv[1:])
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "store.json").write_text(json.dumps({"rows": rows, "curated": ratio}, indent=2) + "\n")
    (RESULTS / "store.md").write_text(markdown(rows, ratio, command.strip()))
    print((RESULTS / "store.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
