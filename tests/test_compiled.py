"""The engine: compiled plans answer byte for byte what graphql-core answers, errors included (by
falling back); plain fields are called directly; where a request runs is decided in one place."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import strawberry
from api_client import dataset
from graphql import GraphQLObjectType
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries

import api.engine.pipeline
import api.graph.claims
from api.engine.compiled import compile_operation
from api.engine.direct_calls import direct_call
from api.engine.pipeline import Engine, GraphQLRequest
from api.engine.query_shape import shape_rules
from api.graph.context import Context
from api.graph.schema import graphql_schema, strawberry_schema
from api.settings import Limits

NESTED = """{ claims(first: 40) { totalCount pageInfo { hasNextPage endCursor } nodes {
  id slug summary topics setting saidOn { date precision note earliest evidence { exact start end } }
  speaker { id name named aliases { name } } negotiation { name }
  citations { mode cue { exact } evidence { exact prefix suffix start end source { headline } }
    source { id outlet { name kind } } outlet { name } }
  independentSourceCount outlets { name } sources { seed }
} } }"""
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
def engine() -> Engine:
    limits = Limits()
    context = Context.for_dataset(dataset())
    rules = shape_rules(limits)
    return Engine(strawberry_schema(), graphql_schema(), context, validation_rules=rules, limits=limits)


def request(
    query: str, variables: dict[str, Any] | None = None, operation: str | None = None
) -> GraphQLRequest:
    return Engine.request_from({"query": query, "variables": variables, "operationName": operation})


def core(graphql_request: GraphQLRequest) -> tuple[int, bytes]:
    """The same request answered by graphql-core alone (no plan)."""
    prepared = engine().prepare(graphql_request.query)
    refused = engine().refusal(prepared, graphql_request, "POST")
    return refused or engine().execute_core(prepared, graphql_request)


def _both(query: str, variables: dict[str, Any] | None, operation: str | None) -> tuple[Any, Any]:
    return engine().run_sync(request(query, variables, operation)), core(request(query, variables, operation))


@pytest.mark.parametrize(("query", "variables", "operation"), CASES)
def test_compiled_answers_equal_graphql_core(
    query: str, variables: dict[str, Any] | None, operation: str | None
) -> None:
    compiled, stock = _both(query, variables, operation)
    assert compiled == stock


def test_every_successful_case_runs_compiled() -> None:
    fast = engine()
    for query, variables, operation in SUCCESSES:
        before = fast.compiled_runs
        compiled, _ = _both(query, variables, operation)
        assert compiled[0] == 200 and b'"errors"' not in compiled[1], compiled
        assert fast.compiled_runs == before + 1, query


def test_plain_queries_run_compiled_and_errors_fall_back() -> None:
    fast = engine()
    before = (fast.compiled_runs, fast.fallback_runs)
    _both("{ claims(first: 3) { nodes { slug saidOn { date } } } }", None, None)
    _both('{ claims(after: "nope") { totalCount } }', None, None)
    assert (fast.compiled_runs, fast.fallback_runs) == (before[0] + 1, before[1] + 1)


def test_documents_with_directives_or_introspection_get_no_plan() -> None:
    for query in ("{ meta { version @skip(if: true) } }", '{ __type(name: "Claim") { name } }'):
        prepared = engine().prepare(query)
        assert prepared.document is not None
        assert compile_operation(graphql_schema(), strawberry_schema(), prepared.document, None, {}) is None


SCALARS = {"Date": st.dates(dt.date(2025, 1, 1), dt.date(2025, 12, 31)).map(nodes.String)}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=queries(graphql_schema(), custom_scalars=SCALARS))
def test_generated_queries_answer_the_same(query: str) -> None:
    compiled, stock = _both(query, None, None)
    assert compiled == stock


def _counting(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    """Records the thread of every plan run and graphql-core run of the shared engine."""
    runs: dict[str, list[int]] = {"plan": [], "core": []}
    fast = engine()
    plan, execute = fast._run_plan, fast.execute_core

    def counted_plan(*args: Any) -> tuple[int, bytes]:
        runs["plan"].append(threading.get_ident())
        return plan(*args)

    def counted_core(*args: Any) -> tuple[int, bytes]:
        runs["core"].append(threading.get_ident())
        return execute(*args)

    monkeypatch.setattr(fast, "_run_plan", counted_plan)
    monkeypatch.setattr(fast, "execute_core", counted_core)
    return runs


def test_a_quick_plan_runs_inline_on_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    runs = _counting(monkeypatch)
    plain = request("{ claims(first: 2) { nodes { slug } } }")
    answer = (
        200,
        b'{"data":{"claims":{"nodes":[{"slug":"trump-doing-well-with-china"},{"slug":"trump-china-not-easy"}]}}}',
    )
    assert asyncio.run(engine().run(plain)) == answer
    assert runs == {"plan": [threading.get_ident()], "core": []}


def test_a_failing_query_runs_at_most_twice_plan_then_graphql_core(monkeypatch: pytest.MonkeyPatch) -> None:
    runs = _counting(monkeypatch)
    status, body = asyncio.run(engine().run(request('{ claims(after: "nope") { totalCount } }')))
    assert status == 200 and b"is not a valid cursor" in body
    assert len(runs["plan"]) == 1 and len(runs["core"]) == 1
    assert runs["core"][0] != threading.get_ident()  # graphql-core runs in a worker thread


def test_a_query_without_plan_runs_graphql_core_once_in_a_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    runs = _counting(monkeypatch)
    status, body = asyncio.run(engine().run(request("{ meta { version @skip(if: false) } }")))
    assert status == 200 and body.startswith(b'{"data":{"meta":{"version":')
    assert runs["plan"] == [] and len(runs["core"]) == 1 and runs["core"][0] != threading.get_ident()


def test_a_plan_over_the_inline_budget_is_run_again_in_a_thread_and_then_always_there(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runs = _counting(monkeypatch)
    monkeypatch.setattr(api.engine.pipeline, "INLINE_SECONDS", 1e-12)
    heavy = request("{ claims(first: 3) { nodes { slug summary } } }")  # a document of its own
    assert asyncio.run(engine().run(heavy)) == engine().run_sync(heavy)
    loop_thread, worker = runs["plan"][0], runs["plan"][1]
    assert loop_thread == threading.get_ident() and worker != loop_thread and runs["core"] == []
    runs["plan"].clear()
    asyncio.run(engine().run(heavy))
    assert len(runs["plan"]) == 1 and runs["plan"][0] != threading.get_ident()  # no inline attempt


def test_plain_fields_and_scalar_arguments_are_called_directly_input_objects_are_not() -> None:
    api, schema = strawberry_schema(), graphql_schema()

    def direct(type_name: str, field_name: str) -> object:
        parent = schema.type_map[type_name]
        assert isinstance(parent, GraphQLObjectType)
        field = parent.fields[field_name]
        return direct_call(api, api.get_field_for_type(field_name, type_name), field)

    assert direct("Claim", "summary") is not None
    assert direct("Claim", "citations") is not None  # outlet: ID, asOf: Date — passed on by name
    assert direct("PageInfo", "hasNextPage") is not None  # a plain attribute
    assert direct("Query", "claims") is None  # filter/orderBy input objects need strawberry's conversion


def test_a_resolver_declaring_info_gets_a_strawberry_info(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []
    original = api.graph.claims.data

    def spy(info: Any) -> Any:
        seen.append(info)
        return original(info)

    monkeypatch.setattr(api.graph.claims, "data", spy)
    fast = engine()
    before = fast.compiled_runs
    status, body = fast.run_sync(request('{ claim(slug: "trump-china-not-easy") { speaker { name } } }'))
    assert (status, body) == (200, b'{"data":{"claim":{"speaker":{"name":"Donald Trump"}}}}')
    assert fast.compiled_runs == before + 1
    assert seen and all(isinstance(i, strawberry.Info) for i in seen)
    assert seen[0].context is fast.context  # type: ignore[attr-defined]
