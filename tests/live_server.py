"""Test helper: runs the real `parley serve` on 127.0.0.1 with a free port, for end-to-end tests.

It serves the data under test from the session's snapshot (api_client.snapshot_path), so it starts
without a build and never writes the checkout's build/parley.db.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

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


def data_args() -> list[str]:
    """`parley serve` options for the data under test and the session's snapshot."""
    from tests.api_client import snapshot_path

    return ["--fixtures", str(FIXTURES), "--seeds", str(SEEDS), "--snapshot", str(snapshot_path())]


def serve_command(port: int, *extra_args: str) -> list[str]:
    """`parley serve` on 127.0.0.1:port over the data under test and the session's snapshot.

    The data directories and the snapshot come first, so the same options in extra_args win.
    """
    return [str(PARLEY), "serve", *data_args(), "--host", "127.0.0.1", "--port", str(port), *extra_args]


@contextlib.contextmanager
def parley_server(*extra_args: str) -> Iterator[str]:
    """Starts `parley serve` over the session's snapshot, yields its base URL, and stops it afterwards."""
    port = free_port()
    command = serve_command(port, *extra_args)
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
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
