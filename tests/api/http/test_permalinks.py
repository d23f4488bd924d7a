"""Permalink pages /claims/<id>, /people/<id>, /negotiations/<id>, a claim's CSL-JSON, the /sources/
index and the error pages, through HTTP on the app `parley serve` runs, for every record in the data.

Expectations come from the fixtures (tests/datafiles.read_records) and from the API's own answers
(POST /graphql with the page's document); the CSL-JSON is checked against the CSL-JSON schema
(tests/schemas/csl-data.json) and rendered by citeproc-py, a real CSL processor.
"""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import citeproc
import jsonschema
import pytest
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Route

from api.http.app import create_app
from api.http.views import errors
from api.http.views.permalinks import KINDS, RecordKind
from tests.api_client import client, dataset, make_client
from tests.datafiles import FIXTURES, read_records

BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
JSON_ONLY = {"accept": "application/json"}
CSL = "application/vnd.citationstyles.csl+json"
BASE = "http://testserver"
CSL_SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "csl-data.json").read_text())

CLAIMS = read_records(FIXTURES, "claims")
CITATIONS = read_records(FIXTURES, "citations")
PEOPLE = read_records(FIXTURES, "people")
NEGOTIATIONS = read_records(FIXTURES, "negotiations")
SOURCES = read_records(FIXTURES, "sources")
KIND = {kind.name: kind for kind in KINDS}


def citations_of(claim_id: str) -> list[dict[str, Any]]:
    return [c for c in CITATIONS if c["claim"] == claim_id]


def text_of(page: str) -> str:
    """The page's words: tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def hrefs(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', page)]


def api_answer(kind: RecordKind, slug: str) -> dict[str, Any]:
    """What POST /graphql answers for the page's document: the JSON a permalink must serve."""
    response = client().post("/graphql", json={"query": kind.document, "variables": kind.variables(slug)})
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def get(path: str, headers: dict[str, str]) -> Any:
    response = client().get(path, headers=headers)
    assert "Accept" in response.headers.get("vary", ""), (path, response.headers)
    return response


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c["id"])
def test_a_claim_page_shows_who_said_it_when_and_each_citation_in_its_sentence(claim: dict[str, Any]) -> None:
    response = get(f"/claims/{claim['id']}", BROWSER)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    words = text_of(page)
    speaker = next(p for p in PEOPLE if p["id"] == claim["speaker"])
    assert claim["summary"] in words
    assert speaker["name"] in words
    assert f"/people/{speaker['id']}" in hrefs(page)
    if claim.get("said_on"):
        assert f"{claim['said_on']['date']} ({claim['said_on']['precision']} precision)" in words
    marked = [html.unescape(m) for m in re.findall(r'<mark class="m-[a-z]+">(.*?)</mark>', page, re.S)]
    cited = citations_of(claim["id"])
    assert sorted(marked) == sorted(c["evidence"]["exact"] for c in cited)
    seeds = dataset().seed_texts
    for citation in cited:
        evidence = citation["evidence"]
        # the words are shown inside their sentence: the seed's words just before and after them
        item = rf'data-citation="{re.escape(citation["id"])}">\s*<blockquote[^>]*>(.*?)</blockquote>'
        quote = re.search(item, page, re.S)
        assert quote is not None, citation["id"]
        shown = html.unescape(re.sub(r"<[^>]+>", "", quote.group(1)))
        text = seeds[evidence["source"]]
        at = text.index(shown)  # the sentence is a piece of the seed text as stored
        assert at <= evidence["start"] and evidence["end"] <= at + len(shown)
        assert f"/sources/{evidence['source']}#c-{citation['id']}" in hrefs(page)
        assert citation["mode"] in words  # "direct quotation", "partial quotation", "paraphrase"
    cite = re.search(r'<p class="cite">(.*?)</p>', page, re.S)
    assert cite is not None and f"{BASE}/claims/{claim['id']}" in html.unescape(cite.group(1))
    assert "<this server" not in page


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_every_record_answers_the_apis_json_to_clients_and_the_same_query_in_its_playground_link(
    kind: RecordKind,
) -> None:
    records = {"claim": CLAIMS, "person": PEOPLE, "negotiation": NEGOTIATIONS}[kind.name]
    assert records
    for record in records:
        path = f"{kind.path}/{record['id']}"
        for headers in (JSON_ONLY, {}, {"accept": "*/*"}, {"accept": "text/html;q=0.5, application/json"}):
            response = get(path, headers)
            assert response.status_code == 200, (path, headers)
            assert response.headers["content-type"] == "application/json"
            assert response.json() == api_answer(kind, record["id"])
            assert response.json()[kind.name]["slug"] == record["id"]
        page = get(path, {"accept": "application/json;q=0.5, text/html"}).text
        link = next(h for h in hrefs(page) if h.startswith("/playground?"))
        params = parse_qs(urlsplit(link).query)
        assert params["query"] == [kind.document]
        assert json.loads(params["variables"][0]) == kind.variables(record["id"])


@pytest.mark.parametrize("person", PEOPLE, ids=lambda p: p["id"])
def test_a_person_page_names_their_aliases_roles_and_claims(person: dict[str, Any]) -> None:
    response = get(f"/people/{person['id']}", BROWSER)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    words, links = text_of(response.text), hrefs(response.text)
    assert person["name"] in words
    for alias in person.get("aliases", []):
        assert alias["name"] in words
        for evidence in alias["evidence"]:
            assert any(link.startswith(f"/sources/{evidence['source']}#:~:text=") for link in links)
    for affiliation in person.get("affiliations", []):
        assert affiliation["role"] in words
    seats = [d for d in read_records(FIXTURES, "delegates") if d["person"] == person["id"]]
    for seat in seats:
        assert f"/negotiations/{seat['negotiation']}" in links
    theirs = [c for c in CLAIMS if c["speaker"] == person["id"]]
    assert f"Claims ({len(theirs)})" in words
    for claim in theirs:
        assert f"/claims/{claim['id']}" in links


@pytest.mark.parametrize("negotiation", NEGOTIATIONS, ids=lambda n: n["id"])
def test_a_negotiation_page_shows_dates_delegates_by_party_discrepancies_and_claims(
    negotiation: dict[str, Any],
) -> None:
    response = get(f"/negotiations/{negotiation['id']}", BROWSER)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    words, links = text_of(page), hrefs(page)
    assert negotiation["name"] in words
    for end in ("start_on", "end_on"):
        if negotiation.get(end):
            assert negotiation[end]["date"] in words
    parties = {p["id"]: p["name"] for p in read_records(FIXTURES, "parties")}
    people = {p["id"]: p["name"] for p in PEOPLE}
    by_party: dict[str, list[str]] = defaultdict(list)
    for delegate in read_records(FIXTURES, "delegates"):
        if delegate["negotiation"] == negotiation["id"]:
            by_party[parties[delegate["party"]]].append(delegate["person"])
    for party, members in by_party.items():
        # each party's heading, then its delegates before the next heading
        section = page.split(f"<h3>{html.escape(party)}</h3>", 1)[1].split("<h3>", 1)[0].split("<h2", 1)[0]
        for person in members:
            assert f'href="/people/{person}"' in section, (party, person)
            assert html.escape(people[person]) in section
    for discrepancy in read_records(FIXTURES, "discrepancies"):
        if discrepancy.get("negotiation") == negotiation["id"]:
            assert discrepancy["subject"] in words
            for variant in discrepancy["variants"]:
                assert variant["value"] in words
    theirs = [c for c in CLAIMS if c.get("negotiation") == negotiation["id"]]
    assert f"Claims ({len(theirs)})" in words
    for claim in theirs:
        assert f"/claims/{claim['id']}" in links


def _render_bibliography(items: list[dict[str, Any]]) -> str:
    style_path = Path(citeproc.__file__).parent / "data" / "styles" / "harvard-cite-them-right.csl"
    style = CitationStylesStyle(str(style_path), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    bibliography.register(Citation([CitationItem(items[0]["id"])]))
    return "".join(str(entry) for entry in bibliography.bibliography())


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c["id"])
def test_a_claims_citation_is_valid_csl_json_by_accept_and_by_link(claim: dict[str, Any]) -> None:
    by_accept = get(f"/claims/{claim['id']}", {"accept": CSL})
    by_link = client().get(f"/claims/{claim['id']}.csl.json")
    for response in (by_accept, by_link):
        assert response.status_code == 200
        assert response.headers["content-type"] == CSL
    items = by_accept.json()
    assert items == by_link.json()
    jsonschema.validate(items, CSL_SCHEMA)
    [item] = items
    assert item["id"] == claim["id"] and item["title"] == claim["summary"]
    assert item["URL"] == f"{BASE}/claims/{claim['id']}"
    speaker = next(p for p in PEOPLE if p["id"] == claim["speaker"])
    assert item.get("author") == ([{"literal": speaker["name"]}] if speaker["named"] else None)
    if claim.get("said_on"):  # at the date's precision, never more exact
        assert item["issued"] == {"date-parts": [[int(p) for p in claim["said_on"]["date"].split("-")]]}
    else:
        assert "issued" not in item
    rendered = _render_bibliography(items)
    assert claim["summary"].rstrip(".") in rendered and item["URL"] in rendered


def test_the_sources_index_lists_every_source_with_its_counts_and_reader_link() -> None:
    page = get("/sources/", BROWSER)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    listed = get("/sources/", JSON_ONLY)
    assert listed.status_code == 200 and listed.headers["content-type"] == "application/json"
    rows = {row["id"]: row for row in listed.json()}
    assert list(rows) == [s["id"] for s in SOURCES]
    outlets = {o["id"]: o["name"] for o in read_records(FIXTURES, "outlets")}
    for source in SOURCES:
        cited = [c for c in CITATIONS if c["evidence"]["source"] == source["id"]]
        claims = len({c["claim"] for c in cited})
        row = rows[source["id"]]
        assert (row["claims"], row["citations"]) == (claims, len(cited))
        assert row["reader"] == f"{BASE}/sources/{source['id']}"
        assert row["outlet"] == (outlets[source["outlet"]] if source.get("outlet") else "unknown outlet")
        headline = source["headline"]["value"] if source.get("headline") else "(no headline printed)"
        assert row["headline"] == headline
        tr = re.search(rf'<tr data-source="{re.escape(source["id"])}">(.*?)</tr>', page.text, re.S)
        assert tr is not None
        cells = text_of(tr.group(1))
        assert headline in cells and row["outlet"] in cells and f"{claims} claims" in cells
        assert f'href="/sources/{source["id"]}"' in tr.group(1)
        assert client().get(row["reader"].removeprefix(BASE), headers=BROWSER).status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/claims/no-such-claim", "/people/no-such-person", "/negotiations/no-such-negotiation",
     "/sources/no-such-source", "/claims/no-such-claim.csl.json", "/no/such/page", "/exports/no-such-export",
     "/downloads/no-such-file"],
)
def test_unknown_ids_and_paths_are_404_as_a_page_to_a_browser_and_json_to_clients(path: str) -> None:
    page = client().get(path, headers=BROWSER)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "404" in text_of(page.text) and 'href="/sources/"' in page.text
    for headers in (JSON_ONLY, {}, {"accept": "*/*"}):
        answer = client().get(path, headers=headers)
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("application/json")
        [error] = answer.json()["errors"]
        assert error["extensions"]["code"] == "NOT_FOUND"
        assert path.rsplit("/", 1)[1].removesuffix(".csl.json") in error["message"]


def test_an_endpoint_raising_404_keeps_its_message_as_a_page_and_as_json() -> None:
    async def missing(request: Any) -> Any:
        raise HTTPException(404, "No fixture file named 'x.json'.")

    app = Starlette(routes=[Route("/x", missing)], exception_handlers=errors.HANDLERS)
    page = make_client(app).get("/x", headers=BROWSER)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "No fixture file named 'x.json'." in text_of(page.text)
    answer = make_client(app).get("/x")
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["message"] == "No fixture file named 'x.json'."


def test_a_wrong_method_is_405_as_a_page_to_a_browser_and_json_to_clients_and_graphql_keeps_its_own() -> None:
    page = client().post("/sources/", headers=BROWSER)
    assert page.status_code == 405 and page.headers["content-type"].startswith("text/html")
    assert "GET" in page.headers["allow"] and "405" in text_of(page.text)
    answer = client().post("/claims/x", headers=JSON_ONLY)
    assert answer.status_code == 405
    assert answer.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    graphql = client().put("/graphql", headers=BROWSER)  # GraphQL over HTTP: its error shape, to anyone
    assert graphql.status_code == 405 and graphql.headers["content-type"].startswith("application/json")
    assert graphql.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


def test_an_accept_header_allowing_none_of_a_pages_types_is_406() -> None:
    answer = client().get(f"/claims/{CLAIMS[0]['id']}", headers={"accept": "image/png"})
    assert answer.status_code == 406
    [error] = answer.json()["errors"]
    assert error["extensions"]["code"] == "NOT_ACCEPTABLE" and CSL in error["message"]


def test_a_persisted_only_server_runs_the_pages_queries_so_their_playground_links_work() -> None:
    strict = make_client(create_app(dataset(), persisted_only=True))
    claim = CLAIMS[0]["id"]
    answer = strict.post("/graphql", json={"query": KIND["claim"].document, "variables": {"slug": claim}})
    assert answer.status_code == 200 and answer.json()["data"]["claim"]["slug"] == claim
    assert strict.get(f"/claims/{claim}", headers=BROWSER).status_code == 200
    refused = strict.post("/graphql", json={"query": "{ claims { totalCount } }"})
    assert "errors" in refused.json()
