"""Not a test: parley direct vs behind nginx, one process vs two, and the HTTP edge, in one run.

    .venv/bin/python -m bench.deploy [--seconds 10] [--connections 16]

Starts two `parley serve` (ports A and B, on 127.0.0.1) and two nginx from deploy/ (one in front of
A alone, one in front of A and B; the per-client rate limit lifted, since wrk is one client), then
measures with Debian's wrk:
- warm: the same GET query, direct to A (parley's own response cache) vs through nginx (its cache);
- cold: POST with a new date each request (no cache can answer), direct to A, nginx -> A, nginx -> A+B;
and at the edge, against A with the default server settings: RSS while eight clients each send an
unterminated 32 MiB header, how long 200 slowloris connections stay open, and how long a SIGTERM
takes with a request whose body stalls. Writes bench/results/deploy.{json,md}.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

from bench.queries import CLAIMS_20, WARM_AS_OF, Request
from bench.servers import tree_rss_mb
from bench.wrk import run_wrk

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"

WARM = Request(
    "GET", f"/graphql?query={quote(CLAIMS_20)}&variables={quote(json.dumps({'asOf': WARM_AS_OF}))}"
)
COLD = Request("POST", "/graphql", CLAIMS_20, {"asOf": WARM_AS_OF}, vary="asOf")


def _stack() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deploy_stack", REPO / "deploy" / "stack.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def cpu_seconds(pid: int) -> float:
    """Returns the CPU time (user + system) of a process and all its descendants, in seconds."""
    ticks, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):
                stack += [int(c) for c in (task / "children").read_text().split()]
    return ticks / os.sysconf("SC_CLK_TCK")


def _measure(
    name: str, base: str, request: Request, seconds: float, conns: int, pids: dict[str, list[int]]
) -> dict[str, Any]:
    """One wrk run, with the CPU time each side (parley, nginx) spent per request meanwhile."""
    before = {side: sum(cpu_seconds(p) for p in group) for side, group in pids.items()}
    result = run_wrk(base, request, seconds, conns)
    spent = {side: sum(cpu_seconds(p) for p in group) - before[side] for side, group in pids.items()}
    count = max(result.requests, 1)
    per_request = {f"{side}_cpu_us_per_request": round(1e6 * cpu / count, 1) for side, cpu in spent.items()}
    print(f"  {name}: {result.rps:.0f} req/s, p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms, "
          f"non-2xx {result.non_2xx}, socket errors {result.socket_errors}, CPU us/req {per_request}",
          flush=True)  # fmt: skip
    return {"name": name, **result.as_dict(), **per_request}


def _mean_runs(rounds: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Averages each scenario's numbers over the rounds (the rounds alternate the scenarios)."""
    merged = []
    for index, first in enumerate(rounds[0]):
        same = [r[index] for r in rounds]
        row: dict[str, Any] = {"name": first["name"], "rounds": len(same)}
        for key, value in first.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                mean = sum(r[key] for r in same) / len(same)
                row[key] = round(mean, 2) if isinstance(value, float) else round(mean)
        row["rps_by_round"] = [r["rps"] for r in same]
        merged.append(row)
    return merged


def _raw(port: int, data: bytes, timeout: float = 60.0) -> tuple[bytes, float]:
    """Sends bytes (until the server resets), returns what came back and the seconds until it closed."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        with contextlib.suppress(OSError):
            sock.sendall(data)
        chunks = []
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65536):
                chunks.append(chunk)
    return b"".join(chunks), time.monotonic() - start


def _huge_headers(port: int, pid: int, clients: int = 8, size: int = 32 << 20) -> dict[str, Any]:
    """Eight unterminated 32 MiB headers at once: RSS before, peak while sending, statuses answered."""
    before = tree_rss_mb(pid)
    peak, done = before, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_mb(pid))
            time.sleep(0.02)

    statuses: list[str] = []
    sent_total: list[int] = []

    def send() -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sent = 0
            with contextlib.suppress(OSError):
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: b\r\nX-Big: ")
                block = b"a" * 65536
                while sent < size:
                    sock.sendall(block)
                    sent += len(block)
            answer = b""
            with contextlib.suppress(OSError):
                answer = sock.recv(200)
        statuses.append(answer[9:12].decode() or "closed")
        sent_total.append(sent)

    sampler = threading.Thread(target=sample)
    sampler.start()
    senders = [threading.Thread(target=send) for _ in range(clients)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join()
    done.set()
    sampler.join()
    return {
        "clients": clients,
        "header_bytes_each": size,
        "rss_mb_before": before,
        "rss_mb_peak": peak,
        "statuses": sorted(statuses),
        "bytes_sent_before_cut_max": max(sent_total),
    }


def _slowloris(port: int, connections: int = 200) -> dict[str, Any]:
    socks = [socket.create_connection(("127.0.0.1", port), timeout=60) for _ in range(connections)]
    start = time.monotonic()
    for sock in socks:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: b\r\nX-Slow: ")
    closed_after, statuses = [], set()
    for sock in socks:
        with contextlib.suppress(OSError):
            answer = sock.recv(200)
            statuses.add(answer[9:12].decode() or "closed")
            while sock.recv(65536):
                pass
        closed_after.append(time.monotonic() - start)
        sock.close()
    return {"connections": connections, "all_closed_after_s": round(max(closed_after), 2),
            "statuses": sorted(statuses)}  # fmt: skip


def _stalled_shutdown(stack: ModuleType, tmp: Path) -> dict[str, Any]:
    port = stack.free_port()
    process = stack.start_replica(port, tmp / "stalled.log")
    head = b"POST /graphql HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\nContent-Length: 100\r\n"
    head += b"\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(head + b'{"query"')
        time.sleep(0.5)
        start = time.monotonic()
        process.terminate()
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        seconds = time.monotonic() - start
    return {"sigterm_to_exit_s": round(seconds, 2), "exit_status": process.returncode}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.deploy", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per wrk run (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the five runs (default 3)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    args = parser.parse_args(argv)
    stack = _stack()
    with tempfile.TemporaryDirectory(prefix="parley-bench-deploy-") as scratch:
        tmp = Path(scratch)
        ports = [stack.free_port(), stack.free_port()]
        replicas = [stack.start_replica(port, tmp / f"parley-{i}.log") for i, port in enumerate(ports)]
        proxies = []
        try:
            fronts = {}
            for name, upstreams in (("one", ports[:1]), ("two", ports)):
                listen = stack.free_port()
                stack.render(tmp / f"nginx-{name}", f"127.0.0.1:{listen}", upstreams, rate_limits=False)
                proxies.append(stack.start_nginx(tmp / f"nginx-{name}", listen))
                fronts[name] = f"http://127.0.0.1:{listen}"
            direct = f"http://127.0.0.1:{ports[0]}"
            seconds, conns = args.seconds, args.connections
            print(f"{args.rounds} rounds of wrk -t1 -c{conns} -d{seconds:g}s; parley :{ports[0]} :{ports[1]}")
            for base in (direct, fronts["one"]):  # fill both caches first
                run_wrk(base, WARM, 1.0, conns)
            pids = {"parley": [r.pid for r in replicas], "nginx": [p.pid for p in proxies]}
            scenarios = [
                ("warm GET, direct to parley", direct, WARM),
                ("warm GET, nginx cache HIT", fronts["one"], WARM),
                ("cold POST, direct to one parley", direct, COLD),
                ("cold POST, nginx -> one parley", fronts["one"], COLD),
                ("cold POST, nginx -> two parley", fronts["two"], COLD),
            ]
            rounds = []
            for number in range(args.rounds):
                print(f" round {number + 1}", flush=True)
                rounds.append([_measure(n, base, req, seconds, conns, pids) for n, base, req in scenarios])
            runs = _mean_runs(rounds)
            cache_status = subprocess.run(
                ["curl", "-s", "-o", "/dev/null", "-D", "-", fronts["one"] + WARM.path],
                capture_output=True, text=True, check=False,
            ).stdout  # fmt: skip
            print("  edge: eight unterminated 32 MiB headers", flush=True)
            huge = _huge_headers(ports[1], replicas[1].pid)
            print(f"    {huge}", flush=True)
            print("  edge: 200 slowloris connections", flush=True)
            loris = _slowloris(ports[1])
            print(f"    {loris}", flush=True)
        finally:
            for process in proxies + replicas:
                stack.stop(process)
        print("  edge: SIGTERM with a stalled body", flush=True)
        stalled = _stalled_shutdown(stack, tmp)
        print(f"    {stalled}", flush=True)
    by_name = {run["name"]: run for run in runs}

    def ratio(a: str, b: str) -> float:
        return round(float(by_name[a]["rps"]) / float(by_name[b]["rps"]), 2)

    ratios = {
        "nginx cache HIT / direct warm": ratio("warm GET, nginx cache HIT", "warm GET, direct to parley"),
        "nginx -> one / direct, cold": ratio(
            "cold POST, nginx -> one parley", "cold POST, direct to one parley"
        ),
        "nginx -> two / nginx -> one, cold": ratio(
            "cold POST, nginx -> two parley", "cold POST, nginx -> one parley"
        ),
    }  # fmt: skip
    report = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.platform()}, {len(os.sched_getaffinity(0))} CPUs, "
        f"Python {platform.python_version()}",
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "nginx": subprocess.run(["nginx", "-v"], capture_output=True, text=True, check=False).stderr.strip(),
        "wrk": {"connections": args.connections, "seconds": args.seconds, "rounds": args.rounds},
        "runs": runs,
        "ratios": ratios,
        "warm_probe_headers": [h for h in cache_status.splitlines() if h.lower().startswith("x-cache")],
        "edge": {"huge_headers": huge, "slowloris": loris, "stalled_body_shutdown": stalled},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "deploy.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "deploy.md").write_text(_markdown(report), encoding="utf-8")
    print(f"wrote {RESULTS / 'deploy.md'}")
    return 0


def _markdown(report: dict[str, Any]) -> str:
    lines = [
        "# parley behind nginx",
        "",
        f"`python -m bench.deploy` on {report['machine']}, {report['nginx']}, {report['when']}; "
        f"load average at the end {report['load_average_at_end']} (other work shared the machine).",
        f"Means over {report['wrk']['rounds']} rounds of wrk -t1 -c{report['wrk']['connections']} "
        f"-d{report['wrk']['seconds']:g}s per row, the rows alternated round by round so they share the "
        "machine's noise; wrk, nginx and parley share the same 2 cores. The per-client rate limit is "
        "lifted for these runs (wrk is one client). CPU columns: CPU time the parley processes and the "
        "nginx processes spent per request during the run, which other load on the machine disturbs "
        "far less than req/s does.",
        "",
        "| run | req/s | req/s by round | p50 ms | p99 ms | parley CPU µs/req | nginx CPU µs/req "
        "| non-2xx |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for run in report["runs"]:
        lines.append(
            f"| {run['name']} | {run['rps']:.0f} | {', '.join(f'{x:.0f}' for x in run['rps_by_round'])} | "
            f"{run['p50_ms']:.2f} | {run['p99_ms']:.2f} | {run['parley_cpu_us_per_request']:.1f} | "
            f"{run['nginx_cpu_us_per_request']:.1f} | {run['non_2xx'] + run['socket_errors']} |"
        )
    lines += ["", *(f"- {name}: **{value}x**" for name, value in report["ratios"].items())]
    edge = report["edge"]
    huge, loris, stalled = edge["huge_headers"], edge["slowloris"], edge["stalled_body_shutdown"]
    lines += [
        "",
        "## The HTTP edge (one parley, default server settings)",
        "",
        f"- {huge['clients']} concurrent unterminated {huge['header_bytes_each'] >> 20} MiB headers: RSS "
        f"{huge['rss_mb_before']} MB before, {huge['rss_mb_peak']} MB at the peak; "
        f"answers {huge['statuses']}; at most {huge['bytes_sent_before_cut_max'] >> 10} KiB "
        "sent by a client (into socket buffers) before the server cut it off "
        "(issue 11 measured 162 -> 440 MB, and 200 answers, before).",
        f"- {loris['connections']} slowloris connections (headers never finished): all closed after "
        f"{loris['all_closed_after_s']} s, answered {loris['statuses']} (never closed before).",
        f"- SIGTERM while a request body stalls (Content-Length 100, 8 bytes sent): exited after "
        f"{stalled['sigterm_to_exit_s']} s, status {stalled['exit_status']} (waited for the client before).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
