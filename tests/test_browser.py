"""Real browser: Debian's chromium drives GraphiQL on a live `parley serve`, offline, and screenshots it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from live_server import parley_server

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Response

REPO = Path(__file__).resolve().parents[1]
# build/ is ignored, so `make test` leaves the tree clean; `make screenshot` refreshes docs/playground.png.
SCREENSHOT = REPO / os.environ.get("PARLEY_SCREENSHOT", "build/playground.png")
EXAMPLES = sorted((REPO / "examples").glob("*.graphql"))
CHROMIUM = Path("/usr/bin/chromium")
# As CI runs it: no sandbox (root), and none of chromium's own calls home (the network is closed).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
UI_WAIT_MS = 60_000
REQUIRED = os.environ.get("CI") == "true" or os.environ.get("PARLEY_REQUIRE_BROWSER") == "1"

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def _unavailable(reason: str) -> None:
    """Fails when CI asks for the browser test (CI=true or PARLEY_REQUIRE_BROWSER=1), else skips."""
    if REQUIRED:
        pytest.fail(f"{reason} (required here: CI=true or PARLEY_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(f"{reason}; install it with: apt-get install -y chromium chromium-driver")


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with parley_server() as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not (CHROMIUM.is_file() and shutil.which(str(CHROMIUM))):
        _unavailable(f"Debian's chromium is not installed at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _text(locator: Locator) -> str:
    """The locator's visible text, with Monaco's non-breaking spaces read as spaces."""
    text: str = locator.inner_text()
    return text.replace("\xa0", " ")


def _runs(words: str) -> Callable[[Response], bool]:
    """Matches the POST /graphql response to the query that contains the words."""
    return lambda r: r.request.method == "POST" and words in (r.request.post_data or "")


def test_graphiql_runs_the_first_example_and_shows_the_real_speaker(
    base_url: str, browser: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    page = browser.new_page(viewport={"width": 1600, "height": 900})
    off_host: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith((base_url, "data:", "blob:")) else off_host.append(r.url),
    )
    page.goto(f"{base_url}/graphql")
    page.wait_for_selector(".graphiql-execute-button", timeout=UI_WAIT_MS)

    # One tab per examples/*.graphql; the first, "who said China's not easy", is open.
    assert page.locator(".graphiql-tab").count() == len(EXAMPLES) == 11
    editor = page.locator(".graphiql-query-editor")
    editor.get_by_text('claims(filter: {text: "China\'s not easy"})').wait_for(timeout=UI_WAIT_MS)

    with page.expect_response(_runs("China's not easy"), timeout=UI_WAIT_MS) as sent:
        page.click(".graphiql-execute-button")
    response = page.locator(".graphiql-response")
    response.get_by_text('"Donald Trump"').wait_for(timeout=UI_WAIT_MS)
    shown = " ".join(_text(response).split())
    assert '"speaker": { "name": "Donald Trump" }, "saidOn": { "date": "2025-06-09",' in shown
    # The editor shows the top of the answer; the whole of it is what the UI received.
    (claim,) = sent.value.json()["data"]["claims"]["nodes"]
    assert claim["speaker"] == {"name": "Donald Trump"}
    assert [
        (c["mode"], c["source"]["outlet"]["name"], c["evidence"]["exact"]) for c in claim["citations"]
    ] == [
        ("DIRECT", "ASEAN Now", "China's not easy,"),
        ("PARTIAL", "Caliber.Az", "China's not easy."),
    ]

    # The schema docs are open beside the editor.
    docs = page.locator(".graphiql-doc-explorer")
    docs.get_by_text("Root Types").wait_for(timeout=UI_WAIT_MS)
    assert "query: Query" in _text(docs)

    # The address bar now holds a share link to the query on screen.
    assert page.url.startswith(f"{base_url}/playground?query=")

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    with capsys.disabled():  # shown in the CI log, not only on failure
        print(f"\nplayground screenshot: {SCREENSHOT}")
    assert SCREENSHOT.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert off_host == []
    page.close()


def test_a_share_link_opens_its_query_and_runs_it(base_url: str, browser: object) -> None:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    shared = '{ claim(slug: "trump-china-not-easy") { speaker { name } saidOn { date } } }'
    context = browser.new_context(viewport={"width": 1600, "height": 900})
    page = context.new_page()
    page.goto(f"{base_url}/playground?query={quote(shared)}")
    page.wait_for_selector(".graphiql-execute-button", timeout=UI_WAIT_MS)
    page.locator(".graphiql-query-editor").get_by_text('claim(slug: "trump-china-not-easy")').wait_for(
        timeout=UI_WAIT_MS
    )
    page.click(".graphiql-execute-button")
    response = page.locator(".graphiql-response")
    response.get_by_text('"2025-06-09"').wait_for(timeout=UI_WAIT_MS)
    answer = _text(response)
    assert '"name": "Donald Trump"' in answer
    assert '"date": "2025-06-09"' in answer

    # The query explorer lists the root fields to build a query by clicking.
    page.click("button[aria-label='Show GraphiQL Explorer']")
    plugin = page.locator(".graphiql-plugin")
    plugin.get_by_text("resolvePerson").wait_for(timeout=UI_WAIT_MS)
    assert "Explorer" in _text(plugin)
    context.close()
