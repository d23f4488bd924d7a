"""`parley serve` bounds at the edge: clients that stop reading are dropped after the write timeout."""

from __future__ import annotations

import contextlib
import socket
import time
from pathlib import Path

import orjson
import pytest

from tests.serving import read_all, serving

pytestmark = pytest.mark.e2e

# About 3 MB of JSON: the seed text of every citation, 30 times over (aliases and cost allow it).
FIELD = "claims(first: 100) { nodes { citations { source { text } } } }"
LARGE = "{ " + " ".join(f"a{i}: {FIELD}" for i in range(30)) + " }"
REQUEST = (
    b"POST /graphql HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
)


def _stalled(port: int) -> socket.socket:
    """A connection that asks for parley.db with a tiny receive buffer and then reads nothing."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: no window scaling up
    sock.connect(("127.0.0.1", port))
    body = orjson.dumps({"query": LARGE})
    sock.sendall(REQUEST % (len(body), body))
    return sock


def _content_length(raw: bytes) -> int:
    head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    return int(next(line for line in head.splitlines() if line.startswith("content-length:")).split(":")[1])


def test_clients_that_stop_reading_a_download_are_dropped_after_the_write_timeout(tmp_path: Path) -> None:
    with serving(tmp_path / "serve.log", "--write-timeout", "1") as served:
        stalled = [_stalled(served.port) for _ in range(20)]
        try:
            time.sleep(4)  # the write timeout (1 s) passes while nobody reads
            for sock in stalled:
                sock.settimeout(10)
                raw = read_all(sock)  # what the kernel buffered, then the end: the server aborted
                assert raw.startswith(b"HTTP/1.1 200"), raw[:100]
                body = len(raw.split(b"\r\n\r\n", 1)[1])
                assert body < _content_length(raw), "the whole answer arrived: the connection was held open"
        finally:
            for sock in stalled:
                with contextlib.suppress(OSError):
                    sock.close()
        assert "closed: the client read nothing for 1 s" in served.log_text()
