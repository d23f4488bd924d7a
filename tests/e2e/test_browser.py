"""Real browser: Debian's chromium drives the home page, the source reader and GraphiQL on a live
`parley serve`, offline. Screenshots taken here go to a temporary directory; the committed ones in docs/
are made by `make screenshots` (tools/screenshots.py)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest

from tests.datafiles import EXAMPLES as EXAMPLE_DIR
from tests.datafiles import FIXTURES, fixture_counts, read_records

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Response

EXAMPLES = sorted(EXAMPLE_DIR.glob("*.graphql"))
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
def base_url(live_server: str) -> str:
    """The session's live `parley serve` (conftest.py)."""
    return live_server


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
    base_url: str, browser: object, tmp_path: Path
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
    editor.get_by_text("claims(filter: {text: $text})").wait_for(timeout=UI_WAIT_MS)
    # The tab carries the example's variables (examples/01-….variables.json): the request sends them.

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

    # The schema docs are closed on a first visit, and open on request beside the editor.
    assert page.locator(".graphiql-doc-explorer").count() == 0
    page.click("button[aria-label='Show Documentation Explorer']")
    docs = page.locator(".graphiql-doc-explorer")
    docs.get_by_text("Root Types").wait_for(timeout=UI_WAIT_MS)
    assert "query: Query" in _text(docs)

    # A slim parley header links home.
    home = page.locator("#parley-bar a.brand")
    assert (home.inner_text(), home.get_attribute("href")) == ("parley", "/")

    # The address bar now holds a share link to the query on screen.
    assert page.url.startswith(f"{base_url}/playground?query=")

    shot = tmp_path / "playground.png"
    page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
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
    # Its own tab, after the ten examples, active and titled "Shared query" (it names no operation).
    assert page.locator(".graphiql-tab").count() == len(EXAMPLES) + 1
    assert _text(page.locator(".graphiql-tab-active")).strip() == "Shared query"
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


def _browser(browser: object) -> Browser:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    return browser


def test_a_named_share_link_gets_a_tab_titled_by_its_operation(base_url: str, browser: object) -> None:
    shared = '# mine\nquery LutnickSaid { person(slug: "howard-lutnick") { name } }'
    context = _browser(browser).new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(f"{base_url}/playground?query={quote(shared)}")
    page.wait_for_selector(".graphiql-execute-button", timeout=UI_WAIT_MS)
    assert page.locator(".graphiql-tab").count() == len(EXAMPLES) + 1
    assert _text(page.locator(".graphiql-tab-active")).strip() == "LutnickSaid"
    # The first example's tab is still the example, untouched.
    assert _text(page.locator(".graphiql-tab").first).strip() == "WhoSaidChinasNotEasy"
    context.close()


def test_the_playground_is_usable_at_800_px(base_url: str, browser: object) -> None:
    context = _browser(browser).new_context(viewport={"width": 800, "height": 700})
    page = context.new_page()
    page.goto(f"{base_url}/playground")
    page.wait_for_selector(".graphiql-execute-button", timeout=UI_WAIT_MS)
    line = page.locator(".graphiql-query-editor .view-line", has_text="claims(filter:")
    line.first.wait_for(timeout=UI_WAIT_MS)
    # The whole first-example line, `claims(filter: {text: "China's not easy"}) {`, fits in the editor
    # (polled: Monaco lays the editor out again once the window and fonts have settled).
    fits = """() => {
      const editor = document.querySelector('.graphiql-query-editor .monaco-editor');
      const line = [...document.querySelectorAll('.graphiql-query-editor .view-line')]
        .find((l) => l.textContent.includes('claims(filter:'));
      if (!editor || !line) return null;
      const spans = line.querySelectorAll('span span');
      const last = spans[spans.length - 1].getBoundingClientRect();
      const box = editor.getBoundingClientRect();
      return last.right <= box.right && box.width >= 560 ? [last.right, box.right] : null;
    }"""
    page.wait_for_function(fits, timeout=UI_WAIT_MS)
    assert page.locator(".graphiql-doc-explorer").count() == 0
    context.close()


def test_a_home_page_example_opens_its_own_tab(base_url: str, browser: object) -> None:
    context = _browser(browser).new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base_url}/")
    page.click("a[href='/playground?example=04-the-london-round']")
    page.wait_for_selector(".graphiql-execute-button", timeout=UI_WAIT_MS)
    assert page.locator(".graphiql-tab").count() == len(EXAMPLES)
    title = EXAMPLES[3].read_text(encoding="utf-8").split("query ", 1)[1].split("(")[0].split()[0]
    assert _text(page.locator(".graphiql-tab-active")).strip() == title
    context.close()


@pytest.mark.parametrize("width", [360, 1400])
def test_the_home_page_lists_the_sources_and_counts(base_url: str, browser: object, width: int) -> None:
    context = _browser(browser).new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    off_host: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(base_url) else off_host.append(r.url))
    page.goto(f"{base_url}/")
    assert page.locator("ul.cards li[data-source]").count() == fixture_counts()["sources"]
    counts = page.locator("ul.counts li")
    shown = {" ".join(_text(counts.nth(i)).split()) for i in range(counts.count())}
    counts = fixture_counts()
    assert {
        f"{counts['citations']} citations", f"{counts['claims']} claims",
        f"{counts['sources']} articles (sources)", f"{counts['people']} people",
    } <= shown
    assert "unknown outlet" in _text(page.locator("ul.cards"))
    # Readable: nothing wider than the window (no sideways scrolling), text not shrunk.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 15
    assert page.evaluate("fetch('/favicon.ico').then(r => r.status)") == 200
    # Each article's reader: one highlighted element per citation, and no sideways scrolling either.
    from tests.api_client import dataset

    for source in dataset().sources:
        page.goto(f"{base_url}/sources/{source}")
        marks = page.locator("#text mark[data-citation]")
        assert marks.count() == len(dataset().citations_by_source.get(source, [])), source
        assert page.evaluate("document.documentElement.scrollWidth") <= width, source
    assert off_host == []
    context.close()


def test_the_reader_highlights_each_citation_and_hover_shows_the_speaker(
    base_url: str, browser: object
) -> None:
    from tests.api_client import dataset

    source = "asean-now-fragile-progress"
    citations = dataset().citations_by_source[source]
    context = _browser(browser).new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base_url}/sources/{source}")
    marks = page.locator("#text mark[data-citation]")
    in_fixtures = [c for c in read_records(FIXTURES, "citations") if c["evidence"]["source"] == source]
    assert marks.count() == len(citations) == len(in_fixtures)
    shown = marks.evaluate_all("ms => ms.map(m => m.dataset.citation)")
    assert sorted(shown) == sorted(c.id for c in citations)
    card = page.locator("#card")
    assert card.is_hidden()
    for citation in citations[:3]:
        speaker = dataset().people[dataset().claims[citation.claim].speaker].name
        page.hover(f"#text mark[data-citation='{citation.id}']")
        card.wait_for(state="visible", timeout=5_000)
        assert speaker in _text(card)
        assert dataset().claims[citation.claim].summary in _text(card)
    # Each speaker has a colour of their own, and a legend names them.
    legend = _text(page.locator("ul.legend[aria-label='Speakers']"))
    assert "Donald Trump" in legend
    # Keyboard: tab to a highlight shows its card; Enter moves to the card's playground link.
    page.mouse.move(0, 0)
    page.keyboard.press("Escape")
    focused = f"#text mark[data-citation='{citations[0].id}']"
    page.focus(focused)
    card.wait_for(state="visible", timeout=5_000)
    assert page.get_attribute(focused, "aria-describedby") == "card"  # read out with the highlight
    page.keyboard.press("Enter")
    link = page.evaluate("document.activeElement.getAttribute('href')")
    assert link.startswith("/playground?query=")
    # In print, the card is hidden and the text is whole.
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.getElementById('card')).display") == "none"
    assert page.evaluate("getComputedStyle(document.querySelector('header.bar')).display") == "none"
    context.close()
