"""`parley serve` at the HTTP edge: argument checks, head/target limits, slow clients, shutdown, log."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import orjson
import pytest

from api.cli import main
from api.server import AccessLogQueryLimit
from api.settings import ServerSettings
from tests.datafiles import fixture_counts
from tests.serving import Served, body_of, connect, exchange, read_all, serving, status_of

pytestmark = pytest.mark.e2e

QUERY = quote("{claims(first:1){totalCount}}")
STALLED = (
    b"POST /graphql HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
)


def refusal_code(raw: bytes) -> str:
    code: str = orjson.loads(body_of(raw))["errors"][0]["extensions"]["code"]
    return code


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--port", "70000"], "--port: '70000' is not a TCP port (1-65535)"),
        (["--port", "0"], "--port: '0' is not a TCP port"),
        (["--port", "http"], "--port: 'http' is not a TCP port"),
        (["--workers", "0"], "--workers: '0' is not a number of worker processes (1 or more)"),
        (["--workers", "-3"], "--workers: '-3' is not a number"),
        (["--header-timeout", "0"], "--header-timeout: must be positive, got 0"),
        (["--max-header-bytes", "lots"], "--max-header-bytes: 'lots' is not a number"),
    ],
)
def test_bad_serve_arguments_are_one_line_and_exit_2(
    args: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", *args])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("parley serve: error: argument ")
    assert named in err


def test_a_bad_server_env_var_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PARLEY_BODY_TIMEOUT", "soon")
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--port", "1"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    expected = "parley serve: error: PARLEY_BODY_TIMEOUT='soon' is not a number (see parley serve --help)\n"
    assert err == expected


def test_server_settings_from_env_and_flags() -> None:
    settings = ServerSettings.from_env({"PARLEY_MAX_HEADER_BYTES": "4096", "PARLEY_HEADER_TIMEOUT": "2.5"})
    assert (settings.max_header_bytes, settings.header_timeout) == (4096, 2.5)
    assert ServerSettings.from_env(settings.as_env()) == settings
    with pytest.raises(ValueError, match="--keep-alive-timeout must be positive"):
        ServerSettings(keep_alive_timeout=0)


def test_the_access_log_filter_cuts_long_query_strings() -> None:
    import logging

    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/graphql?query=" + "x" * 5000, "1.1", 200), None,
    )  # fmt: skip
    assert AccessLogQueryLimit(100).filter(record)
    line = record.getMessage()
    assert line == '127.0.0.1:5 - "GET /graphql?' + ("query=" + "x" * 94) + '...[4906 more] HTTP/1.1" 200'
    short = logging.LogRecord("uvicorn.access", 20, "", 0, "%s", ("/graphql?a=1",), None)
    assert AccessLogQueryLimit(100).filter(short) and short.getMessage() == "/graphql?a=1"


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    log = tmp_path_factory.mktemp("edge") / "serve.log"
    with serving(log, "--header-timeout", "1", "--body-timeout", "1", "--log-query-chars", "64") as served:
        yield served


def get(port: int, target: bytes, *headers: bytes) -> bytes:
    head = b"GET " + target + b" HTTP/1.1\r\nHost: t\r\nAccept: application/json\r\nConnection: close\r\n"
    return exchange(port, head + b"".join(h + b"\r\n" for h in headers) + b"\r\n")


def test_a_huge_header_is_refused_with_json_431(edge: Served) -> None:
    raw = get(edge.port, b"/healthz", b"X-Big: " + b"a" * (32 << 20))
    assert status_of(raw) == 431
    assert refusal_code(raw) == "REQUEST_HEADERS_TOO_LARGE"


def test_many_small_headers_over_the_limit_are_refused_with_431(edge: Served) -> None:
    fields = [b"X-F%d: %s" % (i, b"v" * 100) for i in range(400)]  # 400 x 108 bytes > 32 KiB
    assert status_of(get(edge.port, b"/healthz", *fields)) == 431
    assert status_of(get(edge.port, b"/healthz", *fields[:200])) == 200


def test_an_unterminated_huge_header_is_cut_off_early(edge: Served) -> None:
    """The server answers and closes after about the limit, long before 32 MiB have been sent."""
    with connect(edge.port) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: ")
        sent = 0
        with contextlib.suppress(OSError):  # reset by the server once it has closed
            while sent < 32 << 20:
                sock.sendall(b"a" * 65536)
                sent += 65536
        answer = read_all(sock)
    refused = answer.startswith(b"HTTP/1.1 431 ")
    assert refused and sent < 32 << 20, (sent, answer[:100])


def test_a_get_target_past_64_kib_reaches_the_app(edge: Served) -> None:
    raw = get(edge.port, b"/graphql?query=" + QUERY.encode() + b"&pad=" + b"p" * 70_000)
    assert status_of(raw) == 200
    assert orjson.loads(body_of(raw)) == {"data": {"claims": {"totalCount": fixture_counts()["claims"]}}}
    log = edge.log_text()
    assert "&pad=ppp" in log and "...[" in log  # the access log line is cut at 64 characters
    assert "p" * 200 not in log


def test_a_long_get_query_string_gets_the_apps_json_413(edge: Served) -> None:
    raw = get(edge.port, b"/graphql?query=" + QUERY.encode() + b"&pad=" + b"p" * 100_000)
    assert status_of(raw) == 413
    assert refusal_code(raw) == "PAYLOAD_TOO_LARGE"


def test_a_target_past_the_limit_gets_json_414(edge: Served) -> None:
    raw = get(edge.port, b"/graphql?query=" + b"q" * 120_000)
    assert status_of(raw) == 414
    assert refusal_code(raw) == "URI_TOO_LONG"


def test_garbage_gets_a_json_400(edge: Served) -> None:
    raw = exchange(edge.port, b"NOT HTTP AT ALL\r\n\r\n")
    assert status_of(raw) == 400
    assert refusal_code(raw) == "BAD_REQUEST"


def test_slow_heads_are_answered_408_and_closed(edge: Served) -> None:
    """Slowloris: 50 connections that never finish their headers, and one that sends nothing."""
    sockets = [connect(edge.port, timeout=15) for _ in range(51)]
    try:
        for sock in sockets[:50]:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        answers = [read_all(sock) for sock in sockets]  # each returns once the server closes
    finally:
        for sock in sockets:
            sock.close()
    assert {status_of(a) for a in answers} == {408}
    assert {refusal_code(a) for a in answers} == {"REQUEST_TIMEOUT"}


def test_a_stalled_body_is_answered_408(edge: Served) -> None:
    with connect(edge.port, timeout=15) as sock:
        sock.sendall(STALLED + b'{"query"')  # 8 of the 100 bytes
        raw = read_all(sock)
    assert status_of(raw) == 408
    assert "request body did not arrive within 1 s" in orjson.loads(body_of(raw))["errors"][0]["message"]
    assert "Traceback" not in edge.log_text()


def test_sigterm_with_a_stalled_body_stops_after_the_shutdown_timeout(tmp_path: Path) -> None:
    """The body timeout is long here, so only the bounded graceful shutdown can end the request."""
    args = ("--body-timeout", "600", "--shutdown-timeout", "1")
    with serving(tmp_path / "serve.log", *args) as served, connect(served.port) as sock:
        sock.sendall(STALLED + b'{"query"')
        time.sleep(0.5)  # let the request reach the app
        # uvicorn re-raises the SIGTERM it handled once shut down: -15 is its normal exit status.
        assert served.stop(timeout=30) in (0, -15)  # without the timeout it waits for the client
        log = served.log_text()
        assert "timeout graceful shutdown exceeded" in log and "Finished server process" in log


def test_forwarded_headers_are_ignored_unless_the_proxy_is_named(tmp_path: Path) -> None:
    request = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 203.0.113.9\r\nConnection: close\r\n\r\n"
    with serving(tmp_path / "default.log") as served:
        assert status_of(exchange(served.port, request)) == 200
        assert "203.0.113.9" not in served.log_text()
    with serving(tmp_path / "proxied.log", "--forwarded-allow-ips", "127.0.0.1") as served:
        assert status_of(exchange(served.port, request, source="127.0.0.2")) == 200
        assert status_of(exchange(served.port, request, source="127.0.0.1")) == 200
        lines = [line for line in served.log_text().splitlines() if "/healthz" in line and "200" in line]
        direct = [line for line in lines if "127.0.0.2:" in line]
        trusted = [line for line in lines if "203.0.113.9:" in line]
    assert len(direct) == 1 and len(trusted) == 1, lines


def test_worker_processes_get_the_same_edge_settings(tmp_path: Path) -> None:
    """--workers 2: the workers (the parent serves no request) read the settings the CLI passed on."""
    args = ("--workers", "2", "--max-header-bytes", "1000", "--log-query-chars", "10")
    with serving(tmp_path / "serve.log", *args) as served:
        for _ in range(4):
            assert status_of(get(served.port, b"/healthz", b"X-Pad: " + b"p" * 2000)) == 431
            assert status_of(get(served.port, b"/healthz?" + b"q" * 50, b"X-Pad: " + b"p" * 500)) == 200
        log = served.log_text()
    assert log.count("refused with 431") == 4
    assert log.count('"GET /healthz?qqqqqqqqqq...[40 more] HTTP/1.1" 200') == 4
    assert "Child process" not in log  # no worker killed for answering its health check late
