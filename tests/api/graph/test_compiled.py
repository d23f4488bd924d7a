"""The engine: compiled plans answer byte for byte what graphql-core answers, errors included (by
falling back); plain fields are called directly; where a request runs is decided in one place."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from functools import cache
from typing import Any

import pytest
import strawberry
from graphql import GraphQLObjectType
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries

import api.engine.pipeline
import api.graph.claims
from api.engine.compiled import compile_operation
from api.engine.direct_calls import direct_call
from api.engine.pipeline import Engine, GraphQLRequest
from api.engine.plan_fields import Memo, record_key
from api.engine.query_shape import shape_rules
from api.graph.context import Context
from api.graph.relay import Edge, PageInfo
from api.graph.schema import graphql_schema, strawberry_schema
from api.http.views.playground import load_examples
from api.settings import Limits
from tests.api_client import dataset
from tests.datafiles import EXAMPLES as EXAMPLE_DIR

NESTED = """{ claims(first: 40) { totalCount pageInfo { hasNextPage endCursor } nodes {
  id slug summary topics setting saidOn { date precision note earliest evidence { exact start end } }
  speaker { id name named aliases { name } } negotiation { name }
  citations { mode cue { exact } evidence { exact prefix suffix start end source { headline } }
    source { id outlet { name kind } } outlet { name } }
  independentSourceCount outlets { name } sources { seed }
} } }"""
SUCCESSES: list[tuple[str, dict[str, Any] | None, str | None]] = [
    *((example.query, example.variables, None) for example in load_examples(EXAMPLE_DIR)),
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
    again = engine().run_sync(request(query))  # now from the memo wherever it applies
    assert again == stock


# Memoised sub-selections (api/engine/plan_fields.py: Memo): what a plan reuses per record.

AS_OF_DAYS = [None, "2025-06-01", "2025-06-05", "2025-06-09", "2025-06-10", "2025-06-12", "2030-01-01"]
MIXED = """query Mixed($asOf: Date, $n: Int) {
  claims(first: 30) { nodes { id slug summary speaker { name aliases { name } }
    citations(asOf: $asOf) { mode source { headline outlet { name } } }
    fixed: citations(asOf: "2025-06-09") { mode }
    independentSourceCount(asOf: $asOf)
    ...More } }
  search(text: "Lutnick", first: $n) {
    matched item { __typename ... on Person { slug name } ... on Claim { slug } } }
}
fragment More on Claim { topics outlets { name } sources { seed headline } setting }"""


@pytest.mark.parametrize(("query", "variables", "operation"), CASES)
def test_repeated_documents_answer_what_graphql_core_answers(
    query: str, variables: dict[str, Any] | None, operation: str | None
) -> None:
    stock = core(request(query, variables, operation))
    for _ in range(3):  # the first run fills the memo, the others read it
        assert engine().run_sync(request(query, variables, operation)) == stock


def test_the_memo_never_shares_values_across_different_variables() -> None:
    fast = engine()
    answers = set()
    hits = fast.memo.hits
    for _ in range(2):
        for day in AS_OF_DAYS:
            for n in (1, 3):
                compiled = fast.run_sync(request(MIXED, {"asOf": day, "n": n}))
                assert compiled == core(request(MIXED, {"asOf": day, "n": n})), (day, n)
                assert compiled[0] == 200 and b'"errors"' not in compiled[1]
                answers.add(compiled[1])
    assert len(answers) >= 4  # the days and counts do change the answer, so a shared value would show
    assert fast.memo.hits > hits


def test_selections_that_use_a_variable_are_not_memoised_but_their_fixed_parts_are() -> None:
    memo = Memo()
    prepared = engine().prepare(MIXED)
    assert prepared.document is not None
    schema, api = graphql_schema(), strawberry_schema()
    plan = compile_operation(schema, api, prepared.document, None, prepared.fragments, memo)
    assert plan is not None
    plan.run(engine().context, {"asOf": "2025-06-09", "n": 2}, 10.0)
    cached = memo.values()
    claims = [v for v in cached if "summary" in v]
    assert len(claims) == 30
    for value in claims:  # the varying keys are placeholders in their place, the fixed ones filled
        assert list(value) == [
            "id", "slug", "summary", "speaker", "citations", "fixed", "independentSourceCount",
            "topics", "outlets", "sources", "setting",
        ]
        assert value["citations"] is None and value["independentSourceCount"] is None
        assert value["fixed"] is not None and value["speaker"]["name"]
    assert not any("matched" in v for v in cached)  # search results are no record: not memoised


def test_the_memo_is_bounded_and_entries_unused_for_a_generation_go_first() -> None:
    limits = Limits()
    for capacity in (0, 1, 7, 50):
        small = Engine(
            strawberry_schema(), graphql_schema(), engine().context, validation_rules=shape_rules(limits),
            limits=limits, memo=Memo(capacity),
        )
        for query, variables, operation in [*SUCCESSES, (MIXED, {"asOf": "2025-06-10", "n": 3}, None)] * 2:
            answer = small.run_sync(request(query, variables, operation))
            assert answer == core(request(query, variables, operation))
            assert len(small.memo) <= capacity
        assert small.memo.misses > 0
        # These documents complete far more records than 50: a full young generation at least.
        assert len(small.memo) >= capacity // 2
    memo = Memo(4)  # generations of 2
    for key in "ab":
        memo.store(key, {})
    memo.store("c", {})  # the young generation was full: a and b are old now
    assert (list(memo.old), list(memo.young)) == (["a", "b"], ["c"])
    assert memo.revive("a") == {}  # what a hit in the old generation does
    memo.store("d", {})  # b went unused for a whole generation: it goes; a was used: it stays
    assert (list(memo.old), list(memo.young)) == (["c", "a"], ["d"])
    assert memo.revive("b") is None


def test_records_are_keyed_by_type_and_fixture_id_and_other_objects_not_at_all() -> None:
    records = dataset().claims
    slug = "trump-china-not-easy"
    claim = api.graph.claims.Claim(record=records[slug])
    assert record_key(claim) == slug
    assert record_key(api.graph.claims.Claim(record=records[slug])) == slug  # a fresh wrapper: same key
    edge = Edge(cursor="x", node=claim)
    assert record_key(edge) is None
    page = PageInfo(has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None)
    assert record_key(page) is None


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


def test_a_plan_that_became_quick_goes_back_inline(monkeypatch: pytest.MonkeyPatch) -> None:
    runs = _counting(monkeypatch)
    quick = request("{ claims(first: 4) { nodes { slug } } }")  # a document of its own
    prepared = engine().prepare(quick.query or "")
    plan = engine().plan_for(prepared, None)
    assert plan is not None
    plan.inline = False  # as after a first run that outgrew the inline budget
    asyncio.run(engine().run(quick))  # in a thread: well inside the budget, so it goes back
    assert runs["plan"][0] != threading.get_ident() and plan.inline
    asyncio.run(engine().run(quick))
    assert runs["plan"][1] == threading.get_ident()
