"""The home page describes the dataset for catalogues and for people citing it: a schema.org Dataset
as JSON-LD (name, description, version, licence, creator, every download as a DataDownload with its
address, media type and size), and "How to cite" with this server's real address."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

from schema.curate.settings import dataset_version
from tests.api_client import client
from tests.datafiles import FIXTURES

BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


class _JsonLd(HTMLParser):
    """Collects the text of every <script type="application/ld+json">."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._inside = tag == "script" and dict(attrs).get("type") == "application/ld+json"
        if self._inside:
            self.found.append("")

    def handle_endtag(self, tag: str) -> None:
        self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.found[-1] += data


def served_dataset(host: str = "testserver") -> dict[str, Any]:
    parser = _JsonLd()
    parser.feed(client().get("/", headers={**BROWSER, "host": host}).text)
    (text,) = parser.found
    document: dict[str, Any] = json.loads(text)
    return document


def test_the_home_page_embeds_a_schema_org_dataset() -> None:
    document = served_dataset()
    package = json.loads((FIXTURES / "datapackage.json").read_bytes())
    assert (document["@context"], document["@type"]) == ("https://schema.org", "Dataset")
    assert document["name"] == package["title"] and document["description"] == package["description"]
    assert document["version"] == dataset_version(FIXTURES)
    assert document["license"] == package["licenses"][0]["path"]
    assert [c["name"] for c in document["creator"]] == [c["title"] for c in package["contributors"]]
    listed = client().get("/", headers={"accept": "application/json"}).json()["downloads"]
    assert [d["name"] for d in document["distribution"]] == [d["name"] for d in listed]
    for download in document["distribution"]:
        assert download["@type"] == "DataDownload"
        assert download["contentUrl"].startswith("http://testserver/")
        served = client().get(download["contentUrl"], headers={"accept-encoding": "identity"})
        assert served.status_code == 200, download
        assert served.headers["content-type"].startswith(download["encodingFormat"]), download
        assert download["contentSize"] == f"{len(served.content)} B", download
    database = next(d for d in document["distribution"] if d["name"] == "parley.db")
    assert database["encodingFormat"] == "application/vnd.sqlite3"


def test_addresses_and_the_citation_are_this_servers() -> None:
    document = served_dataset("data.example.org:8443")
    assert document["url"] == "http://data.example.org:8443/"
    assert all(d["contentUrl"].startswith("http://data.example.org:8443/") for d in document["distribution"])
    page = client().get("/", headers={**BROWSER, "host": "data.example.org:8443"}).text
    cite = page.split('<p class="cite">', 1)[1].split("</p>", 1)[0]
    assert cite.endswith(" http://data.example.org:8443/")
    assert f"(dataset version {dataset_version(FIXTURES)})" in cite
    assert "this server" not in page.split('id="cite"', 1)[1]  # no placeholder where the address goes
    body = client().get("/", headers={"accept": "application/json", "host": "other.example"}).json()
    assert body["cite"].endswith(" http://other.example/") and body["dataset"]["url"] == "http://other.example/"
