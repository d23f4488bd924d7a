"""GraphQL over HTTP: the malformed-request table, Accept negotiation, CORS and masked errors."""

from __future__ import annotations

import logging
import warnings

import orjson
import pytest
from graphql import GraphQLField, GraphQLObjectType, GraphQLSchema, GraphQLString

from api.engine.pipeline import Engine, GraphQLRequest
from api.graph.context import Context
from api.graph.schema import strawberry_schema
from api.http.app import create_app
from api.http.transport import negotiate
from tests.api_client import client, dataset
from tests.malformed import ACCEPTS, GRAPHQL_RESPONSE, JSON, Case, body, check, send

SEARCH = "query ($t: String!) { search(text: $t) { __typename } }"
NESTED = b"[" * 5000 + b"]" * 5000
PAGE = "query ($n: Int, $after: String) { claims(first: $n, after: $after) { totalCount } }"

CASES = [
    Case("invalid JSON", b'{"query": "{ __typename }"', code="BAD_REQUEST"),
    Case("empty body", b"", code="BAD_REQUEST"),
    Case("invalid UTF-8", b'{"query": "\xff\xfe"}', code="BAD_REQUEST"),
    Case(
        "lone surrogate escape",
        b'{"query": "{ __typename }", "variables": {"t": "\\ud800"}}',
        code="BAD_REQUEST",
    ),
    Case(
        "deeply nested JSON",
        b'{"query": "{ __typename }", "variables": {"t": ' + NESTED + b"}}",
        code="BAD_REQUEST",
    ),
    Case("body is null", b"null", code="BAD_REQUEST"),
    Case("body is a string", b'"{ __typename }"', code="BAD_REQUEST"),
    Case("batch (JSON array)", b'[{"query": "{ __typename }"}]', code="BAD_REQUEST"),
    Case("no query", body(variables={}), code="BAD_REQUEST"),
    Case("query is a number", body(123), code="BAD_REQUEST"),
    Case("query is empty", body(""), code="BAD_REQUEST"),
    Case("variables is a list", body("{ __typename }", variables=[1]), code="BAD_REQUEST"),
    Case("variables is not JSON", body("{ __typename }", variables="{nope"), code="BAD_REQUEST"),
    Case("operationName is a number", body("{ __typename }", operationName=7), code="BAD_REQUEST"),
    Case(
        "unknown operationName",
        body("query A { __typename }", operationName="B"),
        json_status=200,
        graphql_status=400,
        code="BAD_USER_INPUT",
    ),
    Case(
        "two operations, no name",
        body("query A { __typename } query B { __typename }"),
        json_status=200,
        graphql_status=400,
        code="BAD_USER_INPUT",
    ),
    Case("syntax error", body("{ claims("), json_status=200, graphql_status=400, code="GRAPHQL_PARSE_FAILED"),
    Case(
        "NUL in the query",
        body("{ __typename \u0000 }"),
        json_status=200,
        graphql_status=400,
        code="GRAPHQL_PARSE_FAILED",
    ),
    Case(
        "unknown field",
        body("{ claimz }"),
        json_status=200,
        graphql_status=400,
        code="GRAPHQL_VALIDATION_FAILED",
    ),
    Case(
        "subscription",
        body("subscription { x }"),
        json_status=200,
        graphql_status=400,
        code="GRAPHQL_VALIDATION_FAILED",
    ),
    Case(
        "Int literal overflow",
        body("{ claims(first: 99999999999) { totalCount } }"),
        json_status=200,
        graphql_status=400,
        code="GRAPHQL_VALIDATION_FAILED",
    ),
    Case(
        "variable of the wrong type",
        body(PAGE, variables={"n": "ten"}),
        json_status=200,
        graphql_status=400,
        code="BAD_USER_INPUT",
    ),
    Case(
        "missing required variable", body(SEARCH), json_status=200, graphql_status=400, code="BAD_USER_INPUT"
    ),
    Case(
        "invalid cursor",
        body(PAGE, variables={"n": 2, "after": "not-a-cursor"}),
        json_status=200,
        code="BAD_USER_INPUT",
    ),
    Case("negative first", body(PAGE, variables={"n": -1}), json_status=200, code="BAD_USER_INPUT"),
    Case("first: 101", body(PAGE, variables={"n": 101}), json_status=200, code="BAD_USER_INPUT"),
    Case("malformed global id", body('{ node(id: "%%%") { id } }'), json_status=200, code="BAD_USER_INPUT"),
    Case(
        "control characters in a variable",
        body(SEARCH, variables={"t": "\u0000\u0007\u001b[31m\u202e"}),
        json_status=200,
    ),
    Case(
        "90,000-character variable",
        body(SEARCH, variables={"t": "x" * 90_000}),
        json_status=200,
        graphql_status=400,
        code="TEXT_TOO_LONG",
    ),
    Case(
        "200 KB body", body(SEARCH, variables={"t": "x" * 200_000}), json_status=413, code="PAYLOAD_TOO_LARGE"
    ),
    Case(
        "text/plain body",
        b"{ __typename }",
        content_type="text/plain",
        json_status=415,
        code="UNSUPPORTED_MEDIA_TYPE",
    ),
    Case(
        "application/graphql body",
        b"{ __typename }",
        content_type="application/graphql",
        json_status=415,
        code="UNSUPPORTED_MEDIA_TYPE",
    ),
    Case(
        "no Content-Type",
        body("{ __typename }"),
        content_type=None,
        json_status=415,
        code="UNSUPPORTED_MEDIA_TYPE",
    ),
    Case("PUT", body("{ __typename }"), method="PUT", json_status=405, code="METHOD_NOT_ALLOWED"),
    Case("DELETE", None, method="DELETE", json_status=405, code="METHOD_NOT_ALLOWED"),
    Case(
        "GET a mutation",
        None,
        method="GET",
        params={"query": "mutation { x }"},
        json_status=405,
        code="METHOD_NOT_ALLOWED",
    ),
    Case("GET without query", None, method="GET", params={"variables": "{}"}, code="BAD_REQUEST"),
    Case(
        "GET with bad variables",
        None,
        method="GET",
        params={"query": "{ __typename }", "variables": "{"},
        code="BAD_REQUEST",
    ),
    Case("GET a query", None, method="GET", params={"query": "{ meta { version } }"}, json_status=200),
]


BY_NAME = {c.name: c for c in CASES}


@pytest.mark.parametrize("accept", ACCEPTS, ids=["json", "graphql-response", "no-accept"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_malformed_request(case: Case, accept: str | None) -> None:
    check(client(), case, accept)


def test_bad_input_in_variables_is_data_not_a_crash() -> None:
    assert check(client(), BY_NAME["control characters in a variable"], GRAPHQL_RESPONSE) == {
        "data": {"search": []}
    }


def test_405_names_the_allowed_methods() -> None:
    put = send(client(), Case("PUT", b"{}", method="PUT"), None)
    assert set(put.headers["allow"].split(", ")) == {"GET", "HEAD", "POST"}
    mutation = send(client(), BY_NAME["GET a mutation"], None)
    assert mutation.headers["allow"] == "POST"


def test_an_accept_header_that_allows_no_json_is_406() -> None:
    case = Case("accept xml", body("{ __typename }"), json_status=406, code="NOT_ACCEPTABLE")
    check(client(), case, "application/xml")


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        ("application/json", JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, application/json;q=0.9", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE};q=0.5", JSON),
        (f"text/html, {GRAPHQL_RESPONSE}; charset=utf-8", GRAPHQL_RESPONSE),
        ("application/json;q=0, */*;q=0.1", JSON),
        ("text/html", None),
        ("application/json;q=0", None),
        ("application/xml, text/plain;q=0.5", None),
    ],
)
def test_accept_negotiation(accept: str | None, chosen: str | None) -> None:
    assert negotiate(accept) == chosen


def test_cors_allows_any_origin_without_credentials() -> None:
    preflight = client().options(
        "/graphql",
        headers={
            "origin": "https://client.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in preflight.headers
    assert "POST" in preflight.headers["access-control-allow-methods"]
    get = client().get(
        "/graphql", params={"query": "{ __typename }"}, headers={"origin": "https://x.example"}
    )
    assert get.headers["access-control-allow-origin"] == "*"
    assert get.json() == {"data": {"__typename": "Query"}}


def _boom() -> str:
    raise RuntimeError("secret detail /etc/passwd")


def test_a_resolver_exception_is_masked_and_logged_with_its_id(caplog: pytest.LogCaptureFixture) -> None:
    query = GraphQLObjectType("Query", {"boom": GraphQLField(GraphQLString, resolve=lambda *_: _boom())})
    engine = Engine(strawberry_schema(), GraphQLSchema(query), Context.for_dataset(dataset()))
    with caplog.at_level(logging.ERROR, logger="parley.graphql"):
        status, raw = engine.run_sync(GraphQLRequest("{ boom }"))
    assert status == 200
    assert b"secret" not in raw and b"Traceback" not in raw
    result = orjson.loads(raw)
    error = result["errors"][0]
    assert result["data"] == {"boom": None}
    assert error["message"] == "Internal server error."
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    request_id = error["extensions"]["requestId"]
    assert len(request_id) == 32
    assert request_id in caplog.text and "secret detail" in caplog.text and "RuntimeError" in caplog.text


def test_an_exception_outside_graphql_is_a_masked_json_500(caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(dataset())

    async def broken(*_: object, **__: object) -> tuple[int, bytes]:
        raise RuntimeError("secret detail")

    app.state.engine.run = broken
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from starlette.testclient import TestClient

        local = TestClient(app, raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="parley.http"):
        response = local.post("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 500
    error = response.json()["errors"][0]
    assert error["message"] == "Internal server error."
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "secret" not in response.text
    assert error["extensions"]["requestId"] in caplog.text and "secret detail" in caplog.text
