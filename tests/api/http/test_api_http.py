"""The HTTP surface in process: GET and POST queries, error shapes, the pages, downloads with ETags."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.graph.schema import SDL_PATH
from tests.api_client import client
from tests.datafiles import FIXTURES, REPO

QUERY = '{ claim(slug: "trump-china-not-easy") { speaker { name } } }'
ANSWER = {"data": {"claim": {"speaker": {"name": "Donald Trump"}}}}

IDENTITY = {"accept-encoding": "identity"}  # the strong ETag below is that of the bytes as stored


def test_get_and_post_give_the_same_answer() -> None:
    posted = client().post("/graphql", json={"query": QUERY})
    fetched = client().get(f"/graphql?query={quote(QUERY)}")
    assert (posted.status_code, posted.json()) == (200, ANSWER)
    assert (fetched.status_code, fetched.json()) == (200, ANSWER)
    assert fetched.headers["content-type"].startswith("application/json")


def test_get_takes_variables_as_json_and_an_operation_name() -> None:
    query = "query A($s: String!) { claim(slug: $s) { slug } } query B { meta { name } }"
    response = client().get(
        "/graphql",
        params={"query": query, "variables": '{"s": "bessent-good-meeting"}', "operationName": "A"},
    )
    assert response.json() == {"data": {"claim": {"slug": "bessent-good-meeting"}}}


def test_a_parse_error_has_its_code_and_location() -> None:
    response = client().post("/graphql", json={"query": "{ claims(first: 2) { nodes { slug } }"})
    assert response.status_code in (200, 400)  # 200 under application/json (GraphQL over HTTP)
    assert response.json() == {
        "errors": [
            {
                "message": "Syntax Error: Expected Name, found <EOF>.",
                "locations": [{"line": 1, "column": 38}],
                "extensions": {"code": "GRAPHQL_PARSE_FAILED"},
            }
        ]
    }


def test_a_validation_error_names_the_field() -> None:
    response = client().post("/graphql", json={"query": "{ claims { nodes { sayer } } }"})
    assert response.status_code in (200, 400)
    (error,) = response.json()["errors"]
    assert error["message"] == "Cannot query field 'sayer' on type 'Claim'. Did you mean 'speaker'?"
    assert error["locations"] == [{"line": 1, "column": 20}]
    assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}


def test_a_wrongly_typed_variable_is_bad_user_input() -> None:
    query = "query ($n: Int) { claims(first: $n) { totalCount } }"
    response = client().post("/graphql", json={"query": query, "variables": {"n": "two"}})
    assert response.status_code in (200, 400)
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "$n" in error["message"]


def test_a_browser_gets_the_playground_and_a_client_gets_json() -> None:
    page = client().get("/graphql", headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<title>parley · GraphiQL playground</title>" in page.text
    index = client().get("/", headers={"accept": "application/json"})
    base = "http://testserver"
    assert index.json()["links"]["graphql"] == f"{base}/graphql"
    assert index.json()["links"]["playground"] == f"{base}/playground"
    assert index.json()["links"]["files"]["claims.json"] == f"{base}/fixtures/claims.json"
    assert f"{base}/downloads/claims.csv" in index.json()["links"]["exports"]
    html = client().get("/", headers={"accept": "text/html"})
    assert '<a href="/playground">Open the GraphQL playground</a>' in html.text
    assert '<a href="/downloads/claims.json">claims.json</a>' in html.text
    assert '<a href="/downloads/claims.csv">claims.csv</a>' in html.text


def test_healthz() -> None:
    response = client().get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.json")))
def test_each_fixture_downloads_byte_for_byte_with_a_strong_etag(name: str) -> None:
    content = (FIXTURES / name).read_bytes()
    etag = f'"{hashlib.sha256(content).hexdigest()}"'
    response = client().get(f"/fixtures/{name}", headers=IDENTITY)
    assert response.status_code == 200
    assert response.content == content
    assert response.headers["etag"] == etag
    assert response.headers["cache-control"] == "public, max-age=3600, must-revalidate"
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert response.headers["content-type"].startswith("application/json")
    again = client().get(f"/fixtures/{name}", headers={**IDENTITY, "if-none-match": etag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    weak = client().get(f"/fixtures/{name}", headers={**IDENTITY, "if-none-match": f'"other", W/{etag}'})
    assert weak.status_code == 304
    stale = client().get(f"/fixtures/{name}", headers={**IDENTITY, "if-none-match": '"0000"'})
    assert stale.status_code == 200


def test_the_fixtures_index_is_the_datapackage_descriptor() -> None:
    response = client().get("/fixtures/", headers=IDENTITY)
    assert response.content == (FIXTURES / "datapackage.json").read_bytes()
    assert response.json()["licenses"][0]["name"] == "CC-BY-4.0"


def test_json_schemas_and_the_sdl_download_the_same_way() -> None:
    path = REPO / "schema" / "json" / "claims.schema.json"
    response = client().get("/schema/claims.schema.json", headers=IDENTITY)
    assert response.content == path.read_bytes()
    assert response.headers["etag"] == f'"{hashlib.sha256(path.read_bytes()).hexdigest()}"'
    assert response.headers["content-disposition"] == 'attachment; filename="claims.schema.json"'
    sdl = client().get("/schema.graphql", headers=IDENTITY)
    assert sdl.content == SDL_PATH.read_bytes()
    revalidate = {**IDENTITY, "if-none-match": sdl.headers["etag"]}
    assert client().get("/schema.graphql", headers=revalidate).status_code == 304


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/fixtures/nope.json", "No fixture file named 'nope.json'; GET /fixtures/ lists them."),
        ("/schema/nope.schema.json", "No JSON Schema named 'nope'.schema.json;"),
        ("/nowhere", "Nothing at /nowhere."),
    ],
)
def test_unknown_names_are_404_json(path: str, message: str) -> None:
    response = client().get(path)
    assert response.status_code == 404
    (error,) = response.json()["errors"]
    assert error["message"].startswith(message)
    assert error["extensions"] == {"code": "NOT_FOUND"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    query=st.one_of(
        st.text(max_size=80),
        st.sampled_from(["{ claims(first: %s) { totalCount } }", '{ node(id: "%s") { id } }']).flatmap(
            lambda template: st.text(alphabet='0123456789-abc=:\\"', max_size=8).map(lambda v: template % v)
        ),
    ),
    variables=st.one_of(st.none(), st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5))),
)
def test_client_input_never_gets_a_500(query: str, variables: dict[str, object] | None) -> None:
    response = client().post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code < 500
    body = response.json()
    for error in body.get("errors", []):
        assert error["extensions"]["code"] in {
            "BAD_REQUEST",
            "BAD_USER_INPUT",
            "GRAPHQL_PARSE_FAILED",
            "GRAPHQL_VALIDATION_FAILED",
            "QUERY_TOO_COMPLEX",
        }
