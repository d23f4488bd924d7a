"""One scenario against several servers: check the answers agree, then alternate wrk runs between them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from statistics import mean
from typing import Any

from bench.queries import Request
from bench.servers import Server, fetch, set_raw_answer
from bench.wrk import WrkResult, run_wrk


@dataclass(frozen=True)
class Settings:
    """How long and how hard to drive each target."""

    seconds: float = 5.0
    rounds: int = 2
    warmup_seconds: float = 1.0
    connections: int = 16


def _answer(server: Server, request: Request) -> tuple[int, bytes, str]:
    if request.method == "GET":
        return fetch(server.url + request.path)
    return fetch(server.url + request.path, request.body(), "POST")


def check_answers(request: Request, servers: dict[str, Server], reference: str) -> dict[str, Any]:
    """Sends the scenario's first request to each parley server; returns the reference answer's facts.

    Raises when a server errs or two servers disagree on the data, so a broken target is never timed.
    """
    status, body, content_type = _answer(servers[reference], request)
    if status != 200:
        raise RuntimeError(f"{reference} answered {status}: {body[:300]!r}")
    parsed = json.loads(body) if request.query else None
    if parsed is not None and "errors" in parsed:
        raise RuntimeError(f"{reference} answered errors: {parsed['errors']}")
    for name, server in servers.items():
        if name == reference or name.startswith("raw"):
            continue
        other_status, other, _ = _answer(server, request)
        same = json.loads(other) == parsed if parsed is not None else other == body
        if other_status != 200 or not same:
            raise RuntimeError(f"{name} disagrees with {reference}: {other_status} {other[:300]!r}")
    return {"bytes": len(body), "content_type": content_type, "body": body}


def _summary(runs: list[WrkResult], cpu_ms: list[float | None]) -> dict[str, Any]:
    """Means over the rounds (each round ran every target once, in rotated order)."""
    counted = [c for c in cpu_ms if c is not None]
    return {
        **({"cpu_ms_per_request": round(mean(counted), 4)} if counted else {}),
        "rps": round(mean(r.rps for r in runs), 1),
        "p50_ms": round(mean(r.p50_ms for r in runs), 3),
        "p99_ms": round(mean(r.p99_ms for r in runs), 3),
        "requests": sum(r.requests for r in runs),
        "non_2xx": sum(r.non_2xx for r in runs),
        "socket_errors": sum(r.socket_errors for r in runs),
        "rounds": [r.as_dict() | {"cpu_ms_per_request": c} for r, c in zip(runs, cpu_ms, strict=True)],
    }


def _cpu_ms(cpu_s: float, result: WrkResult, settings: Settings) -> float | None:
    """The server's own CPU time per answer (what other load on the machine changes least), or None
    when too few answers came back: the CPU spent on the up to one request per connection still
    unanswered when wrk stops is counted too, which only many answers make negligible."""
    if result.requests < MIN_ANSWERS_PER_CONNECTION * settings.connections:
        return None
    return round(cpu_s * 1000 / result.requests, 4)


MIN_ANSWERS_PER_CONNECTION = 10


def run_scenario(
    name: str,
    request: Request,
    servers: dict[str, Server],
    settings: Settings,
    *,
    reference: str = "shipped",
    limit: str | None = "raw",
    note: str = "",
) -> dict[str, Any]:
    """Measures one scenario on every server given, alternating targets round by round.

    With a `limit` server among them, it is first told to answer with the reference's exact bytes,
    and every target's throughput is also reported as a ratio to it.
    """
    answer = check_answers(request, servers, reference)
    if limit is not None:
        set_raw_answer(servers[limit], answer["body"], answer["content_type"])
    names = list(servers)
    print(f"[{name}] {answer['bytes']} bytes per answer; targets: {', '.join(names)}", flush=True)
    for target in names:
        run_wrk(servers[target].url, request, settings.warmup_seconds, settings.connections)
    runs: dict[str, list[WrkResult]] = {target: [] for target in names}
    cpu: dict[str, list[float | None]] = {target: [] for target in names}
    for round_index in range(settings.rounds):
        shift = round_index % len(names)
        for target in names[shift:] + names[:shift]:
            before = servers[target].cpu_s()
            result = run_wrk(servers[target].url, request, settings.seconds, settings.connections)
            runs[target].append(result)
            cpu[target].append(_cpu_ms(servers[target].cpu_s() - before, result, settings))
            print(
                f"  {target:<22} {result.rps:>9.1f} req/s  "
                f"p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms  "
                f"{cpu[target][-1] or float('nan'):7.3f} CPU ms/req",
                flush=True,
            )
    targets = {target: _summary(runs[target], cpu[target]) for target in names}
    if limit is not None:
        for summary in targets.values():
            summary["ratio_to_raw"] = round(summary["rps"] / targets[limit]["rps"], 4)
    return {
        "scenario": name,
        "note": note,
        "method": request.method,
        "path": request.path,
        "cold": request.vary is not None,
        "answer_bytes": answer["bytes"],
        "connections": settings.connections,
        "targets": targets,
    }
