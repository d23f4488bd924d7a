"""The self-hosted GraphiQL page: example tabs from files, local assets only, a clear message if missing."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest

from api.http.views import playground
from tests.api_client import client
from tests.datafiles import EXAMPLES as EXAMPLE_DIR

EXAMPLES = sorted(EXAMPLE_DIR.glob("*.graphql"))
BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
CDN_HOSTS = ("unpkg.com", "jsdelivr", "esm.sh", "cdnjs", "googleapis", "skypack")


def _config(page: str) -> dict[str, Any]:
    found = re.search(r'<script id="parley-playground-config" type="application/json">(.*?)</script>', page)
    assert found, page
    config: dict[str, Any] = json.loads(found.group(1))
    return config


def test_graphql_opens_graphiql_with_one_tab_per_example_file() -> None:
    response = client().get("/graphql", headers=BROWSER)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    config = _config(response.text)
    assert EXAMPLES[0].name == "01-who-said-chinas-not-easy.graphql"
    assert [tab["query"] for tab in config["tabs"]] == [p.read_text(encoding="utf-8") for p in EXAMPLES]
    assert config["endpoint"] == "/graphql"
    assert config["shareUrl"] == "/playground"
    assert config["assetsUrl"] == "/playground/assets/"
    assert '<script type="module" src="/playground/assets/playground.js"></script>' in response.text


def test_the_page_and_its_bundle_load_nothing_from_other_hosts() -> None:
    page = client().get("/graphql", headers=BROWSER)
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "connect-src 'self'" in policy
    bundle = client().get("/playground/assets/playground.js")
    assert bundle.status_code == 200
    assert bundle.headers["content-type"] == "text/javascript; charset=utf-8"
    for text in (page.text, bundle.text):
        assert [host for host in CDN_HOSTS if host in text] == []


WORKERS = ["editor.worker.js", "json.worker.js", "graphql.worker.js"]


@pytest.mark.parametrize("name", ["playground.css", *WORKERS])
def test_the_bundled_assets_are_served(name: str) -> None:
    assert client().get(f"/playground/assets/{name}").status_code == 200


def test_the_share_path_serves_the_page_for_a_query_link() -> None:
    response = client().get("/playground", params={"query": "{ meta { version } }"}, headers=BROWSER)
    assert response.status_code == 200
    assert _config(response.text)["endpoint"] == "/graphql"


def test_example_text_cannot_close_the_config_script() -> None:
    tab = playground.ExampleTab(name="x", query='{ search(text: "</script><b>") { matched } }')
    page = playground.render_page("/graphql", "/playground", "/assets", [tab])
    assert "</script><b>" not in page
    assert _config(page)["tabs"] == [{"name": "x", "query": tab.query}]


def test_load_examples_reads_graphql_files_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "b.graphql").write_text("{ b }", encoding="utf-8")
    (tmp_path / "a.graphql").write_text("{ a }", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a query", encoding="utf-8")
    assert playground.load_examples(tmp_path) == [
        playground.ExampleTab(name="a", query="{ a }"),
        playground.ExampleTab(name="b", query="{ b }"),
    ]
    assert playground.load_examples(tmp_path / "absent") == []


def test_missing_assets_are_reported_at_startup_and_in_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(playground, "ASSETS_DIR", tmp_path / "graphiql")
    with caplog.at_level(logging.WARNING, logger="parley.playground"):
        playground.routes()
    assert caplog.messages == [
        "GraphiQL assets missing (playground.js, playground.css, editor.worker.js, graphql.worker.js) in "
        f"{tmp_path / 'graphiql'}: the playground at /graphql will not load; run `make playground`"
    ]
    response = client().get("/graphql", headers=BROWSER)
    assert response.status_code == 503
    assert "GraphiQL assets are not installed" in response.text
    assert "<code>make playground</code>" in response.text
    assert "npm ci --prefix playground &amp;&amp; node playground/build.mjs" in response.text


def test_saved_tabs_are_keyed_by_the_example_set() -> None:
    one = playground.ExampleTab(name="a", query="{ meta { version } }")
    two = playground.ExampleTab(name="b", query="{ meta { name } }")

    def version(tabs: list[playground.ExampleTab]) -> str:
        page = playground.render_page("/graphql", "/playground", "/assets", tabs)
        value: str = _config(page)["tabsVersion"]
        return value

    assert version([one]) == version([one])
    assert version([one]) != version([one, two])
    assert re.fullmatch(r"[0-9a-f]{12}", version([one]))
