"""Real browser: Debian's chromium opens a claim's permalink on a live `parley serve`, follows its
reader link to the highlighted span and its playground link to the same answer, and reads the
permalink pages and the /sources/ index at phone width without sideways scrolling."""

from __future__ import annotations

import pytest

from tests.datafiles import FIXTURES, read_records
from tests.e2e.test_browser import UI_WAIT_MS, _browser, _text, base_url, browser  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

CITATIONS = read_records(FIXTURES, "citations")
DEEPEST = max(CITATIONS, key=lambda c: c["evidence"]["start"])
"""The citation furthest into its article: following its reader link has to scroll to it."""


def test_a_claim_page_leads_to_its_highlighted_span_in_the_reader(base_url: str, browser: object) -> None:  # noqa: F811
    claim = next(c for c in read_records(FIXTURES, "claims") if c["id"] == DEEPEST["claim"])
    context = _browser(browser).new_context(viewport={"width": 800, "height": 600})
    page = context.new_page()
    page.goto(f"{base_url}/claims/{claim['id']}")
    assert claim["summary"] in _text(page.locator("h1"))
    page.click(f"li[data-citation='{DEEPEST['id']}'] a.reader-link")
    page.wait_for_url(f"**/sources/{DEEPEST['evidence']['source']}#c-{DEEPEST['id']}")
    target = page.locator(f"#c-{DEEPEST['id']}")
    assert target.evaluate("e => e.matches('mark[data-citation]:target')")
    assert target.get_attribute("data-citation") == DEEPEST["id"]
    assert _text(target).startswith(DEEPEST["evidence"]["exact"][:20])
    assert page.evaluate("window.scrollY") > 0
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] < 600  # scrolled into view
    context.close()


def test_a_claim_pages_playground_link_runs_its_query(base_url: str, browser: object) -> None:  # noqa: F811
    claim = read_records(FIXTURES, "claims")[0]
    context = _browser(browser).new_context(viewport={"width": 1600, "height": 900})
    page = context.new_page()
    page.goto(f"{base_url}/claims/{claim['id']}")
    page.click("a.playground-link")
    page.wait_for_selector(".graphiql-execute-button", timeout=UI_WAIT_MS)
    assert _text(page.locator(".graphiql-tab-active")).strip() == "ClaimPage"
    page.click(".graphiql-execute-button")
    response = page.locator(".graphiql-response")
    response.get_by_text(f'"{claim["id"]}"').first.wait_for(timeout=UI_WAIT_MS)
    assert claim["summary"] in _text(response)
    context.close()


PAGES = ["/sources/", f"/claims/{DEEPEST['claim']}", "/claims/no-such-claim",
         *(f"/negotiations/{n['id']}" for n in read_records(FIXTURES, "negotiations")),
         f"/people/{max(read_records(FIXTURES, 'people'), key=lambda p: len(p.get('aliases', [])))['id']}"]
"""Each kind of page: the index, a claim, a 404, every negotiation and the person with the most names."""


@pytest.mark.parametrize("path", PAGES)
def test_permalink_pages_fit_a_phone(base_url: str, browser: object, path: str) -> None:  # noqa: F811
    context = _browser(browser).new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    response = page.goto(f"{base_url}{path}")
    assert response is not None and response.status == (404 if "no-such" in path else 200)
    assert response.headers["content-type"].startswith("text/html")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    context.close()
