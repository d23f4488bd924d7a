"""The home page, the source reader and the favicon, read as HTML and JSON (the browser tests drive them)."""

from __future__ import annotations

import hashlib
import html
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from api.http.views.reader import _Span, render_text
from tests.api_client import client, dataset
from tests.datafiles import FIXTURES, fixture_counts, read_records

BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
BASE = "http://testserver"
IDENTITY = {"accept-encoding": "identity"}


def graphql(query: str) -> dict[str, Any]:
    response = client().post("/graphql", json={"query": query})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


class Elements(HTMLParser):
    """Collects every element's attributes and the text (without tags) of one element by id."""

    def __init__(self, text_id: str | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text_id = text_id
        self.depth = 0
        self.text: list[str] = []
        self.opened: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self.elements.append((tag, found))
        if self.depth:
            self.depth += 1
        elif self.text_id is not None and found.get("id") == self.text_id:
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text.append(data)


def parse(page: str, text_id: str | None = None) -> Elements:
    parser = Elements(text_id)
    parser.feed(page)
    return parser


def test_home_json_has_the_meta_counts_sources_examples_downloads_and_real_urls() -> None:
    body = client().get("/", headers={"accept": "application/json"}).json()
    meta = graphql("{ meta { name version counts { entity count } licences { name } } }")["meta"]
    assert body["counts"] == {c["entity"]: c["count"] for c in meta["counts"]}
    assert (body["name"], body["version"]) == (meta["name"], meta["version"])
    assert [lic["name"] for lic in body["licences"]] == ["CC-BY-4.0"]
    assert [s["id"] for s in body["sources"]] == list(dataset().sources)
    unattributed = next(s for s in body["sources"] if s["id"] == "unattributed-talks-underway")
    assert unattributed["outlet"] == "unknown outlet"
    cnews = next(s for s in body["sources"] if s["id"] == "cnews-live-second-day")
    assert cnews["date"] == "date not printed"
    assert len(body["examples"]) == 6
    assert meta["version"] in body["cite"] and meta["name"] in body["cite"]

    def urls(node: object) -> list[str]:
        if isinstance(node, dict):
            return [u for v in node.values() for u in urls(v)]
        if isinstance(node, list):
            return [u for v in node for u in urls(v)]
        return [node] if isinstance(node, str) and "/" in node and " " not in node else []

    served = [u for u in urls(body) if u.startswith(BASE)]
    assert len(served) > 40
    for url in served:  # every URL the JSON lists is real: it answers 200
        assert client().get(url, headers=BROWSER).status_code == 200, url
    for download in body["downloads"]:
        response = client().get(download["url"])
        assert response.status_code == 200, download
        content = response.content  # every download is sized and hashed (parley.db too) from the start
        assert (len(content), hashlib.sha256(content).hexdigest()) == (download["bytes"], download["sha256"])
        checksum = client().get(download["checksum"]).text
        assert checksum == f"{download['sha256']}  {download['name']}\n", download
        assert response.headers["content-type"].startswith(download["mediaType"]), download
    names = [d["name"] for d in body["downloads"]]
    assert len(names) == len(set(names))  # no two rows share a name (one datapackage.json)
    database = next(d for d in body["downloads"] if d["name"] == "parley.db")
    assert database["mediaType"] == "application/vnd.sqlite3" and database["bytes"] > 0
    assert "open in a browser" not in str(body)


def test_home_html_lists_sources_counts_examples_downloads_and_the_citation() -> None:
    response = client().get("/", headers=BROWSER)
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    elements = parse(page)
    # Self-contained: nothing is loaded from anywhere, and the policy says so.
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'none'" in policy
    loaded = [
        a.get("src") or a.get("href")
        for t, a in elements.elements
        if t in ("script", "img", "link") and a.get("type") != "application/ld+json"  # data, not code
    ]
    assert loaded == ["/favicon.ico"]
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    for source in dataset().sources.values():
        assert f'<a href="/sources/{source.id}">' in page
    assert "unknown outlet" in page and "date not printed" in page
    counts = fixture_counts()
    for count in (counts["citations"], counts["claims"], counts["people"]):
        assert f"<b>{count}</b>" in page
    examples = [a["href"] for t, a in elements.elements if t == "a" and "example=" in a.get("href", "")]
    assert len(examples) == 6
    assert examples[0] == "/playground?example=01-who-said-chinas-not-easy"
    claims = dataset().files["claims.json"]
    assert f'<a href="/downloads/claims.json.sha256" title="{claims.sha256}">sha256</a>' in page
    assert "size known after the first download" not in page
    assert "CC-BY-4.0" in page and "How to cite" in page and "version <b>0." in page


def test_the_favicon_is_a_real_icon() -> None:
    response = client().get("/favicon.ico", headers=IDENTITY)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/vnd.microsoft.icon"
    icon = response.content
    assert icon[:4] == b"\x00\x00\x01\x00" and icon[22:30] == b"\x89PNG\r\n\x1a\n"
    again = client().get("/favicon.ico", headers={"if-none-match": response.headers["etag"], **IDENTITY})
    assert again.status_code == 304


@pytest.mark.parametrize("source_id", sorted(dataset().sources))
def test_the_reader_marks_each_citation_once_on_the_api_cited_spans(source_id: str) -> None:
    response = client().get(f"/sources/{source_id}", headers=BROWSER)
    assert response.status_code == 200
    elements = parse(response.text, "text")
    marks = [a for t, a in elements.elements if t == "mark" and "data-citation" in a]
    citations = dataset().citations_by_source.get(source_id, [])
    assert sorted(m["data-citation"] for m in marks) == sorted(c.id for c in citations)
    by_id = {c.id: c for c in citations}
    for mark in marks:
        citation = by_id[mark["data-citation"]]
        claim = dataset().claims[citation.claim]
        assert mark["data-speaker"] == dataset().people[claim.speaker].name
        assert mark["data-mode"] == citation.mode.value
        assert mark["tabindex"] == "0"
    # The highlighted positions are exactly the API's Source.citedSpans.
    spans = graphql(f'{{ source(slug: "{source_id}") {{ text citedSpans {{ start end }} }} }}')["source"]
    evidence = [by_id[m["data-citation"]].evidence for m in marks]
    positions = {(e.start, e.end) for e in evidence}
    assert positions == {(s["start"], s["end"]) for s in spans["citedSpans"]}
    # The text inside the reader is the stored text, character for character.
    assert "".join(elements.text) == spans["text"] == dataset().seed_texts[source_id]
    cues = [a["data-cue"] for t, a in elements.elements if t == "span" and "data-cue" in a]
    assert sorted(cues) == sorted(c.id for c in citations if c.cue is not None)


def test_the_reader_marks_discrepancies_and_links_each_claim_to_the_playground() -> None:
    page = client().get("/sources/econotimes-talks-resume", headers=BROWSER).text
    elements = parse(page)
    disputed = [a for t, a in elements.elements if "data-discrepancy" in a]
    assert any(a["data-discrepancy"] == "li-chenggang-name-spelling" for a in disputed)
    data = re.search(r'<script type="application/json" id="reader-data">(.*?)</script>', page, re.S)
    assert data
    import json

    cards = json.loads(data.group(1))
    assert set(cards) == {c.id for c in dataset().citations_by_source["econotimes-talks-resume"]}
    card = next(iter(cards.values()))
    query = parse_qs(urlsplit(card["playground"]).query)["query"][0]
    assert urlsplit(card["playground"]).path == "/playground"
    answer = graphql(query)["claim"]
    assert answer["speaker"]["name"] == card["speaker"] and answer["summary"] == card["summary"]
    reader = client().get("/sources/econotimes-talks-resume", headers=BROWSER)
    assert "script-src 'sha256-" in reader.headers["content-security-policy"]


def test_the_reader_as_json_and_a_missing_source() -> None:
    body = client().get("/sources/caliber-az-talks-conclude").json()
    assert body["text"] == dataset().seed_texts["caliber-az-talks-conclude"]
    citations = read_records(FIXTURES, "citations")
    cited = [c for c in citations if c["evidence"]["source"] == "caliber-az-talks-conclude"]
    assert len(body["citations"]) == len(cited)
    missing = client().get("/sources/nope")  # a browser gets the error page (test_permalinks.py)
    assert missing.status_code == 404
    assert "nope" in missing.json()["errors"][0]["message"]


def test_crossing_spans_keep_one_first_element_each_and_all_text() -> None:
    text = "abcdefghij"
    spans = [
        _Span(1, 6, "citation", "a", {"data-citation": "a"}),
        _Span(4, 9, "citation", "b", {"data-citation": "b"}),
        _Span(4, 9, "citation", "c", {"data-citation": "c"}),
        _Span(2, 3, "cue", "cue:a", {"data-cue": "a"}),
    ]
    out = render_text(text, spans)
    elements = parse(f'<div id="t">{out}</div>', "t")
    assert "".join(elements.text) == text
    firsts = [a["data-citation"] for t, a in elements.elements if "data-citation" in a]
    assert sorted(firsts) == ["a", "b", "c"]
    # b and c start inside a and outlive it: each is reopened after a closes, as a part.
    parts = [a["data-citation-part"] for t, a in elements.elements if "data-citation-part" in a]
    assert sorted(parts) == ["b", "c"]
    assert html.unescape(re.sub(r"<[^>]+>", "", out)) == text


def test_a_large_dataset_home_page_does_not_build_the_exports(monkeypatch: pytest.MonkeyPatch) -> None:
    from starlette.testclient import TestClient

    from api.http.app import create_app
    from api.http.views import home

    monkeypatch.setattr(home, "EAGER_EXPORT_LIMIT", 10)  # the curated 37 citations count as large here
    large = TestClient(create_app(dataset()))
    listed = {d["name"]: d for d in large.get("/").json()["downloads"]}
    assert (listed["annotations.jsonld"]["bytes"], listed["annotations.jsonld"]["sha256"]) == (None, None)
    assert listed["claims.json"]["bytes"] == len(dataset().files["claims.json"].content)
    assert "built on first download" in large.get("/", headers=BROWSER).text
    content = large.get("/exports/annotations.jsonld", headers=IDENTITY).content
    listed = {d["name"]: d for d in large.get("/").json()["downloads"]}
    assert listed["annotations.jsonld"]["sha256"] == hashlib.sha256(content).hexdigest()
    assert listed["claims.ndjson"]["bytes"] is None
