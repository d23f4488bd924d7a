"""`parley serve` start-up: the socket is bound before anything is announced, a busy port is one line
and exit 2, an inherited socket (`--fd`) is served, and every line the server writes has one format."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from api.cli import LOG_FORMAT
from tests.datafiles import REPO
from tests.live_server import data_args
from tests.serving import serving

PARLEY = Path(sys.executable).parent / "parley"


def _serve(*args: str, **popen: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PARLEY), "serve", *data_args(), *args],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False, **popen,  # type: ignore[arg-type]
    )


def test_a_busy_port_is_one_line_and_exit_2_with_nothing_announced() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        result = _serve("--host", "127.0.0.1", "--port", str(port))
    assert result.returncode == 2, result
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"parley serve: cannot listen on 127.0.0.1:{port}: {__import__('os').strerror(98)}"
    ], result.stderr


def test_an_fd_that_is_not_a_bound_tcp_socket_is_one_line_and_exit_2(tmp_path: Path) -> None:
    unbound = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with unbound, (tmp_path / "file").open("w") as file:
        cases = ((unbound.fileno(), "the socket is not bound"), (file.fileno(), "not an open socket"))
        for fd, says in cases:
            result = _serve("--fd", str(fd), pass_fds=(fd,))
            assert result.returncode == 2, result
            assert result.stdout == ""
            assert len(result.stderr.splitlines()) == 1 and says in result.stderr, result.stderr


def test_every_line_the_server_writes_has_parleys_log_format(tmp_path: Path) -> None:
    # LOG_FORMAT with its fields as patterns: time, level, logger name, message.
    fields = {"asctime": r"\d\d:\d\d:\d\d", "levelname": r"[A-Z]+", "name": r"[\w.]+", "message": r".+"}
    pattern = re.escape(LOG_FORMAT.replace("%(", "{").replace(")s", "}"))
    for field, regex in fields.items():
        pattern = pattern.replace(re.escape("{" + field + "}"), regex)
    with serving(tmp_path / "serve.log", "--log-query-chars", "64") as served:
        answer = httpx.get(f"{served.base}/graphql", params={"query": "{ meta { version } }"})
        assert answer.status_code == 200, answer.text
    lines = served.log_text().splitlines()
    assert any("uvicorn.access" in line and '"GET /graphql?' in line for line in lines), lines
    assert any("parley: loaded" in line for line in lines), lines
    assert [line for line in lines if not re.fullmatch(pattern, line)] == [], lines
