"""Query and request limits: each one's table row, its configuration, and the measures behind it."""

from __future__ import annotations

import argparse
import dataclasses
import warnings
from functools import cache
from typing import Any

import pytest
from graphql import get_introspection_query, get_operation_ast, parse

from api import errors
from api.engine.query_cost import CostMemo, estimate_cost
from api.engine.query_shape import measure
from api.graph.schema import graphql_schema
from api.http.app import create_app
from api.settings import Limits, add_limit_arguments, env_var, flag
from tests.api_client import client, dataset
from tests.datafiles import DOCS
from tests.malformed import ACCEPTS, GRAPHQL_RESPONSE, Case, body, check


def nest(levels: int) -> str:
    """Returns a query whose deepest field sits `levels` deep (claims -> nodes -> speaker -> ...)."""
    path = ["claims(first: 1)", "nodes", "speaker"] * levels
    return "{ " + " { ".join(path[: levels - 1]) + " { __typename" + " }" * (levels - 1) + " }"


ALIASES_100 = "{ " + " ".join(f"a{i}: __typename" for i in range(100)) + " }"
DIRECTIVES_31 = "{ " + " ".join("__typename @include(if: true)" for _ in range(31)) + " }"
TOKENS_1001 = "{ " + "__typename " * 999 + "}"
CIRCULAR = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"
BOMB_FRAGMENTS = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(30))
ALIAS_BOMB = "{ ...F0 } " + BOMB_FRAGMENTS + " fragment F30 on Query { a: __typename }"
SPREAD_BOMB = "{ ...F0 } " + BOMB_FRAGMENTS + " fragment F30 on Query { __typename }"
COSTLY = "{ claims { nodes { speaker { claims { nodes { speaker { claims { totalCount } } } } } } } }"
INTROSPECTION_LOOP = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"

LIMIT_CASES = [
    Case("depth 10 (at the limit)", body(nest(10)), json_status=200),
    Case("depth 11", body(nest(11)), json_status=200, graphql_status=400, code="QUERY_TOO_DEEP"),
    Case("100 aliases", body(ALIASES_100), json_status=200, graphql_status=400, code="TOO_MANY_ALIASES"),
    Case(
        "31 directives", body(DIRECTIVES_31), json_status=200, graphql_status=400, code="TOO_MANY_DIRECTIVES"
    ),
    Case(
        "the same directive twice",
        body("{ __typename @skip(if: false) @skip(if: false) }"),
        json_status=200,
        graphql_status=400,
        code="GRAPHQL_VALIDATION_FAILED",
    ),
    Case("1001 tokens", body(TOKENS_1001), json_status=200, graphql_status=400, code="TOO_MANY_TOKENS"),
    Case(
        "circular fragments",
        body(CIRCULAR),
        json_status=200,
        graphql_status=400,
        code="GRAPHQL_VALIDATION_FAILED",
    ),
    Case(
        "2^30 aliases via fragments",
        body(ALIAS_BOMB),
        json_status=200,
        graphql_status=400,
        code="TOO_MANY_ALIASES",
    ),
    Case("2^30 fragment spreads, no aliases", body(SPREAD_BOMB), json_status=200),
    Case(
        "three nested default pages",
        body(COSTLY),
        json_status=200,
        graphql_status=400,
        code="QUERY_TOO_COMPLEX",
    ),
    Case(
        "introspection loop",
        body(INTROSPECTION_LOOP),
        json_status=200,
        graphql_status=400,
        code="GRAPHQL_VALIDATION_FAILED",
    ),
    Case("GraphiQL's introspection query", body(get_introspection_query(descriptions=True)), json_status=200),
]


@pytest.mark.parametrize("accept", ACCEPTS, ids=["json", "graphql-response", "no-accept"])
@pytest.mark.parametrize("case", LIMIT_CASES, ids=[c.name for c in LIMIT_CASES])
def test_limit(case: Case, accept: str | None) -> None:
    check(client(), case, accept)


def test_a_limit_error_names_its_limit() -> None:
    by_name = {c.name: c for c in LIMIT_CASES}
    result = check(client(), by_name["100 aliases"], GRAPHQL_RESPONSE)
    assert result["errors"] == [
        {
            "message": "The operation exceeds the limit of 30 aliased fields.",
            "locations": [{"line": 1, "column": 1}],
            "extensions": {"code": "TOO_MANY_ALIASES", "limit": 30},
        }
    ]
    costly = check(client(), by_name["three nested default pages"], GRAPHQL_RESPONSE)["errors"][0]
    assert costly["extensions"] == {"code": "QUERY_TOO_COMPLEX", "cost": 1010100, "limit": 50000}


@cache
def limited(**changes: Any) -> Any:
    """Returns a TestClient over the real dataset with some limits changed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from starlette.testclient import TestClient

        return TestClient(create_app(dataset(), limits=Limits(**changes)))


@pytest.mark.parametrize("accept", ACCEPTS, ids=["json", "graphql-response", "no-accept"])
def test_a_query_over_the_time_budget_is_stopped_with_503(accept: str | None) -> None:
    case = Case("timeout", body("{ claims { nodes { summary } } }"), json_status=503, code="TIMEOUT")
    result = check(limited(timeout_seconds=1e-9), case, accept)
    assert result["errors"][0]["extensions"] == {"code": "TIMEOUT", "limit": 1e-9}


def test_body_and_query_string_limits_answer_413_before_reading_more() -> None:
    small = limited(max_body_bytes=1000)
    get = small.get("/graphql", params={"query": "{ __typename }" + " " * 1000})
    assert (get.status_code, get.json()["errors"][0]["extensions"]["code"]) == (413, "PAYLOAD_TOO_LARGE")
    chunks = (b" " * 100 for _ in range(20))  # no Content-Length: the limit is counted while streaming
    streamed = small.post("/graphql", content=chunks, headers={"content-type": "application/json"})
    assert (streamed.status_code, streamed.json()["errors"][0]["message"]) == (
        413,
        "The request body is larger than 1000 bytes (the limit).",
    )
    fits = small.post("/graphql", json={"query": "{ __typename }"})
    assert fits.json() == {"data": {"__typename": "Query"}}


def test_each_limit_is_configurable_from_env_and_flags() -> None:
    env = {"PARLEY_MAX_DEPTH": "3", "PARLEY_TIMEOUT_SECONDS": "2.5", "PARLEY_MAX_COST": " "}
    from_env = Limits.from_env(env)
    assert (from_env.max_depth, from_env.timeout_seconds, from_env.max_cost) == (3, 2.5, 50_000)
    parser = argparse.ArgumentParser()
    add_limit_arguments(parser)
    args = parser.parse_args(["--max-aliases", "5", "--max-body-bytes", "2048"])
    both = from_env.with_args(args)
    assert (both.max_depth, both.max_aliases, both.max_body_bytes) == (3, 5, 2048)
    assert Limits.from_env(both.as_env()) == both
    with pytest.raises(ValueError, match="PARLEY_MAX_TOKENS='lots' is not a number"):
        Limits.from_env({"PARLEY_MAX_TOKENS": "lots"})
    with pytest.raises(ValueError, match="limit max_depth must be positive, got 0"):
        Limits(max_depth=0)


def test_a_lower_configured_limit_is_enforced() -> None:
    response = limited(max_depth=2).post("/graphql", json={"query": nest(3)})
    assert response.json()["errors"][0]["extensions"] == {"code": "QUERY_TOO_DEEP", "limit": 2}
    assert limited(max_depth=2).post("/graphql", json={"query": nest(2)}).json()["data"]["claims"]


def _shape(query: str) -> tuple[int, int, int]:
    document = parse(query)
    operation = get_operation_ast(document)
    assert operation is not None
    shape = measure(document, operation)
    return shape.depth, shape.aliases, shape.directives


def test_measure_expands_fragments_and_ignores_introspection_nesting() -> None:
    assert _shape(nest(7)) == (7, 0, 0)
    fragments = (
        "{ a: claims { b: totalCount } ...F } fragment F on Query { c: meta { version @skip(if: false) } }"
    )
    assert _shape(fragments) == (2, 3, 1)
    assert _shape(INTROSPECTION_LOOP) == (0, 0, 0)
    assert _shape(ALIAS_BOMB)[1] == 2**30


@pytest.mark.parametrize(
    ("query", "variables", "cost"),
    [
        ("{ meta { version } }", {}, 0),
        ("{ claims { totalCount } }", {}, 100),
        ("{ people(first: 10) { nodes { claims(first: 5) { nodes { summary } } } } }", {}, 60),
        ("query ($n: Int = 7) { people(first: $n) { nodes { claims { totalCount } } } }", {}, 707),
        ("query ($n: Int = 7) { people(first: $n) { nodes { claims { totalCount } } } }", {"n": 2}, 202),
        ("query ($n: Int) { claims(first: $n) { totalCount } }", {"n": -5}, 100),
        ('{ search(text: "x", first: 3) { __typename } }', {}, 3),
        ('{ nodes(ids: ["a", "b", "c"]) { id } }', {}, 3),
        ("{ ...F ...F } fragment F on Query { claims(last: 4) { totalCount } }", {}, 8),  # per spread
        ("{ claims { nodes { speaker { claims { totalCount } } } } }", {}, 10_100),  # docs/api.md's example
        (COSTLY, {}, 1_010_100),
    ],
)
def test_estimated_cost(query: str, variables: dict[str, Any], cost: int) -> None:
    document = parse(query)
    operation = get_operation_ast(document)
    assert operation is not None
    assert estimate_cost(graphql_schema(), document, operation, variables) == cost


COST_CASES = [
    ("query ($n: Int = 7) { people(first: $n) { nodes { claims { totalCount } } } }", {}, 707),
    ("query ($n: Int = 7) { people(first: $n) { nodes { claims { totalCount } } } }", {"n": 2}, 202),
    ("query ($n: Int = 7) { people(first: $n) { nodes { claims { totalCount } } } }", {"n": True}, 10_100),
    ("query ($n: Int = 7) { people(first: $n) { nodes { claims { totalCount } } } }", {"n": 1}, 101),
    ("query ($n: Int = 7) { people(first: $n) { nodes { claims { totalCount } } } }", {"n": 7}, 707),
    ("query ($i: [ID!]!) { nodes(ids: $i) { id } }", {"i": ["a", "b"]}, 2),
    ("query ($i: [ID!]!) { nodes(ids: $i) { id } }", {"i": ["a"]}, 1),
    ("query ($i: [ID!]!) { nodes(ids: $i) { id } }", {"i": ["a", "b"]}, 2),
]


def test_remembered_costs_equal_the_estimate_and_depend_only_on_page_sizes_and_ids() -> None:
    memo, schema = CostMemo(capacity=3), graphql_schema()
    documents: dict[str, Any] = {}
    for query, variables, cost in COST_CASES * 2:
        document = documents.setdefault(query, parse(query))
        operation = get_operation_ast(document)
        assert operation is not None
        assert estimate_cost(schema, document, operation, variables) == cost
        assert memo.cost(schema, document, operation, variables, None) == cost, (query, variables)
        assert len(memo.costs) <= 3
    query = "query ($n: Int, $asOf: Date) { claims(first: $n) { nodes { citations(asOf: $asOf) { mode } } } }"
    document = parse(query)
    operation = get_operation_ast(document)
    assert operation is not None
    memo = CostMemo()
    for day in ("2025-06-01", "2025-06-02", "2025-06-03"):
        assert memo.cost(schema, document, operation, {"n": 5, "asOf": day}, None) == 5
    assert memo.depends[id(operation)] == ("n",) and len(memo.costs) == 1  # asOf is not part of the key
    assert memo.cost(schema, document, operation, {"n": 9, "asOf": "2025-06-01"}, None) == 9


def test_the_api_page_lists_every_limit_with_its_default_and_every_error_code() -> None:
    """docs/api.md's "Limits and errors" and docs/limits.md (the bounds on every input and cache)."""
    readme = (DOCS / "api.md").read_text(encoding="utf-8")
    section = readme.split("## Limits and errors", 1)[1].split("\n## ", 1)[0]
    section += (DOCS / "limits.md").read_text(encoding="utf-8")
    rows = {line.split("|")[3].strip(): line for line in section.splitlines() if "`PARLEY_" in line}
    for f in dataclasses.fields(Limits):
        knob = f"`{env_var(f.name)}` / `{flag(f.name)}`"
        assert knob in rows, knob
        assert f"| {f.default} |" in rows[knob], (knob, f.default)
    codes = {value for name, value in vars(errors).items() if name.isupper() and isinstance(value, str)}
    missing = {code for code in codes if f"`{code}`" not in section}
    assert not missing, missing
