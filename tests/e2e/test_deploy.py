"""deploy/: Debian's nginx in front of two `parley serve` on loopback, as deploy/stack.py runs them.

Checks the recipe end to end: a cache HIT on the second identical GET, 304 on If-None-Match, gzip,
downloads cached as their Cache-Control says, refused oversized headers and targets (JSON), 429 under
a burst from one address (not another), X-Forwarded-For trusted only from nginx, and no request lost
when one parley process is stopped under load. Fails, never skips, without nginx when CI=true.
"""

from __future__ import annotations

import contextlib
import gzip
import importlib.util
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

import httpx
import orjson
import pytest

from tests.datafiles import FIXTURES, REPO, fixture_counts
from tests.live_server import data_args
from tests.serving import body_of, exchange, status_of

pytestmark = pytest.mark.e2e

JSON = {"Accept": "application/json"}


def _load_stack() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deploy_stack", REPO / "deploy" / "stack.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


stack_module = _load_stack()


def _nginx_present() -> bool:
    return bool(shutil.which("nginx")) or Path("/usr/sbin/nginx").exists()


def _require_nginx() -> None:
    if _nginx_present():
        return
    message = "nginx is not installed (Debian: apt-get install nginx; .ci/run installs it)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextlib.contextmanager
def a_stack(replicas: int = 2) -> Iterator[Any]:
    _require_nginx()
    scratch = tempfile.TemporaryDirectory(prefix="parley-nginx-")
    with scratch as tmp, stack_module.running(Path(tmp), replicas, None, *data_args()) as up:
        yield up


@pytest.fixture(scope="module")
def stack() -> Iterator[Any]:
    with a_stack() as s:
        yield s


def client(source: str) -> httpx.Client:
    """An HTTP client whose connections come from the given loopback address (one rate-limit key)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=30)


def graphql_get(base: str, query: str) -> str:
    return f"{base}/graphql?query={quote(query)}"


def replica_logs(stack: Any) -> str:
    prefix: Path = stack.prefix
    return "".join(p.read_text(encoding="utf-8") for p in sorted(prefix.glob("parley-*.log")))


def test_without_nginx_ci_fails_and_a_laptop_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "_nginx_present", lambda: False)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="nginx is not installed"):
        _require_nginx()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        _require_nginx()


def test_the_templates_render_every_placeholder(tmp_path: Path) -> None:
    conf = stack_module.render(tmp_path, "127.0.0.1:8080", [8001, 8002], "parley.example.org")
    text = conf.read_text(encoding="utf-8") + (tmp_path / "parley.conf").read_text(encoding="utf-8")
    assert "{{" not in text
    assert "server 127.0.0.1:8001 max_fails=1" in text and "server 127.0.0.1:8002 max_fails=1" in text
    assert "server_name parley.example.org;" in text
    assert "# ssl_certificate     /etc/letsencrypt/live/parley.example.org/fullchain.pem;" in text
    with pytest.raises(ValueError, match=r"\{\{MISSING\}\}"):
        stack_module.fill("listen {{MISSING}};", {})


def test_a_second_identical_get_is_a_cache_hit(stack: Any) -> None:
    url = graphql_get(stack.base, "{ hitProbe: claims(first: 3) { totalCount nodes { id } } }")
    with client("127.0.0.2") as http:
        first, second = http.get(url, headers=JSON), http.get(url, headers=JSON)
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.headers["x-cache-status"] == "MISS" and second.headers["x-cache-status"] == "HIT"
    assert first.content == second.content
    assert orjson.loads(second.content)["data"]["hitProbe"]["totalCount"] == fixture_counts()["claims"]
    assert replica_logs(stack).count("hitProbe") == 1  # the HIT never reached parley


def test_another_host_header_is_the_same_cache_entry(stack: Any) -> None:
    """The cache key has no $host: a client varying Host cannot get around the cache to parley."""
    url = graphql_get(stack.base, "{ hostProbe: claims(first: 2) { totalCount } }")
    with client("127.0.0.3") as http:
        answers = [http.get(url, headers={**JSON, "Host": f"bypass-{n}.example"}) for n in range(4)]
    assert [a.status_code for a in answers] == [200] * 4
    assert [a.headers["x-cache-status"] for a in answers] == ["MISS", "HIT", "HIT", "HIT"]
    assert replica_logs(stack).count("hostProbe") == 1


def test_if_none_match_gets_304_from_the_cache(stack: Any) -> None:
    url = graphql_get(stack.base, "{ etagProbe: claims(first: 2) { totalCount } }")
    with client("127.0.0.3") as http:
        first = http.get(url, headers=JSON)
        etag = first.headers["etag"]
        again = http.get(url, headers={**JSON, "If-None-Match": etag})
        other = http.get(url, headers={**JSON, "If-None-Match": '"not-this-one"'})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and again.headers["x-cache-status"] == "HIT"
    assert other.status_code == 200 and other.content == first.content


def test_answers_are_gzipped_and_downloads_keep_their_cache_control(stack: Any) -> None:
    url = graphql_get(stack.base, "{ gzipProbe: claims(first: 20) { nodes { id summary } } }")
    with client("127.0.0.4") as http:
        plain = http.get(url, headers={**JSON, "Accept-Encoding": "identity"})
        raw = http.stream("GET", url, headers={**JSON, "Accept-Encoding": "gzip"})
        with raw as zipped:
            encoded = b"".join(zipped.iter_raw())
            assert zipped.headers["content-encoding"] == "gzip"
            assert "Accept-Encoding" in zipped.headers.get_list("vary")
        assert gzip.decompress(encoded) == plain.content and len(encoded) < len(plain.content) / 2
        downloads = [http.get(f"{stack.base}/fixtures/claims.json") for _ in range(2)]
        # nginx asks parley for the identity representation (it gzips itself): compare with that one.
        replica = f"http://127.0.0.1:{stack.replica_ports[1]}"
        direct = http.get(f"{replica}/fixtures/claims.json", headers={"Accept-Encoding": "identity"})
    assert [d.headers["x-cache-status"] for d in downloads] == ["MISS", "HIT"]
    assert "max-age=3600" in direct.headers["cache-control"]
    for name in ("cache-control", "content-disposition"):  # parley's, passed on unchanged
        assert downloads[1].headers[name] == direct.headers[name]
    assert downloads[1].headers["content-encoding"] == "gzip"  # httpx asks for gzip: the ETag turns weak
    assert downloads[1].headers["etag"] == "W/" + direct.headers["etag"]
    assert downloads[1].content == (FIXTURES / "claims.json").read_bytes()


def test_posts_and_the_index_are_not_cached(stack: Any) -> None:
    body = {"query": "{ postProbe: claims(first: 1) { totalCount } }"}
    with client("127.0.0.5") as http:
        posts = [http.post(f"{stack.base}/graphql", json=body, headers=JSON) for _ in range(2)]
        index = [http.get(f"{stack.base}/", headers=JSON) for _ in range(2)]
    assert {p.status_code for p in posts} == {200}
    assert all(r.headers.get("x-cache-status") in (None, "BYPASS", "MISS") for r in posts + index)
    assert replica_logs(stack).count('"GET / HTTP/1.1" 200') >= 2


def test_oversized_headers_and_targets_are_refused_with_json(stack: Any) -> None:
    port = stack.port
    header = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 40_000 + b"\r\n\r\n"
    big = exchange(port, header, "127.0.0.6")
    assert status_of(big) == 431
    assert orjson.loads(body_of(big))["errors"][0]["extensions"]["code"] == "REQUEST_HEADERS_TOO_LARGE"
    target = b"GET /graphql?query=" + b"q" * 40_000 + b" HTTP/1.1\r\nHost: t\r\n\r\n"
    long = exchange(port, target, "127.0.0.6")
    assert status_of(long) == 414
    assert orjson.loads(body_of(long))["errors"][0]["extensions"]["code"] == "URI_TOO_LONG"
    with client("127.0.0.6") as http:
        body, headers = b"{" * 200_000, {"Content-Type": "application/json"}
        too_big = http.post(f"{stack.base}/graphql", content=body, headers=headers)
    assert too_big.status_code == 413
    assert too_big.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


def test_a_burst_from_one_address_gets_429_and_another_address_does_not(stack: Any) -> None:
    url = f"{stack.base}/healthz"
    with client("127.0.0.7") as http, ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: http.get(url), range(120)))
    statuses = [a.status_code for a in answers]
    assert statuses.count(200) >= 40 and statuses.count(429) > 0, statuses
    assert set(statuses) == {200, 429}
    refused = next(a for a in answers if a.status_code == 429)
    assert refused.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_REQUESTS"
    assert refused.headers["retry-after"] == "1"
    with client("127.0.0.8") as http:
        assert http.get(url).status_code == 200  # the limit is per client address


def test_x_forwarded_for_is_trusted_from_nginx_only(stack: Any) -> None:
    spoof = {"X-Forwarded-For": "203.0.113.9"}
    with client("127.0.0.9") as http:
        assert http.get(f"{stack.base}/healthz?probe=via-nginx", headers=spoof).status_code == 200
    replica = stack.replica_ports[0]
    with client("127.0.0.10") as http:
        assert http.get(f"http://127.0.0.1:{replica}/healthz?probe=direct", headers=spoof).status_code == 200
    lines = replica_logs(stack).splitlines()
    via = [line for line in lines if "probe=via-nginx" in line]
    direct = [line for line in lines if "probe=direct" in line]
    assert len(via) == 1 and "127.0.0.9:" in via[0]  # nginx's X-Forwarded-For replaced the client's
    assert len(direct) == 1 and "127.0.0.10:" in direct[0]  # a client's own header is not believed
    assert "203.0.113.9" not in "\n".join(via + direct)


def test_stopping_one_parley_under_load_loses_no_request() -> None:
    """Eight clients (eight addresses, each under the rate limit) POST queries while one replica stops."""
    per_client = 40
    with a_stack() as s:
        base = s.base
        results: list[tuple[int, bytes]] = []
        errors: list[BaseException] = []
        lock = threading.Lock()

        def load(index: int) -> None:
            query = "query($n: Int) { claims(first: $n) { totalCount } }"
            try:
                with client(f"127.0.1.{index + 1}") as http:
                    for n in range(per_client):
                        body = {"query": query, "variables": {"n": 1 + n % 20}}
                        answer = http.post(f"{base}/graphql", json=body, headers=JSON)
                        with lock:
                            results.append((answer.status_code, answer.content))
                        time.sleep(0.1)  # 10 requests/s per address: under the 20 r/s limit
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=load, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        stack_module.stop(s.replicas[0])
        stopped_at = len(results)
        for thread in threads:
            thread.join(timeout=120)
        logs = [log.read_text(encoding="utf-8") for log in sorted(s.prefix.glob("parley-*.log"))]
        access = (s.prefix / "logs" / "access.log").read_text(encoding="utf-8").splitlines()
    stopped = f"127.0.0.1:{s.replica_ports[0]}"
    retried = [line for line in access if f"upstream={stopped}, " in line]
    assert errors == []
    assert 0 < stopped_at < 8 * per_client
    assert len(results) == 8 * per_client
    assert {status for status, _ in results} == {200}, [r for r in results if r[0] != 200][:3]
    claims = fixture_counts()["claims"]
    assert all(orjson.loads(body)["data"]["claims"]["totalCount"] == claims for _, body in results)
    assert all(log.count("POST /graphql") > 0 for log in logs)  # both served before the stop
    assert "Finished server process" in logs[0]
    assert retried and all("upstream_status=502, 200" in line for line in retried), retried[:3]
