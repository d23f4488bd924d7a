"""Test helper: runs the real `parley serve` on 127.0.0.1 with a free port, for end-to-end tests.

It serves the data under test from the session's snapshot (api_client.snapshot_path), so it starts
without a build and never writes the checkout's build/parley.db. The harness binds the port itself and
hands the bound socket to the server (`parley serve --fd N`), so no other process can take the port
between choosing it and serving on it.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from tests.datafiles import FIXTURES, REPO, SEEDS

PARLEY = Path(sys.executable).parent / "parley"
STARTUP_LIMIT_SECONDS = 60.0


def free_port() -> int:
    """Returns a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def bound_socket() -> socket.socket:
    """Returns a TCP socket bound to a free port on 127.0.0.1, for `parley serve --fd` to inherit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


def spawn(sock: socket.socket, command: list[str], **popen: Any) -> subprocess.Popen[Any]:
    """Starts `command` (a serve_command for `sock`) with the socket inherited; closes the harness's copy."""
    try:
        return subprocess.Popen(command, cwd=REPO, pass_fds=(sock.fileno(),), **popen)
    finally:
        sock.close()


def data_args() -> list[str]:
    """`parley serve` options for the data under test and the session's snapshot."""
    from tests.api_client import snapshot_path

    return ["--fixtures", str(FIXTURES), "--seeds", str(SEEDS), "--snapshot", str(snapshot_path())]


def serve_command(sock: socket.socket, *extra_args: str) -> list[str]:
    """`parley serve` on the bound socket `sock` over the data under test and the session's snapshot.

    The data directories and the snapshot come first, so the same options in extra_args win.
    """
    return [str(PARLEY), "serve", *data_args(), "--fd", str(sock.fileno()), *extra_args]


@contextlib.contextmanager
def parley_server(*extra_args: str) -> Iterator[str]:
    """Starts `parley serve` over the session's snapshot, yields its base URL, and stops it afterwards."""
    sock = bound_socket()
    port = sock.getsockname()[1]
    command = serve_command(sock, *extra_args)
    process = spawn(sock, command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
        while True:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                raise RuntimeError(f"parley serve exited with {process.returncode}:\n{output}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"parley serve did not answer on {base} within {STARTUP_LIMIT_SECONDS}s")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()
