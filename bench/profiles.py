"""Profiles behind the missed targets, written to bench/results/profile-*.txt (not part of `make bench`).

Run: .venv/bin/python -m bench.profiles [--claims 100000]. It loads the synthetic dataset of that
size step by step, recording time and resident memory of each step, profiles the app's start-up
(pyinstrument) and one cold search and one cold speaker page (cProfile), in-process.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import pstats
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.run import busiest_speaker, synth_dataset
from bench.servers import REPO

RESULTS = REPO / "bench" / "results"


def _rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(next(x.split()[1] for x in status.splitlines() if x.startswith("VmRSS:"))) / 1024


def memory_steps(fixtures: Path, seeds: Path) -> str:
    """Loads the dataset step by step; returns a table of seconds and RSS after each step."""
    from api.graph.context import Context
    from api.graph.search_index import search_index
    from api.http.app import open_snapshot

    rows = [
        f"{'step':<44}{'seconds':>9}{'RSS MB':>9}",
        f"{'(interpreter, imports)':<44}{'':>9}{_rss_mb():>9.0f}",
    ]
    gc.disable()  # as the app does while loading
    steps: list[tuple[str, Callable[[], Any]]] = []
    state: dict[str, Any] = {}
    steps.append(
        (
            "open_snapshot (built first if stale)",
            lambda: state.setdefault("d", open_snapshot(fixtures.parent / "parley.db", fixtures, seeds)[0]),
        )
    )
    steps.append(
        (
            "Context (the API's indexes over the snapshot)",
            lambda: state.setdefault("c", Context.for_dataset(state["d"])),
        )
    )
    steps.append(("search indexes", lambda: search_index(state["c"])))
    for name, step in steps:
        began = time.perf_counter()
        step()
        rows.append(f"{name:<44}{time.perf_counter() - began:>9.2f}{_rss_mb():>9.0f}")
    dataset = state["d"]
    files = sum(len(f.content) for f in dataset.files.values())
    texts = sum(len(t) for t in dataset.seed_texts.values())
    kinds = Counter(type(o).__name__ for o in gc.get_objects())
    gc.enable()
    rows += [
        "",
        f"fixture bytes kept for downloads: {files / 2**20:.0f} MB; "
        f"seed text: {texts / 2**20:.0f} M code points",
    ]
    rows += ["objects tracked by the collector, by type (top 12):"]
    rows += [f"  {name:<28}{count:>10,}" for name, count in kinds.most_common(12)]
    return "\n".join(rows) + "\n"


def startup_profile(fixtures: Path, seeds: Path) -> str:
    """pyinstrument's text report of create_app over the dataset, only frames above 2% shown."""
    from pyinstrument import Profiler

    from api.http.app import create_app

    profiler = Profiler()
    profiler.start()
    create_app(fixtures_dir=fixtures, seeds_dir=seeds)
    profiler.stop()
    text: str = profiler.output_text(unicode=True, color=False, show_all=False)
    return text


class InProcess:
    """Sends POST /graphql requests straight into the ASGI app on one event loop (no sockets, no
    client library): what a request costs the server, through the same layers uvicorn would call."""

    def __init__(self, app: Any) -> None:
        import asyncio

        self.app = app
        self.loop = asyncio.new_event_loop()

    def post(self, payload: dict[str, Any]) -> tuple[int, bytes]:
        """Sends one JSON POST to /graphql; returns (status, body)."""
        return self.loop.run_until_complete(self._post(json.dumps(payload).encode("utf-8")))

    async def _post(self, body: bytes) -> tuple[int, bytes]:
        import asyncio

        headers = [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"accept", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/graphql",
            "raw_path": b"/graphql",
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        status, chunks = 0, []

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop()
            await asyncio.Event().wait()  # never disconnects while the app answers
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


def request_profile(
    fixtures: Path, seeds: Path, query: str, variables: dict[str, Any], runs: int = 200
) -> str:
    """Times `runs` cold requests through the app (asOf varies) and first searches for other
    names; returns both with cProfile's top 30 of the first searches (the part that grows)."""
    import datetime as dt

    from api.http.app import create_app

    client = InProcess(create_app(fixtures_dir=fixtures, seeds_dir=seeds))
    payloads = [
        {"query": query, "variables": {**variables, "asOf": str(dt.date(2030, 1, 1) + dt.timedelta(days=i))}}
        for i in range(runs + 20)
    ]
    for payload in payloads[:20]:
        client.post(payload)
    began = time.perf_counter()
    for payload in payloads[20:]:
        client.post(payload)
    per_request = (time.perf_counter() - began) / runs * 1000
    first_sight = _first_sight_searches(client, query, fixtures, skip=1)
    profile = cProfile.Profile()
    profile.enable()
    _first_sight_searches(client, query, fixtures, skip=31)  # other names again: memos cold
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(30)
    head = (
        f"{per_request:.3f} ms per request without the profiler ({runs} requests, same text)\n{first_sight}\n"
    )
    return head + "profile of those first searches (memos cold):\n" + out.getvalue()


def _first_sight_searches(client: InProcess, query: str, fixtures: Path, skip: int, count: int = 30) -> str:
    """Times searches for names never searched before (no memo helps): the cost of a new text."""
    people = json.loads((fixtures / "people.json").read_bytes())
    names = [p["name"] for p in people if p["named"]][skip : skip + count]
    times = []
    for name in names:
        payload = {"query": query, "variables": {"text": name, "asOf": "2030-01-01"}}
        began = time.perf_counter()
        status, body = client.post(payload)
        times.append((time.perf_counter() - began) * 1000)
        if status != 200:
            raise RuntimeError(f"search for {name!r} answered {status}: {body[:300]!r}")
    times.sort()
    return (
        f"first search of {len(times)} other names (memos cold): median {times[len(times) // 2]:.3f} ms, "
        f"max {times[-1]:.3f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    """Writes the profile files; returns 0."""
    from bench import queries as q

    parser = argparse.ArgumentParser(prog="python -m bench.profiles", description=__doc__)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1000, help="size to compare the request profiles with")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/parley-bench-data"))
    parser.add_argument("--search-only", action="store_true", help="only the search profiles")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    big = synth_dataset(args.claims, args.data_dir)
    if not args.search_only:
        (RESULTS / f"profile-memory-{args.claims}.txt").write_text(memory_steps(*big), encoding="utf-8")
        (RESULTS / f"profile-startup-{args.claims}.txt").write_text(startup_profile(*big), encoding="utf-8")
    for size in (args.small, args.claims):
        data = synth_dataset(size, args.data_dir)
        _, name = busiest_speaker(data[0])
        report = request_profile(*data, q.SEARCH, {"text": name})
        (RESULTS / f"profile-search-{size}.txt").write_text(report, encoding="utf-8")
    for path in sorted(RESULTS.glob("profile-*.txt")):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
