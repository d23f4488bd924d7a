"""Where the time of the "large" scenario goes: py-spy samples a real `parley serve` under wrk load.

Run: .venv/bin/python -m bench.profile_large [--seconds 10] [--rate 250] [--scenario large|cold]

Starts `parley serve` (as shipped) on the 1k synthetic dataset, drives it with the large scenario's
cold request (1,000 claims in one request, bench/queries.py: LARGE) from wrk, and meanwhile records
py-spy samples of the server: by default only of the thread holding the GIL (where the Python time
goes), with --all-threads of every non-idle thread. Writes bench/results/profile-large-1000.txt
(profile-large-1000-threads.txt with --all-threads): the share of samples per thread, per layer,
and per function its own time (the frame on top of the stack) and its inclusive time (anywhere on
the stack); and the raw folded stacks beside it as .folded (any flame-graph tool reads them). Not
part of `make bench`. `--scenario cold` profiles the cold 20-claim query on the curated data
instead (bench/queries.py: CLAIMS_20, asOf varying): profile-cold.{txt,folded}.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path

from bench import queries as q
from bench.run import REAL, cold, synth_dataset
from bench.servers import REPO, fetch, parley
from bench.wrk import WrkResult, run_wrk

RESULTS = REPO / "bench" / "results"
_FRAME = re.compile(r"^(?P<name>.*) \((?P<file>[^()]*)\)$")


def py_spy() -> str:
    """Returns the path of py-spy (the `bench` extra installs it next to this interpreter)."""
    beside = Path(sys.executable).parent / "py-spy"
    found = str(beside) if beside.is_file() else shutil.which("py-spy")
    if not found:
        raise SystemExit("py-spy is missing: pip install -e '.[bench]'")
    return found


def short(frame: str) -> str:
    """`execute_field (graphql/execution/execute.py)` from py-spy's frame with its full file path."""
    match = _FRAME.match(frame)
    if match is None:
        return frame
    path = match["file"]
    for marker in ("site-packages/", str(REPO) + "/", "/lib/python3."):
        if marker in path:
            path = path.split(marker, 1)[1]
            if marker == "/lib/python3.":
                path = "stdlib/" + path.split("/", 1)[-1]
            break
    return f"{match['name']} ({path})"


# Where a frame's own time belongs, by its file (first match wins).
LAYERS = [
    ("graphql-core argument coercion (graphql/execution/values.py)", "graphql/execution/values.py"),
    ("graphql-core, other", "graphql/"),
    ("parley engine (api/engine/)", "api/engine/"),
    ("parley resolvers and graph types (api/graph/)", "api/graph/"),
    ("parley data values (schema/)", "schema/"),
    ("parley HTTP layer (api/http/)", "api/http/"),
    ("strawberry", "strawberry/"),
    (
        "starlette / anyio / uvicorn / asyncio (HTTP, threads, event loop)",
        "starlette/|anyio/|uvicorn/|asyncio/",
    ),
    ("Python stdlib, other", "stdlib/|<frozen|<string>|threading.py|base64.py|enum.py|datetime.py"),
]


# A thread whose top frame is one of these is waiting (py-spy cannot always tell it idle): its
# samples are counted apart, not as time spent.
WAITING = ("Condition.wait (threading.py", "Event.wait (threading.py", "select (selectors.py")


def layer(frame: str) -> str:
    """Returns the name of the layer a (shortened) frame belongs to."""
    for name, where in LAYERS:
        if any(f"({w}" in frame or f"/{w}" in frame for w in where.split("|")):
            return name
    return "other"


def summarise(folded: str, top: int = 40) -> tuple[int, list[str]]:
    """Takes py-spy's folded stacks (`thread;frame;frame N` lines) and returns (samples, report lines)."""
    own: Counter[str] = Counter()
    layers: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    total = waiting = 0
    for line in folded.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        thread, frames = frames[0], [short(f) for f in frames[1:]]
        if frames and frames[-1].startswith(WAITING):
            waiting += count
            continue
        total += count
        threads[re.sub(r"\s*\(?0x[0-9a-f]+\)?", "", thread).strip() or thread] += count
        if frames:
            own[frames[-1]] += count
            layers[layer(frames[-1])] += count
        for frame in set(frames):
            anywhere[frame] += count
    if total == 0:
        return 0, ["py-spy recorded no samples"]

    def share(n: int) -> str:
        return f"{100 * n / total:5.1f}%"

    lines = [f"{total:,} samples ({waiting:,} more of threads waiting in {', '.join(WAITING)}: left out)"]
    lines += ["", "by thread:"]
    lines += [f"  {share(n)}  {name}" for name, n in threads.most_common()]
    lines += ["", "own time by layer (the file of the frame on top of the stack):"]
    lines += [f"  {share(n)}  {name}" for name, n in layers.most_common()]
    lines += ["", f"own time (top of the stack), top {top}:"]
    lines += [f"  {share(n)}  {name}" for name, n in own.most_common(top)]
    lines += ["", f"inclusive time (anywhere on the stack), top {top}:"]
    lines += [f"  {share(n)}  {name}" for name, n in anywhere.most_common(top)]
    return total, lines


def record(
    seconds: float, rate: int, connections: int, gil: bool, scenario: str = "large"
) -> tuple[str, WrkResult, int]:
    """Runs the server under wrk while py-spy records it; returns (folded stacks, wrk's result, bytes)."""
    data = synth_dataset(1000, Path("/tmp/parley-bench-data")) if scenario == "large" else REAL
    server = parley(f"profile-{scenario}", *data).start()
    try:
        request = cold(q.LARGE if scenario == "large" else q.CLAIMS_20)
        status, body, _ = fetch(server.url + request.path, request.body(), "POST")
        if status != 200 or b'"errors"' in body:
            raise SystemExit(f"the large request failed: {status} {body[:300]!r}")
        run_wrk(server.url, request, 2.0, connections)  # warm-up: documents cached, plans compiled
        assert server.process is not None
        loaded: list[WrkResult] = []
        driver = threading.Thread(
            target=lambda: loaded.append(run_wrk(server.url, request, seconds + 2, connections))
        )
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "stacks.folded"
            driver.start()
            command = [py_spy(), "record", "--pid", str(server.process.pid), "--duration", f"{seconds:g}"]
            command += ["--rate", str(rate), "--format", "raw", "--threads", "--function"]
            command += ["--gil"] if gil else []
            command += ["--output", str(out)]
            subprocess.run(command, check=True, capture_output=True, timeout=seconds + 60)
            driver.join(timeout=seconds + 60)
            folded = out.read_text(encoding="utf-8")
        return folded, loaded[0], len(body)
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    """Writes profile-large-1000.{txt,folded}; returns 0."""
    parser = argparse.ArgumentParser(prog="python -m bench.profile_large", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="how long py-spy records")
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections, as make bench")
    parser.add_argument(
        "--all-threads",
        action="store_true",
        help="every non-idle thread's stack (default: only the thread holding the GIL, i.e. where "
        "the one core's worth of Python time goes)",
    )
    parser.add_argument(
        "--summarise", type=Path, help="only print the summary of a .folded file written before"
    )
    parser.add_argument("--scenario", choices=["large", "cold"], default="large")
    args = parser.parse_args(argv)
    if args.summarise:
        print("\n".join(summarise(args.summarise.read_text(encoding="utf-8"))[1]))
        return 0
    gil = not args.all_threads
    folded, load, size = record(args.seconds, args.rate, args.connections, gil, args.scenario)
    _, lines = summarise(folded)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    large = args.scenario == "large"
    data_name = "synth 1k" if large else "curated data"
    what = "the large request (1,000 claims" if large else "the 20-claim query (asOf varies"
    what += ")"
    head = [
        f"py-spy {args.rate}/s for {args.seconds:g} s of `parley serve` ({data_name}, one worker, commit "
        f"{commit.stdout.strip()}) under wrk: {what} ({size:,} bytes), cold, "
        f"{args.connections} connections. Samples: "
        + ("every non-idle thread." if args.all_threads else "only the thread holding the GIL."),
        f"wrk meanwhile: {load.rps:.1f} req/s, p50 {load.p50_ms:.1f} ms, p99 {load.p99_ms:.1f} ms.",
        "Command: .venv/bin/python -m bench.profile_large " + " ".join(argv or sys.argv[1:]),
        "",
    ]
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = ("profile-large-1000" if large else "profile-cold") + ("-threads" if args.all_threads else "")
    (RESULTS / f"{stem}.txt").write_text("\n".join(head + lines) + "\n", encoding="utf-8")
    (RESULTS / f"{stem}.folded").write_text(folded, encoding="utf-8")
    print("\n".join(head + lines[:60]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
