"""CORS in a real browser: a page from another loopback origin queries /graphql with the headers
real clients send (an Authorization header forces a preflight) and reads the data."""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
from collections.abc import Iterator

import pytest

from tests.e2e.test_browser import base_url, browser  # noqa: F401  (fixtures: the live server, Debian's chromium)
from tests.live_server import free_port

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>other origin</title></head><body>
<script>
fetch(%(endpoint)s, {
  method: "POST",
  headers: {"content-type": "application/json", "authorization": "Bearer any-token",
            "x-apollo-operation-name": "WhoSaid", "apollo-require-preflight": "true"},
  body: JSON.stringify({
    query: '{ claims(filter: {text: "China\\'s not easy"}) { nodes { speaker { name } } } }',
  }),
}).then(r => r.json()).then(
  body => { document.body.dataset.result = JSON.stringify(body); },
  error => { document.body.dataset.result = "failed: " + error; },
);
</script></body></html>"""


@contextlib.contextmanager
def other_origin(endpoint: str) -> Iterator[str]:
    """Serves the page above from its own 127.0.0.1 port: a different origin from the API's."""
    page = (PAGE % {"endpoint": json.dumps(endpoint)}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_on_another_origin_fetches_with_an_authorization_header(
    base_url: str,  # noqa: F811
    browser: object,  # noqa: F811
) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    with other_origin(f"{base_url}/graphql") as page_url:
        page = browser.new_page()
        page.goto(page_url)
        page.wait_for_function("document.body.dataset.result !== undefined", timeout=30_000)
        result = page.evaluate("document.body.dataset.result")
        page.close()
    assert json.loads(result) == {"data": {"claims": {"nodes": [{"speaker": {"name": "Donald Trump"}}]}}}
