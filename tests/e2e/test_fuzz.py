"""Generated requests: hypothesis-graphql queries, arbitrary bodies, schemathesis over live HTTP."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, nodes, queries

from api.graph.schema import graphql_schema
from tests.api_client import client
from tests.live_server import parley_server
from tests.malformed import GRAPHQL_RESPONSE, JSON

SCALARS = {"Date": st.dates(dt.date(2025, 1, 1), dt.date(2025, 12, 31)).map(nodes.String)}
VALID = queries(graphql_schema(), custom_scalars=SCALARS)
INVALID = queries(graphql_schema(), custom_scalars=SCALARS, mode=Mode.NEGATIVE)
ACCEPT = st.sampled_from([JSON, GRAPHQL_RESPONSE])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
BODIES = JSON_VALUES | st.fixed_dictionaries(
    {"query": st.text(max_size=200) | VALID | JSON_VALUES},
    optional={"variables": JSON_VALUES, "operationName": st.text(max_size=10) | JSON_VALUES},
)
BOUNDED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_spec_shaped(status: int, content_type: str, content: bytes, accept: str) -> dict[str, Any]:
    """Asserts the GraphQL-over-HTTP response rules every answer must follow; returns the body."""
    assert status < 500, content[:500]
    assert content_type == f"{accept}; charset=utf-8"
    body: dict[str, Any] = json.loads(content)
    assert isinstance(body, dict) and set(body) <= {"data", "errors", "extensions"}, body
    assert "data" in body or body.get("errors"), body
    for error in body.get("errors", []):
        assert isinstance(error["message"], str) and error["message"], error
        assert isinstance(error["extensions"]["code"], str), error
        for location in error.get("locations", []):
            assert location["line"] >= 1 and location["column"] >= 1, error
    if accept == GRAPHQL_RESPONSE:
        # 2xx exactly when there is a `data` entry; a request error is 4xx without one.
        assert ("data" in body) == (status == 200), (status, body)
    return body


def shaped(response: httpx.Response, accept: str) -> dict[str, Any]:
    """Checks an in-process response with `assert_spec_shaped`; returns the body."""
    content_type = response.headers["content-type"]
    return assert_spec_shaped(response.status_code, content_type, response.content, accept)


@BOUNDED
@given(query=VALID, accept=ACCEPT)
def test_generated_valid_queries_never_fail_the_server(query: str, accept: str) -> None:
    response = client().post("/graphql", json={"query": query}, headers={"accept": accept})
    assert response.status_code in (200, 400)
    body = shaped(response, accept)
    if "data" not in body:  # only limits may refuse a query that the schema accepts
        codes = {e["extensions"]["code"] for e in body["errors"]}
        assert codes <= {"QUERY_TOO_DEEP", "TOO_MANY_ALIASES", "TOO_MANY_TOKENS", "QUERY_TOO_COMPLEX"}, body


@BOUNDED
@given(query=INVALID, accept=ACCEPT)
def test_generated_invalid_queries_are_clear_request_errors(query: str, accept: str) -> None:
    response = client().post("/graphql", json={"query": query}, headers={"accept": accept})
    assert response.status_code in (200, 400)
    shaped(response, accept)


@BOUNDED
@given(document=BODIES, accept=ACCEPT)
def test_arbitrary_json_bodies_get_a_4xx_or_an_answer(document: Any, accept: str) -> None:
    content = json.dumps(document).encode()  # stdlib: big ints and lone surrogates go through as text
    headers = {"accept": accept, "content-type": JSON}
    response = client().post("/graphql", content=content, headers=headers)
    assert response.status_code in (200, 400)
    shaped(response, accept)


@settings(max_examples=60, deadline=None)
@given(content=st.binary(max_size=300), accept=ACCEPT)
def test_arbitrary_bytes_get_a_4xx_or_an_answer(content: bytes, accept: str) -> None:
    headers = {"accept": accept, "content-type": JSON}
    response = client().post("/graphql", content=content, headers=headers)
    assert response.status_code in (200, 400)
    shaped(response, accept)


@pytest.mark.e2e
def test_schemathesis_against_the_live_server() -> None:
    """Every root field, a few generated queries each, over real HTTP: no 5xx, no GraphQL server error."""
    checks = [schemathesis.checks.not_a_server_error, schemathesis.checks.response_schema_conformance]
    statuses: Counter[int] = Counter()
    with parley_server() as base:
        schema = schemathesis.graphql.from_url(f"{base}/graphql")
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 20  # one per root field of Query

        for operation in operations:

            @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            @given(case=operation.as_strategy())
            def run(case: Any) -> None:
                response = case.call(headers={"accept": GRAPHQL_RESPONSE})
                statuses[response.status_code] += 1
                case.validate_response(response, checks=checks)
                content_type = response.headers["content-type"][0]
                assert_spec_shaped(response.status_code, content_type, response.content, GRAPHQL_RESPONSE)

            run()
    assert set(statuses) <= {200, 400} and statuses[200] > 0, statuses
