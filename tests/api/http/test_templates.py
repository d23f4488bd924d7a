"""Pages from templates: values shown as text, the CSP names each inline script, kept pages stay current."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import warnings
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from api.http.app import create_app
from api.http.views.reader import _Span, render_text
from tests.api_client import client, dataset
from tests.datafiles import FIXTURES, SEEDS

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

BROWSER = {"accept": "text/html"}
HOSTILE = """Parley <script>alert("x")</script> & 'friends' </title><blink>"""


class Page(HTMLParser):
    """Every element with its attributes, the text of each element by tag, and each inline script's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.texts: dict[str, list[str]] = {}
        self.open: list[str] = []
        self.scripts: list[tuple[dict[str, str], str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self.elements.append((tag, found))
        if tag == "script":
            self.scripts.append((found, ""))
        if tag not in ("meta", "link", "br"):
            self.open.append(tag)
            self.texts.setdefault(tag, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1] == tag:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        for tag in self.open:
            self.texts[tag][-1] += data
        if self.open and self.open[-1] == "script":
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def _test_client(app: Starlette) -> TestClient:
    with warnings.catch_warnings():
        # Starlette nudges towards httpx2; the httpx-based TestClient is what this project pins.
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        return TestClient(app)


def _app_with_title(tmp_path: Path, title: str) -> TestClient:
    fixtures = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, fixtures)
    package = json.loads((fixtures / "datapackage.json").read_text(encoding="utf-8"))
    package["title"] = title
    (fixtures / "datapackage.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
    return _test_client(create_app(fixtures_dir=fixtures, seeds_dir=SEEDS, snapshot=tmp_path / "parley.db"))


def test_a_title_with_markup_is_shown_as_its_text_never_as_markup(tmp_path: Path) -> None:
    app = _app_with_title(tmp_path, HOSTILE)
    assert app.get("/", headers={"accept": "application/json"}).json()["title"] == HOSTILE
    html = app.get("/", headers=BROWSER).text
    page = parse(html)
    assert page.texts["title"] == [HOSTILE] and page.texts["h1"] == [HOSTILE]
    assert [tag for tag, _ in page.elements].count("title") == 1
    # The one script is data (the schema.org Dataset), its text escaped as JSON, never executed.
    ((attrs, text),) = page.scripts
    assert attrs == {"type": "application/ld+json"} and json.loads(text)["name"] == HOSTILE
    assert "<blink>" not in html and HOSTILE not in html and "</" not in text


@pytest.mark.parametrize("path", ["/", *(f"/sources/{s}" for s in sorted(dataset().sources))])
def test_the_policy_allows_exactly_the_inline_scripts_a_page_runs(path: str) -> None:
    response = client().get(path, headers=BROWSER)
    policy = response.headers["content-security-policy"]
    allowed = re.findall(r"'sha256-([A-Za-z0-9+/=]+)'", policy)
    scripts = parse(response.text).scripts
    inline = [text for attrs, text in scripts if "type" not in attrs and "src" not in attrs]
    hashes = [base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() for text in inline]
    assert hashes == allowed
    assert ("script-src 'none'" in policy) == (inline == [])
    if path.startswith("/sources/"):
        assert len(inline) == 1  # the hover cards


def test_markup_in_a_source_text_is_text() -> None:
    text = """He said <b>"no"</b> & 'yes' <script>x</script>"""
    start = text.index("<b>")
    attrs = {"data-citation": "a", "title": "<i>"}
    out = render_text(text, [_Span(start, start + len('<b>"no"</b>'), "citation", "a", attrs)])
    page = parse(f'<div id="t">{out}</div>')
    assert "".join(page.texts["div"]) == text
    assert [tag for tag, _ in page.elements] == ["div", "mark"]
    assert page.elements[1][1] == attrs
    assert page.texts["mark"] == ['<b>"no"</b>']


def test_a_kept_home_page_shows_an_export_once_it_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    from api.http.views import home

    monkeypatch.setattr(home, "EAGER_EXPORT_LIMIT", 0)  # every dataset counts as large: exports wait
    app = _test_client(create_app(dataset()))

    def annotations_row() -> str:
        html = app.get("/", headers=BROWSER).text
        row = re.search(r'<tr><td><a href="/exports/annotations.jsonld">.*?</tr>', html, re.S)
        assert row, "no annotations.jsonld row"
        return row.group(0)

    assert "built on first download" in annotations_row()
    assert annotations_row() == annotations_row()
    content = app.get("/exports/annotations.jsonld", headers={"accept-encoding": "identity"}).content
    assert f'title="{hashlib.sha256(content).hexdigest()}"' in annotations_row()
    assert "built on first download" not in annotations_row()
