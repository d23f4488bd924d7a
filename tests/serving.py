"""Test helper: `parley serve` processes whose output goes to a file, and raw HTTP over a socket.

Unlike live_server.parley_server (whose output pipe nobody reads while it runs), the log here can be
read during the test: the access log and the server's refusals are what some tests check.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.live_server import STARTUP_LIMIT_SECONDS, bound_socket, serve_command, spawn


@dataclass
class Served:
    """One running `parley serve`: its process, port, base URL and log file."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 30.0) -> int:
        """Sends SIGTERM and returns the exit status (killing it if it does not stop in `timeout`)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


def start(log: Path, *args: str) -> Served:
    """Starts `parley serve` on a socket bound to a free 127.0.0.1 port, and waits for /healthz."""
    sock = bound_socket()
    port = sock.getsockname()[1]
    with log.open("wb") as out:
        process = spawn(sock, serve_command(sock, *args), stdout=out, stderr=subprocess.STDOUT)
    served = Served(process, port, log)
    deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"parley serve exited with {process.returncode}:\n{served.log_text()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{served.base}/healthz", timeout=2).status_code == 200:
                return served
        if time.monotonic() > deadline:
            served.stop()
            raise RuntimeError(f"parley serve did not answer within {STARTUP_LIMIT_SECONDS}s")
        time.sleep(0.1)


@contextlib.contextmanager
def serving(log: Path, *args: str) -> Iterator[Served]:
    """Runs `parley serve` for the duration of the block."""
    served = start(log, *args)
    try:
        yield served
    finally:
        with contextlib.suppress(subprocess.TimeoutExpired):
            served.stop()


def connect(port: int, source: str = "127.0.0.1", timeout: float = 10.0) -> socket.socket:
    """Returns a TCP connection to 127.0.0.1:port from the given loopback source address."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Reads until the peer closes (or the socket's timeout passes); returns what arrived."""
    chunks = []
    with contextlib.suppress(OSError):
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def exchange(port: int, data: bytes, source: str = "127.0.0.1", timeout: float = 10.0) -> bytes:
    """Sends raw bytes (ignoring a reset once the server has answered) and returns the whole answer."""
    with connect(port, source, timeout) as sock:
        with contextlib.suppress(OSError):
            sock.sendall(data)
        return read_all(sock)


def status_of(raw: bytes) -> int:
    """Returns the status code of a raw HTTP/1.1 response."""
    assert raw.startswith(b"HTTP/1.1 "), raw[:200]
    return int(raw[9:12])


def body_of(raw: bytes) -> bytes:
    """Returns the body of a raw HTTP/1.1 response (everything after the blank line)."""
    return raw.partition(b"\r\n\r\n")[2]
