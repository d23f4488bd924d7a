"""The request's edge, probed as an attacker would, against a real `parley serve`: a body in a
content coding parley does not accept, an upload the client abandons, and a forged Host header."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator

import pytest

from tests.serving import Served, body_of, connect, exchange, read_all, serving, status_of

QUERY = json.dumps({"query": "{ meta { name } }"}).encode()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(tmp_path_factory.mktemp("edge") / "serve.log") as server:
        yield server


def _post(served: Served, body: bytes, *headers: str) -> bytes:
    head = [
        "POST /graphql HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *headers,
    ]
    return exchange(served.port, "\r\n".join(head).encode() + b"\r\n\r\n" + body)


@pytest.mark.parametrize("coding", ["gzip", "GZIP", "deflate", "br", "gzip, identity", "x-unknown"])
def test_a_body_in_a_coding_parley_does_not_accept_is_415_and_names_identity(
    served: Served, coding: str
) -> None:
    # The gzip body is valid gzip of a valid query: it is refused for its coding, not inflated.
    raw = _post(served, gzip.compress(QUERY), f"Content-Encoding: {coding}")
    assert status_of(raw) == 415, raw[:300]
    head = raw.partition(b"\r\n\r\n")[0].lower()
    assert b"\r\naccept-encoding: identity" in head
    error = json.loads(body_of(raw))["errors"][0]
    assert error["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert "Content-Encoding" in error["message"]
    # The same plain bytes with the coding stated are refused too (nothing answered from a cache).
    assert status_of(_post(served, QUERY)) == 200
    assert status_of(_post(served, QUERY, f"Content-Encoding: {coding}")) == 415


def test_an_identity_coding_is_accepted(served: Served) -> None:
    raw = _post(served, QUERY, "Content-Encoding: identity")
    assert status_of(raw) == 200
    assert json.loads(body_of(raw))["data"]["meta"]["name"]


def _wait_for(served: Served, offset: int, needle: str) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        written = served.log_text()[offset:]
        if needle in written:
            time.sleep(0.5)  # anything logged after the line arrives too
            return served.log_text()[offset:]
        time.sleep(0.05)
    return served.log_text()[offset:]


@pytest.mark.parametrize("framing", ["chunked", "length"])
def test_an_abandoned_upload_is_one_info_line_without_a_traceback(served: Served, framing: str) -> None:
    offset = len(served.log_text())
    started = b'{"query": "{ meta'
    if framing == "chunked":
        head = b"Transfer-Encoding: chunked\r\n\r\n" + f"{len(started):x}\r\n".encode() + started + b"\r\n"
    else:
        head = b"Content-Length: 500\r\n\r\n" + started
    sock = connect(served.port)
    sock.sendall(b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + head)
    time.sleep(0.3)  # the app is reading the body now
    sock.close()
    written = _wait_for(served, offset, "disconnected")
    lines = [line for line in written.splitlines() if line.strip()]
    assert [line for line in lines if "disconnected" in line] == [lines[0]], written
    assert len(lines) == 1, written
    assert "INFO" in lines[0] and "/graphql" in lines[0]
    assert "Traceback" not in written and "ERROR" not in written
    # The server is unharmed.
    assert status_of(_post(served, QUERY)) == 200


@pytest.mark.parametrize(
    ("path", "location"),
    [("/fixtures", "/fixtures/"), ("/fixtures?x=1", "/fixtures/?x=1"), ("/healthz/", "/healthz")],
)
def test_a_trailing_slash_redirect_never_quotes_the_clients_host(
    served: Served, path: str, location: str
) -> None:
    hostile = b"evil.example.com"
    with connect(served.port) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\n".encode() + b"Host: " + hostile + b"\r\n"
            b"X-Forwarded-Host: " + hostile + b"\r\nConnection: close\r\n\r\n"
        )
        raw = read_all(sock)
    assert status_of(raw) == 307, raw[:300]
    assert hostile not in raw
    head = raw.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    found = [line.split(":", 1)[1].strip() for line in head if line.lower().startswith("location:")]
    assert found == [location]
    # Following it on this server reaches the resource.
    request = f"GET {location} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    followed = exchange(served.port, request.encode())
    assert status_of(followed) == 200


def test_a_path_without_a_route_either_way_is_still_404(served: Served) -> None:
    raw = exchange(served.port, b"GET /no-such-thing/ HTTP/1.1\r\nHost: evil\r\nConnection: close\r\n\r\n")
    assert status_of(raw) == 404
    assert json.loads(body_of(raw))["errors"][0]["extensions"]["code"] == "NOT_FOUND"
