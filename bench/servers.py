"""Starts the servers under test on 127.0.0.1 (free ports), times start-up, reads RSS, stops them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOGS = Path(os.environ.get("BENCH_LOGS", "/tmp/parley-bench-logs"))


def free_port() -> int:
    """Returns a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def tree_rss_mb(pid: int) -> float:
    """Returns the resident memory of a process and all its descendants, in MB."""
    total_kb, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        total_kb += next((int(x.split()[1]) for x in status.splitlines() if x.startswith("VmRSS:")), 0)
        stack += _children(current)
    return round(total_kb / 1024, 1)


def tree_cpu_s(pid: int) -> float:
    """Returns the CPU seconds (user + system) a process and all its descendants have used so far."""
    ticks, total, stack = os.sysconf("SC_CLK_TCK"), 0, [pid]
    while stack:
        current = stack.pop()
        try:
            stat = Path(f"/proc/{current}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        total += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat(5)
        stack += _children(current)
    return total / ticks


@dataclass
class Server:
    """One server process under test; `start()` returns once it answered 200."""

    name: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    ready_path: str = "/healthz"
    cwd: Path = REPO
    """Where it runs (`python -m api.cli` imports the api of the tree it runs in)."""
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    startup_s: float = 0.0

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:39211."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 600.0) -> Server:
        """Launches the server and waits for the first 200; records the time that took."""
        self.port = free_port()
        LOGS.mkdir(parents=True, exist_ok=True)
        log = (LOGS / f"{self.name}.log").open("wb")
        # No PARLEY_* variable of the caller's reaches a server: each runs with its defaults.
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("PARLEY_")}
        env = {**inherited, "PYTHONUNBUFFERED": "1", **self.env}
        began = time.perf_counter()
        self.process = subprocess.Popen(
            [*self.command, "--port", str(self.port)],
            cwd=self.cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopping it stops its workers too
        )
        while time.perf_counter() - began < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {log.name}")
            if _answers_200(self.url + self.ready_path):
                self.startup_s = round(time.perf_counter() - began, 3)
                return self
            time.sleep(0.01)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {timeout} s")

    def rss_mb(self) -> float:
        """Returns the server's resident memory (all its processes), in MB."""
        return 0.0 if self.process is None else tree_rss_mb(self.process.pid)

    def cpu_s(self) -> float:
        """Returns the CPU seconds the server (all its processes) has used so far."""
        return 0.0 if self.process is None else tree_cpu_s(self.process.pid)

    def stop(self) -> None:
        """Stops the server's process group (the server we started, and its workers) by id."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)


def _answers_200(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


def parley(
    name: str, fixtures: Path, seeds: Path, *, workers: int = 1, snapshot: Path | None = None
) -> Server:
    """Returns (unstarted) `parley serve` over a dataset, as shipped: no flags or env switches but
    the data's location (and, given one, the snapshot file to serve: see `built_snapshot`)."""
    command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1"]
    command += ["--fixtures", str(fixtures), "--seeds", str(seeds), "--workers", str(workers)]
    command += [] if snapshot is None else ["--snapshot", str(snapshot)]
    return Server(name, command)


def built_snapshot(fixtures: Path, seeds: Path, snapshot: Path) -> Path:
    """Builds (with `parley build`, untimed) the snapshot of a dataset if it is missing or stale and
    returns its path, so a server's start-up time is a start, never a build."""
    command = [sys.executable, "-m", "api.cli", "build", "--fixtures", str(fixtures), "--seeds", str(seeds)]
    subprocess.run([*command, "--snapshot", str(snapshot)], check=True, capture_output=True, timeout=1800)
    return snapshot


def peer(name: str, fixtures: Path, seeds: Path) -> Server:
    """Returns (unstarted) the stock-strawberry peer (bench/peer_app.py) over a dataset."""
    command = [sys.executable, "-m", "bench.peer_app", "--fixtures", str(fixtures), "--seeds", str(seeds)]
    return Server(name, command)


def raw(name: str = "raw") -> Server:
    """Returns (unstarted) the raw Starlette limit server."""
    return Server(name, [sys.executable, "-m", "bench.raw_app"])


def fetch(url: str, body: bytes | None = None, method: str = "GET") -> tuple[int, bytes, str]:
    """Sends one request; returns (status, body, content type)."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"} if body is not None else {}
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read(), response.headers.get("content-type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("content-type", "")


def set_raw_answer(server: Server, body: bytes, content_type: str) -> None:
    """Makes the raw server answer every request with these bytes."""
    request = urllib.request.Request(
        server.url + "/_set", data=body, method="PUT", headers={"X-Answer-Type": content_type}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 204
