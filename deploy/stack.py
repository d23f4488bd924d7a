"""Runs parley behind nginx on one machine: N `parley serve` on loopback, nginx in front, in the foreground.

    python deploy/stack.py --listen 127.0.0.1:8080 --replicas 2 --dir /tmp/parley-nginx

renders deploy/nginx/{nginx,parley}.conf into --dir (pid, logs, temp files and cache all inside it),
starts the replicas on free 127.0.0.1 ports (each trusting X-Forwarded-For from 127.0.0.1 only),
then nginx (`nginx -p DIR -c DIR/nginx.conf -g 'daemon off;'`), and stops everything on Ctrl-C or
SIGTERM. Any other arguments are passed on to each `parley serve` (e.g. --fixtures DIR). The tests
and bench/deploy.py use the same functions. README.md, "Deploy", explains it.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TEMPLATES = HERE / "nginx"
PROXY_ADDRESS = "127.0.0.1"  # where nginx connects to the replicas from
STARTUP_SECONDS = 60.0


def free_port() -> int:
    """Returns a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fill(template: str, values: dict[str, str]) -> str:
    """Replaces each {{NAME}} in a template; refuses a template naming a value not given."""
    for name, value in values.items():
        template = template.replace("{{" + name + "}}", value)
    left = re.search(r"\{\{[A-Z_]+\}\}", template)
    if left:
        raise ValueError(f"template placeholder not filled: {left.group()}")
    return template


def render(
    prefix: Path, listen: str, upstreams: Sequence[int], server_name: str = "_", rate_limits: bool = True
) -> Path:
    """Writes nginx.conf and parley.conf into `prefix` (with logs/, temp/, cache/) and returns nginx.conf.

    `rate_limits=False` drops the server's limit_req and limit_conn lines (bench/deploy.py only: wrk
    drives the proxy from one address, which the per-client limit would answer with 429).
    """
    prefix = prefix.resolve()
    for sub in ("logs", "temp", "cache"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    servers = "\n".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in upstreams)
    values = {
        "PREFIX": str(prefix),
        "USER": getpass.getuser(),
        "LISTEN": listen,
        "SERVER_NAME": server_name,
        "UPSTREAMS": servers,
        "CACHE_DIR": str(prefix / "cache"),
    }
    for name in ("nginx.conf", "parley.conf"):
        text = fill((TEMPLATES / name).read_text(encoding="utf-8"), values)
        if not rate_limits:
            text, dropped = re.subn(r"(?m)^    limit_(req zone|conn parley)[^\n]*\n", "", text)
            assert name != "parley.conf" or dropped == 2, "parley.conf no longer has its two limit lines"
        (prefix / name).write_text(text, encoding="utf-8")
    return prefix / "nginx.conf"


def nginx_binary() -> str:
    """Returns the path of nginx (Debian's package installs /usr/sbin/nginx)."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        raise RuntimeError("nginx is not installed (Debian: apt-get install nginx)")
    return found


def wait_until_up(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    """Polls `url` until it answers (any HTTP status) or the process exits."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer at {url} within {STARTUP_SECONDS:g} s")
        time.sleep(0.1)


def stop(process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """SIGTERM, then SIGKILL if it is still running after `timeout` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class Stack:
    """A running nginx and its parley replicas."""

    prefix: Path
    port: int
    nginx: subprocess.Popen[bytes]
    replicas: list[subprocess.Popen[bytes]] = field(default_factory=list)
    replica_ports: list[int] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_replica(port: int, log: Path, *extra: str, parley: str | None = None) -> subprocess.Popen[bytes]:
    """Starts one `parley serve` on 127.0.0.1:port that trusts forwarded headers from nginx only."""
    command = [
        parley or str(Path(sys.executable).parent / "parley"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--forwarded-allow-ips",
        PROXY_ADDRESS,
        *extra,
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", process, f"parley serve on port {port}")
    except RuntimeError as error:
        stop(process)
        said = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
        raise RuntimeError("\n".join([f"{error}; the end of {log}:", *said])) from None
    return process


def start_nginx(prefix: Path, port: int) -> subprocess.Popen[bytes]:
    """Starts nginx in the foreground on a rendered prefix and waits until it answers."""
    conf = prefix / "nginx.conf"
    nginx = nginx_binary()
    check = subprocess.run([nginx, "-t", "-p", str(prefix), "-c", str(conf)], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t refused {conf}:\n{check.stderr}")
    with (prefix / "logs" / "nginx.out").open("wb") as out:
        command = [nginx, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"]
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    wait_until_up(f"http://127.0.0.1:{port}/healthz", process, "nginx")
    return process


@contextlib.contextmanager
def running(prefix: Path, replicas: int = 2, port: int | None = None, *extra: str) -> Iterator[Stack]:
    """Runs `replicas` parley processes behind nginx for the duration of the block."""
    port = free_port() if port is None else port
    prefix.mkdir(parents=True, exist_ok=True)
    started: list[subprocess.Popen[bytes]] = []
    nginx = None
    try:
        ports = [free_port() for _ in range(replicas)]
        for index, replica_port in enumerate(ports):
            log = prefix / f"parley-{index}.log"
            started.append(start_replica(replica_port, log, *extra))
        render(prefix, f"127.0.0.1:{port}", ports)
        nginx = start_nginx(prefix, port)
        yield Stack(prefix.resolve(), port, nginx, started, ports)
    finally:
        if nginx is not None:
            stop(nginx)
        for process in started:
            stop(process)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="deploy/stack.py",
        description=__doc__.split("\n\n")[0],
        epilog="Other arguments are passed on to each `parley serve`.",
    )
    parser.add_argument("--listen", default="127.0.0.1:8080", help="nginx's 127.0.0.1:PORT (default :8080)")
    parser.add_argument("--replicas", type=int, default=2, help="parley processes behind it (default 2)")
    parser.add_argument(
        "--dir", type=Path, default=Path("/tmp/parley-nginx"), help="nginx prefix (default %(default)s)"
    )
    args, extra = parser.parse_known_args(argv)
    host, _, port_text = args.listen.rpartition(":")
    if host != "127.0.0.1" or not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        parser.error(f"--listen {args.listen!r}: give 127.0.0.1:PORT (edit parley.conf to listen elsewhere)")
    if args.replicas < 1:
        parser.error(f"--replicas {args.replicas}: give 1 or more")
    stopping = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        with running(args.dir, args.replicas, int(port_text), *extra) as stack:
            print(f"nginx on {stack.base} -> parley on 127.0.0.1:{', '.join(map(str, stack.replica_ports))}")
            print(f"config, logs and cache in {stack.prefix}; Ctrl-C stops all", flush=True)
            while not stopping and stack.nginx.poll() is None:
                time.sleep(0.2)
    except RuntimeError as error:
        print(f"deploy/stack.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main())
