"""Drives Debian's `wrk` with a generated Lua script and reads its results back as numbers."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.queries import Request

_DONE = """
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"non_2xx":%d,"socket_errors":%d,'
    .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"mean_us":%.1f}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean))
end
"""

# A cold run: every request gets another day for the varied variable, per run and thread, so no
# two requests of the whole benchmark are alike. 1893456000 is 2030-01-01T00:00:00Z; each run
# gets its own block of 100,000 days (28 blocks fit before the year 9999).
_COLD = """
local threads_started = 0
function setup(thread)
  thread:set("tid", threads_started)
  threads_started = threads_started + 1
end
local counter = 0
local prefix, suffix = %s, %s
local headers = {["Content-Type"] = "application/json", ["Accept"] = "application/json"}
local closing = {["Content-Type"] = "application/json", ["Accept"] = "application/json",
                 ["Connection"] = "close"}
local reconnect = %d
function request()
  counter = counter + 1
  local day = os.date("!%%Y-%%m-%%d", 1893456000 + (%d + (tid or 0) * 50000 + counter) * 86400)
  local h = headers
  if reconnect > 0 and counter %% reconnect == 0 then h = closing end
  return wrk.format("POST", %s, h, prefix .. day .. suffix)
end
"""


_RUNS = itertools.count()


@dataclass(frozen=True)
class WrkResult:
    """One wrk run: throughput, latency percentiles (ms) and anything that was not a 2xx/3xx answer."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    non_2xx: int
    socket_errors: int

    def as_dict(self) -> dict[str, float | int]:
        """Returns the result as plain JSON data."""
        return asdict(self)


def ensure_wrk() -> str:
    """Returns the path of wrk, installing Debian's package first when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk not found: installing Debian's wrk (apt-get update && apt-get install -y wrk)", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is still missing after apt-get install wrk")
    return found


def _lua(text: str) -> str:
    """Returns a Lua string literal: JSON's escapes are Lua's, once non-ASCII stays raw UTF-8."""
    return json.dumps(text, ensure_ascii=False)


def lua_script(request: Request) -> str:
    """Returns the Lua script that makes wrk send this request (varying it when it is cold)."""
    if request.method == "GET":
        return f'wrk.method = "GET"\nwrk.path = {_lua(request.path)}\n' + _DONE
    body = request.body().decode("utf-8")
    if request.vary is None:
        return (
            f'wrk.method = "POST"\nwrk.path = {_lua(request.path)}\n'
            f"wrk.body = {_lua(body)}\n"
            'wrk.headers["Content-Type"] = "application/json"\nwrk.headers["Accept"] = "application/json"\n'
            + _DONE
        )
    # Split the body around the varied value so Lua only concatenates three strings per request.
    marker = "__VARY__"
    variables = {**request.variables, request.vary: marker}
    templated = json.dumps({"query": request.query, "variables": variables})
    prefix, suffix = templated.split(marker)
    block = next(_RUNS) % 28 * 100_000
    return _COLD % (_lua(prefix), _lua(suffix), request.reconnect_every, block, _lua(request.path)) + _DONE


def run_wrk(url: str, request: Request, seconds: float, connections: int = 16, threads: int = 1) -> WrkResult:
    """Runs wrk against a base URL for `seconds` and returns what it measured."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "bench.lua"
        script.write_text(lua_script(request), encoding="utf-8")
        command = [
            ensure_wrk(),
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url + request.path,
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    seconds_run = raw["duration_us"] / 1e6
    return WrkResult(
        requests=raw["requests"],
        seconds=round(seconds_run, 3),
        rps=round(raw["requests"] / seconds_run, 1),
        p50_ms=raw["p50_us"] / 1000,
        p90_ms=raw["p90_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        mean_ms=round(raw["mean_us"] / 1000, 3),
        non_2xx=raw["non_2xx"],
        socket_errors=raw["socket_errors"],
    )
