"""Compiled plans answer byte for byte what graphql-core answers, errors included (by falling back)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from api_client import dataset
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries
from test_direct_resolvers import NESTED

import api.engine.fast_pipeline
from api.engine.compiled import compile_operation
from api.engine.direct_resolvers import direct_schema
from api.engine.fast_pipeline import FastPipeline
from api.engine.pipeline import GraphQLPipeline, GraphQLRequest
from api.engine.query_shape import shape_rules
from api.graph.context import Context
from api.graph.schema import graphql_schema
from api.settings import Limits

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.graphql"))
VARIABLES = {"name": "Lutnick", "text": "rare earth", "first": 3, "asOf": "2025-06-10"}
SUCCESSES: list[tuple[str, dict[str, Any] | None, str | None]] = [
    *((p.read_text(encoding="utf-8"), VARIABLES, None) for p in EXAMPLES),
    (NESTED, None, None),
    (
        '{ claims(first: 5, filter: {speaker: "donald-trump"}) { edges { cursor node { slug } } } }',
        None,
        None,
    ),
    (
        "{ people(first: 3, orderBy: {field: NAME, direction: DESC}) "
        "{ nodes { name delegateSeats { party { name } } } } }",
        None,
        None,
    ),
    (
        "{ discrepancies { nodes { subject kind variants { value citations { exact source { seed } } } } } }",
        None,
        None,
    ),
    (
        '{ search(text: "Lutnik", first: 5) '
        "{ matched item { __typename ... on Person { slug aliases { name } } } } }",
        None,
        None,
    ),
]
CASES: list[tuple[str, dict[str, Any] | None, str | None]] = [
    *SUCCESSES,
    ('{ claims(after: "nope") { totalCount } }', None, None),  # resolver error: falls back
    ("{ claims(first: 500) { totalCount } }", None, None),
    ("query A { meta { version } } query B { __typename }", None, "B"),
    ("query A { meta { version } } query B { __typename }", None, "C"),  # unknown operation
    ("query ($n: Int) { claims(first: $n) { totalCount } }", {"n": "ten"}, None),  # bad variable
    ("query ($f: Boolean!) { meta { version @include(if: $f) } }", {"f": False}, None),  # directive
    ("{ __schema { queryType { name } } }", None, None),  # introspection
    (
        '{ search(text: "Lutnick") { __typename matched item { __typename ... on Person { slug } '
        "...C } } } fragment C on Claim { slug speaker { ...P } } fragment P on Person { name }",
        None,
        None,
    ),
    (
        '{ node(id: "UGVyc29uOmhvd2FyZC1sdXRuaWNr") { id __typename ... on Person { name } } '
        'nodes(ids: ["bm9wZQ==", "Q2xhaW06dHJ1bXAtY2hpbmEtbm90LWVhc3k="]) { ... on Claim { slug } } }',
        None,
        None,
    ),
    (
        "{ a: claims(first: 2) { nodes { slug } } a: claims(first: 2) { totalCount nodes { summary } } }",
        None,
        None,
    ),
]


@cache
def pipelines() -> tuple[FastPipeline, GraphQLPipeline]:
    context, limits = Context.for_dataset(dataset()), Limits()
    rules = shape_rules(limits)
    fast = FastPipeline(direct_schema(), context, validation_rules=rules, limits=limits)
    return fast, GraphQLPipeline(graphql_schema(), context, validation_rules=rules, limits=limits)


def _both(query: str, variables: dict[str, Any] | None, operation: str | None) -> tuple[Any, Any]:
    fast, stock = pipelines()
    params = {"query": query, "variables": variables, "operationName": operation}
    return fast.run(GraphQLPipeline.request_from(params)), stock.run(GraphQLPipeline.request_from(params))


@pytest.mark.parametrize(("query", "variables", "operation"), CASES)
def test_compiled_answers_equal_graphql_core(
    query: str, variables: dict[str, Any] | None, operation: str | None
) -> None:
    compiled, stock = _both(query, variables, operation)
    assert compiled == stock


def test_every_successful_case_runs_compiled() -> None:
    fast, _ = pipelines()
    for query, variables, operation in SUCCESSES:
        before = fast.compiled_runs
        compiled, _ = _both(query, variables, operation)
        assert compiled[0] == 200 and b'"errors"' not in compiled[1], compiled
        assert fast.compiled_runs == before + 1, query


def test_plain_queries_run_compiled_and_errors_fall_back() -> None:
    fast, _ = pipelines()
    before = (fast.compiled_runs, fast.fallback_runs)
    _both("{ claims(first: 3) { nodes { slug saidOn { date } } } }", None, None)
    _both('{ claims(after: "nope") { totalCount } }', None, None)
    assert (fast.compiled_runs, fast.fallback_runs) == (before[0] + 1, before[1] + 1)


def test_documents_with_directives_or_introspection_get_no_plan() -> None:
    schema = direct_schema()
    _, stock = pipelines()
    for query in ("{ meta { version @skip(if: true) } }", '{ __type(name: "Claim") { name } }'):
        document = stock.prepare(query).document
        assert document is not None
        assert compile_operation(schema, document, None) is None


SCALARS = {"Date": st.dates(dt.date(2025, 1, 1), dt.date(2025, 12, 31)).map(nodes.String)}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=queries(graphql_schema(), custom_scalars=SCALARS))
def test_generated_queries_answer_the_same(query: str) -> None:
    compiled, stock = _both(query, None, None)
    assert compiled == stock


def test_quick_requests_run_inline_and_the_rest_are_handed_to_a_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast, _ = pipelines()

    def request(query: str) -> GraphQLRequest:
        return GraphQLPipeline.request_from({"query": query})

    plain = request("{ claims(first: 2) { nodes { slug } } }")
    assert fast.run_inline(plain, "POST") == fast.run(plain, method="POST")
    assert fast.run_inline(plain, "POST") == (
        200,
        b'{"data":{"claims":{"nodes":[{"slug":"trump-doing-well-with-china"},{"slug":"trump-china-not-easy"}]}}}',
    )
    assert fast.run_inline(request("{ meta { version @skip(if: false) } }"), "POST") is None  # no plan
    assert fast.run_inline(request('{ claims(after: "nope") { totalCount } }'), "POST") is None  # an error
    monkeypatch.setattr(api.engine.fast_pipeline, "INLINE_SECONDS", 1e-12)
    assert fast.run_inline(plain, "POST") is None  # over the inline budget
