"""End to end: the real `parley serve` (uvicorn on 127.0.0.1) answers the issue's queries over HTTP."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.curated.test_api_issue_queries import CHINAS_NOT_EASY, LONDON, LUTNICK, MISSPELLING, WHO_SAID
from tests.datafiles import FIXTURES, fixture_counts

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def http(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=30) as session:
        yield session


def query(http: httpx.Client, text: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = http.post("/graphql", json={"query": text, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_healthz_and_index(http: httpx.Client) -> None:
    assert http.get("/healthz").json() == {"status": "ok"}
    links = http.get("/", headers={"accept": "application/json"}).json()["links"]
    assert links["datapackage"] == f"{str(http.base_url).rstrip('/')}/downloads/datapackage.json"
    assert links["fixtures"] == f"{str(http.base_url).rstrip('/')}/fixtures/datapackage.json"
    assert http.get(links["datapackage"]).status_code == 200


def test_who_said_chinas_not_easy(http: httpx.Client) -> None:
    assert query(http, WHO_SAID) == {"data": CHINAS_NOT_EASY}


def test_everything_lutnick_said(http: httpx.Client) -> None:
    person = query(http, LUTNICK)["data"]["people"]["nodes"][0]
    assert person["name"] == "Howard Lutnick"
    assert person["claims"]["totalCount"] == 4
    assert [c["summary"] for c in person["claims"]["nodes"]] == [
        "Lutnick called the negotiations fruitful.",
        "Lutnick said the talks were progressing positively and might extend into a third day if required.",
        "Lutnick confirmed the two nations agreed a structure for implementing the Geneva deal.",
        "Lutnick said progress had been made on rare earth minerals and industrial magnets.",
    ]


def test_a_misspelling_resolves(http: httpx.Client) -> None:
    candidates = query(http, MISSPELLING)["data"]["resolvePerson"]
    assert candidates == [
        {
            "person": {
                "name": "Li Chenggang",
                "aliases": [{"name": "Li Chenggang"}, {"name": "Li Changgang"}],
            },
            "matched": "Li Changgang",
        }
    ]


def test_the_london_round(http: httpx.Client) -> None:
    london = query(http, LONDON)["data"]["negotiations"]["nodes"][0]
    assert (london["name"], london["venue"]) == ("London trade talks (June 2025)", "Lancaster House")
    assert [(d["person"]["name"], d["party"]["name"], d["lead"]) for d in london["delegates"]] == [
        ("He Lifeng", "China", True),
        ("Li Chenggang", "China", False),
        ("Wang Wentao", "China", False),
        ("Scott Bessent", "United States", None),
        ("Howard Lutnick", "United States", None),
        ("Jamieson Greer", "United States", None),
    ]
    assert [d["subject"] for d in london["discrepancies"]] == [
        "Spelling of the Chinese delegate's name (Li Chenggang or Li Changgang)",
        "Li Chenggang's title",
        "Whether the London talks had concluded",
        "The level of US tariffs on Chinese goods",
    ]


def test_walking_claims_two_at_a_time_visits_each_once(http: httpx.Client) -> None:
    page_query = """query ($after: String) { claims(first: 2, after: $after) {
      totalCount nodes { slug } pageInfo { hasNextPage endCursor } } }"""
    seen: list[str] = []
    after = None
    while True:
        page = query(http, page_query, {"after": after})["data"]["claims"]
        seen += [n["slug"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == page["totalCount"] == fixture_counts()["claims"]
    assert len(set(seen)) == fixture_counts()["claims"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("first: 0", "must be between 1 and 100, got 0"),
        ("first: 101", "must be between 1 and 100, got 101"),
        ('first: 2, after: "bm90LWEtY3Vyc29y"', "'bm90LWEtY3Vyc29y' is not a valid cursor"),
    ],
)
def test_bad_page_arguments_are_clear_errors(http: httpx.Client, arguments: str, message: str) -> None:
    response = http.post("/graphql", json={"query": f"{{ claims({arguments}) {{ totalCount }} }}"})
    assert response.status_code in (200, 400)
    (error,) = response.json()["errors"]
    assert message in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.json")))
def test_fixture_downloads_are_byte_exact_and_revalidate(http: httpx.Client, name: str) -> None:
    content = (FIXTURES / name).read_bytes()
    response = http.get(f"/fixtures/{name}", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.content == content
    assert response.headers["etag"] == f'"{hashlib.sha256(content).hexdigest()}"'
    again = http.get(f"/fixtures/{name}", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
