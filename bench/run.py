"""`make bench`: every scenario of the performance issue, written to bench/results/ (JSON, markdown, PNG).

Run: .venv/bin/python -m bench.run [--seconds 5] [--rounds 2] [--sizes 1000,10000,100000] [--quick]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import queries as q
from bench.measure import Settings, run_scenario
from bench.queries import Request
from bench.report import write_reports
from bench.servers import REPO, Server, built_snapshot, fetch, parley, peer, raw
from bench.wrk import ensure_wrk

REAL = (REPO / "fixtures", REPO / "seeds")
# Three targets in every GraphQL scenario: parley as shipped (`parley serve`, no flags, no PARLEY_*
# variables), the stock-strawberry peer (bench/peer_app.py: its caches and limit extensions on) and
# the raw Starlette limit (bench/raw_app.py).


def synth_dataset(claims: int, data_dir: Path) -> tuple[Path, Path]:
    """Returns (fixtures, seeds) of a synthetic dataset of that size, generating it once."""
    out = data_dir / f"synth-{claims}"
    if not (out / "fixtures" / "datapackage.json").is_file():
        from api.synth.generator import generate, write

        print(f"generating {claims} synthetic claims into {out}", flush=True)
        write(generate(claims), out)
    return out / "fixtures", out / "seeds"


def busiest_speaker(fixtures: Path) -> tuple[str, str]:
    """Returns (slug, name) of the person with the most claims in a dataset."""
    claims = json.loads((fixtures / "claims.json").read_bytes())
    slug = Counter(c["speaker"] for c in claims).most_common(1)[0][0]
    people = json.loads((fixtures / "people.json").read_bytes())
    return slug, next(p["name"] for p in people if p["id"] == slug)


def cold(query: str, **variables: Any) -> Request:
    """A POST whose `asOf` changes on every request (the first request uses the warm value)."""
    return Request("POST", "/graphql", query, {**variables, "asOf": q.WARM_AS_OF}, vary="asOf")


def warm(query: str, **variables: Any) -> Request:
    """The same POST, byte for byte, on every request."""
    return Request("POST", "/graphql", query, {**variables, "asOf": q.WARM_AS_OF})


def with_servers(servers: dict[str, Server], work: Callable[[dict[str, Server]], Any]) -> Any:
    """Starts every server, runs `work` with them, and stops them all whatever happens."""
    try:
        for server in servers.values():
            server.start()
            print(f"started {server.name} in {server.startup_s} s ({server.rss_mb()} MB)", flush=True)
        return work(servers)
    finally:
        for server in servers.values():
            server.stop()


def real_phase(settings: Settings) -> list[dict[str, Any]]:
    """On the curated dataset: warm, cold and nested against the peer and the limit; downloads
    against the limit (the peer serves only /graphql)."""
    servers = {"raw": raw(), "shipped": parley("shipped", *REAL), "peer": peer("peer", *REAL)}

    def work(s: dict[str, Server]) -> list[dict[str, Any]]:
        download = Request("GET", "/fixtures/claims.json")
        return [
            run_scenario("warm", warm(q.CLAIMS_20), s, settings, note="20 claims, same request"),
            run_scenario("cold", cold(q.CLAIMS_20), s, settings, note="20 claims, asOf varies"),
            run_scenario("nested", cold(q.NESTED), s, settings, note="claims>citations>source>outlet, cold"),
            run_scenario(
                "download",
                download,
                {"raw": s["raw"], "shipped": s["shipped"]},
                settings,
                note="GET fixtures/claims.json",
            ),
        ]

    results: list[dict[str, Any]] = with_servers(servers, work)
    return results


def large_phase(settings: Settings, data_dir: Path) -> dict[str, Any]:
    """1,000 claims in one request (ten aliased pages of 100) on the 1k synthetic dataset, cold."""
    data = synth_dataset(1000, data_dir)
    servers = {"raw": raw(), "shipped": parley("shipped-1k", *data), "peer": peer("peer-1k", *data)}
    note = "1,000 claims: 10 aliased pages of 100 (first <= 100), synth 1k, cold"
    result: dict[str, Any] = with_servers(
        servers, lambda s: run_scenario("large", cold(q.LARGE), s, settings, note=note)
    )
    return result


def scale_phase(settings: Settings, data_dir: Path, sizes: list[int]) -> list[dict[str, Any]]:
    """Per size: start-up time and RSS, a speaker's first 20 claims and a text search for an equal
    page (cold); all sizes in one run, so their ratios compare the same minutes of the machine."""
    results = []
    for size in sizes:
        data = synth_dataset(size, data_dir)
        slug, name = busiest_speaker(data[0])
        # Each size its own snapshot, built before the clock starts: start-up compares starts.
        snapshot = built_snapshot(*data, data_dir / f"synth-{size}.db")
        servers = {"shipped": parley(f"shipped-{size}", *data, snapshot=snapshot)}

        def work(
            s: dict[str, Server], size: int = size, slug: str = slug, name: str = name
        ) -> dict[str, Any]:
            startup = {n: {"startup_s": x.startup_s, "rss_mb_at_start": x.rss_mb()} for n, x in s.items()}
            page = run_scenario(
                f"speaker-page-{size}",
                cold(q.SPEAKER_PAGE, speaker=slug),
                s,
                settings,
                limit=None,
                note=f"first 20 claims of {slug}, cold",
            )
            request = cold(q.SEARCH, text=name, first=SEARCH_PAGE)
            search = run_scenario(
                f"search-{size}",
                request,
                s,
                settings,
                limit=None,
                note=f"search(text: {name!r}, first: {SEARCH_PAGE}), cold",
            )
            search["results"] = search_results(s["shipped"], request)
            for n, x in s.items():
                startup[n]["rss_mb_after"] = x.rss_mb()
            return {"claims": size, "startup": startup, "speaker_page": page, "search": search}

        results.append(with_servers(servers, work))
    return results


SEARCH_PAGE = 5
"""The scale rows' search page: small enough that every size fills it (the busiest speaker's name
matches about six records at 1k claims, a full page of 20 at 100k), so the sizes answer equal pages."""


def search_results(server: Server, request: Request) -> int:
    """How many results the scale row's search answers: the rows compare equal pages (the target
    compares time per result, should a size not fill the page)."""
    status, body, _ = fetch(server.url + request.path, request.body(), "POST")
    if status != 200:
        raise RuntimeError(f"{server.name} answered {status}: {body[:300]!r}")
    found: list[Any] = json.loads(body)["data"]["search"]
    return len(found)


def workers_phase(settings: Settings) -> dict[str, Any]:
    """The cold 20-claim query on the curated dataset with one and with two uvicorn workers.

    wrk opens its 16 connections at once, and one worker's accept loop can take all of them; every
    200th request closes its connection, so wrk's reconnections spread over both workers, as
    arriving clients would. Both targets get the same script.
    """
    spread = dataclasses.replace(cold(q.CLAIMS_20), reconnect_every=200)
    note = "cold 20-claim query; every 200th request reconnects"
    servers = {
        "1-worker": parley("shipped-1w", *REAL, workers=1),
        "2-workers": parley("shipped-2w", *REAL, workers=2),
    }
    result: dict[str, Any] = with_servers(
        servers,
        lambda s: run_scenario("workers", spread, s, settings, reference="1-worker", limit=None, note=note),
    )
    return result


def _load_average() -> str:
    """The machine's 1, 5 and 15 minute load averages (other work running beside the benchmark)."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    wrk_version = subprocess.run([ensure_wrk(), "-v"], capture_output=True, text=True, check=False)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "api", "schema", "bench", ":!bench/results"],
        cwd=REPO,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "wrk": (wrk_version.stdout or wrk_version.stderr).splitlines()[0]
        if (wrk_version.stdout or wrk_version.stderr)
        else "",
        "load_average_at_start": _load_average(),
        "commit": os.environ.get("BENCH_COMMIT")
        or commit.stdout.strip() + (" (uncommitted changes)" if dirty else ""),
    }


def main(argv: list[str] | None = None) -> int:
    """Runs the whole benchmark and writes bench/results/; returns 0."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each timed wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="timed runs per target, alternated")
    parser.add_argument("--sizes", default="1000,10000,100000", help="synthetic dataset sizes (claims)")
    parser.add_argument("--phases", default="real,large,scale,workers", help="which phases to run")
    parser.add_argument("--quick", action="store_true", help="1 round of 2 s, sizes 1000,10000")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/parley-bench-data"))
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.rounds, args.sizes = 2.0, 1, "1000,10000"
    settings = Settings(seconds=args.seconds, rounds=args.rounds)
    sizes = [int(s) for s in args.sizes.split(",")]
    phases = set(args.phases.split(","))
    began = time.perf_counter()
    results: dict[str, Any] = {"machine": machine(), "settings": vars(settings) | {"sizes": sizes}}
    if "real" in phases:
        results["scenarios"] = real_phase(settings)
    if "large" in phases:
        results.setdefault("scenarios", []).append(large_phase(settings, args.data_dir))
    if "scale" in phases:
        results["scale"] = scale_phase(settings, args.data_dir, sizes)
    if "workers" in phases:
        results["workers"] = workers_phase(settings)
    results["elapsed_s"] = round(time.perf_counter() - began, 1)
    results["machine"]["load_average_at_end"] = _load_average()
    for path in write_reports(results, args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
