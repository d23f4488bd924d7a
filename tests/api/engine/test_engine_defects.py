"""Issue 9, item 5: the three engine defects, each reproduced through the public surface and its bound.

1. Validation CPU amplification: fields repeated under one response name make graphql-core's
   OverlappingFieldsCanBeMergedRule quadratic; the pipeline now bounds that work before `validate`.
2. Response-cache poisoning: keys were normalised with `str.split`, which knows more whitespace
   than GraphQL; they now follow GraphQL's lexer, and an answer with errors is never shared.
3. Cache memory: keys and remembered requests lived outside the byte budget; every byte counts now.
"""

from __future__ import annotations

import gc
import tracemalloc
import warnings
from typing import TYPE_CHECKING, Any

import pytest
from graphql import GraphQLList, GraphQLNonNull, get_introspection_query, parse, validate
from graphql.validation.rules.overlapping_fields_can_be_merged import (
    MAX_COMPLEXITY_BUDGET,
    OverlappingFieldsCanBeMergedRule,
)

from api.engine import pipeline as pipeline_module
from api.engine import query_shape
from api.graph.schema import graphql_schema
from api.http.app import create_app
from api.http.middleware.cache import ResponseCacheMiddleware
from api.http.middleware.response_cache import ResponseCache, normalise_query
from api.settings import Limits
from tests.api.engine.test_limits import ALIAS_BOMB, SPREAD_BOMB
from tests.api_client import dataset
from tests.curated.test_docs import EXAMPLES, readme_examples

if TYPE_CHECKING:
    from starlette.testclient import TestClient

GRJ = "application/graphql-response+json"
REPEATED = "{" + " claims { totalCount }" * 249 + " }"  # the query: 998 tokens, 5.5 kB


def _client(**limits: Any) -> tuple[TestClient, ResponseCache]:
    """A fresh app (its own caches) over the real dataset, and its response cache."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from starlette.testclient import TestClient

        app = create_app(dataset(), limits=Limits(**limits))
    found = next(m for m in app.user_middleware if m.cls is ResponseCacheMiddleware)  # type: ignore[comparison-overlap]
    cache = found.kwargs["cache"]
    assert isinstance(cache, ResponseCache)
    return TestClient(app), cache


# --- 1. validation CPU amplification -----------------------------------------------------------


def _rule_units(query: str) -> int:
    """What graphql-core's own meter charges its field-merging rule for a document (its work)."""
    rules: list[Any] = []

    class Metered(OverlappingFieldsCanBeMergedRule):
        def __init__(self, context: Any) -> None:
            super().__init__(context)
            rules.append(self)

    validate(graphql_schema(), parse(query), [Metered])
    return MAX_COMPLEXITY_BUDGET - int(rules[0].rule_context.remaining_complexity_budget)


def _fragments(count: int, body: str) -> str:
    spreads = " ".join(f"...F{i}" for i in range(count))
    definitions = " ".join(f"fragment F{i} on Query {{ {body} }}" for i in range(count))
    return f"{{ {spreads} }} {definitions}"


def _nested(width: int) -> str:
    """`claims` repeated `width` times, each holding `nodes` `width` times, each `summary` `width` times."""
    nodes = " ".join(["nodes { " + " ".join(["summary"] * width) + " }"] * width)
    return "{ " + " ".join([f"claims(first: 1) {{ {nodes} }}"] * width) + " }"


AMPLIFIERS = {
    "the issue's 249 repeats": REPEATED,
    "one leaf field 900 times": "{" + " __typename" * 900 + " }",
    "12 fragments, each meta 18 times": _fragments(12, " ".join(["meta { version }"] * 18)),
    "nested repeats 7 x 7 x 7": _nested(7),
    "inline fragments repeated": "{" + " ... on Query { claims { totalCount } }" * 100 + " }",
    "one fragment spread in 100 repeated fields": "{"
    + " claims { ...C }" * 100
    + " } fragment C on ClaimConnection { totalCount }",
    "repeats inside a repeated fragment": "{ ...A ...B } fragment A on Query {"
    + " claims { totalCount }" * 110
    + " } fragment B on Query {"
    + " claims { totalCount }" * 110
    + " }",
}


@pytest.mark.parametrize("query", list(AMPLIFIERS.values()), ids=list(AMPLIFIERS))
def test_amplifying_documents_are_refused_before_validation(query: str, monkeypatch: Any) -> None:
    client, _ = _client()
    validated: list[Any] = []
    real_validate = pipeline_module.validate

    def spy(*args: Any, **kwargs: Any) -> Any:
        validated.append(args)
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(pipeline_module, "validate", spy)
    response = client.post("/graphql", json={"query": query}, headers={"accept": GRJ})
    assert response.status_code == 400, response.text[:300]
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "TOO_MANY_FIELD_COMPARISONS", "limit": 5000}
    assert "same response name" in error["message"]
    assert validated == []  # graphql-core's rules never saw it


def test_the_refusal_says_what_is_repeated_and_where() -> None:
    client, _ = _client()
    query = "query Q {\n  meta { version }\n  people { nodes {" + " name" * 60 + " } }\n}"
    (error,) = client.post("/graphql", json={"query": query}).json()["errors"]
    assert "(`name` 60 times in the selection set here)" in error["message"]
    assert error["locations"] == [{"line": 3, "column": 18}]  # the `{` after `nodes`


def test_a_refusal_does_not_keep_the_refused_document_alive() -> None:
    """The pipeline caches what `prepare` returns; an error holding a node would keep that node's
    tokens (and the AST under it) alive, and 512 such documents made each full garbage collection
    take seconds (measured: 2.7 s pauses while two clients flooded refused queries)."""
    client, _ = _client()
    prepared = client.app.state.engine.prepare(REPEATED)  # type: ignore[attr-defined]
    assert prepared.document is None
    (error,) = prepared.errors
    assert error.nodes is None and error.source is not None
    assert error.locations is not None and (error.locations[0].line, error.locations[0].column) == (1, 1)


def test_the_prepared_query_cache_is_bounded_in_bytes() -> None:
    """Distinct large documents cannot pile up in the cache of prepared queries (the collector
    walks every token and node it keeps on each full collection); tests/api/test_budgets.py checks
    that the bytes counted are what the documents take."""
    client, _ = _client(query_cache_bytes=4 << 20)
    pipeline = client.app.state.engine  # type: ignore[attr-defined]
    cache = pipeline._prepared
    big = "{ " + " ".join(f"f{i}" for i in range(800)) + " }"  # 802 tokens, invalid: errors reach them all
    for n in range(100):
        pipeline.prepare(f"{big} # {n}")
        assert cache.bytes_held() <= cache.max_bytes
    assert 0 < len(cache) < 100
    small = "{ meta { version } }"
    assert pipeline.prepare(small) is pipeline.prepare(small)  # still a cache
    field = "claims(first: 1) { totalCount pageInfo { hasNextPage } }"
    fields = " ".join(f"a{i}: {field}" for i in range(30))
    for n in range(60):  # accepted and executed: the compiled plans live with their prepared documents
        assert "errors" not in client.post("/graphql", json={"query": f"{{ {fields} }} # {n}"}).json()
        assert cache.bytes_held() <= cache.max_bytes
    assert 0 < sum(len(p.plans) for p in cache.values()) < 60


def test_the_estimate_bounds_graphql_cores_own_meter() -> None:
    """The pre-pass charges what the rule would, never less (so an accepted document is cheap)."""
    corpus = [text for text, _ in readme_examples()] + [p.read_text(encoding="utf-8") for p in EXAMPLES]
    corpus += [get_introspection_query(descriptions=True), SPREAD_BOMB, ALIAS_BOMB, *AMPLIFIERS.values()]
    corpus += [
        "{ ...A ...B } fragment A on Claim { id } fragment B on Person { id }",
        "{ node(id: 1) { ... on Claim { speaker { name } } ... on Person { speaker: name } } }",
        "{ a: meta { version } a: meta { licence } ...F } fragment F on Query { a: meta { version } }",
        "{ ...F } fragment F on Query { ...F claims { totalCount } }",
        "{ x { y } x { y } } fragment G on Query { ...H } fragment H on Query { ...G }",
        "{" + " ...F" * 300 + " } fragment F on Query { claims { totalCount } }",  # one spread, deduplicated
        "query ($n: Int) {" + " claims(first: $n) { totalCount }" * 20 + " }",
    ]
    for query in corpus:
        estimate = query_shape.field_merge_cost(parse(query), budget=10**9)
        assert _rule_units(query) <= estimate, query[:80]


def test_the_type_units_cover_the_deepest_wrapping_in_the_schema() -> None:
    """The estimate charges query_shape._TYPE_UNITS per pair for comparing types: one per
    list/non-null wrapper and one for the named type, as graphql-core's do_types_conflict does."""
    deepest = 0
    for named in graphql_schema().type_map.values():
        for definition in getattr(named, "fields", {}).values():
            kind, depth = getattr(definition, "type", None), 0
            while isinstance(kind, GraphQLList | GraphQLNonNull):
                kind, depth = kind.of_type, depth + 1
            deepest = max(deepest, depth)
    assert deepest > 0 and deepest + 1 <= query_shape._TYPE_UNITS


def test_the_estimate_stops_once_over_its_budget() -> None:
    document = parse(REPEATED)
    assert query_shape.field_merge_cost(document, budget=10**9) > 150_000  # 249 * 248 / 2 pairs, and below
    assert 100 < query_shape.field_merge_cost(document, budget=100) <= 110  # stopped at the first step over


def test_fragment_bombs_and_the_readme_stay_accepted() -> None:
    client, _ = _client()
    for query in (SPREAD_BOMB, ALIAS_BOMB, get_introspection_query(descriptions=True)):
        assert query_shape.field_merge_cost(parse(query), 5000) <= 5000
    few = "{" + " claims { totalCount }" * 20 + " }"  # 20 repeats: 2,470 units, under the limit
    once = client.post("/graphql", json={"query": "{ claims { totalCount } }"}).json()
    assert client.post("/graphql", json={"query": few}).json() == once


def test_the_limit_is_configurable() -> None:
    client, _ = _client(max_field_comparisons=100)
    few = "{" + " claims { totalCount }" * 20 + " }"
    response = client.post("/graphql", json={"query": few}, headers={"accept": GRJ})
    assert response.json()["errors"][0]["extensions"] == {"code": "TOO_MANY_FIELD_COMPARISONS", "limit": 100}


# --- 2. response-cache poisoning -----------------------------------------------------------------

NOT_GRAPHQL_WHITESPACE = ["\u00a0", "\u2028", "\u3000", "\x0c", "\x0b", "\u2003", "\x1c", "\x85"]
CHARS = [f"U+{ord(c):04X}" for c in NOT_GRAPHQL_WHITESPACE]


@pytest.mark.parametrize("char", NOT_GRAPHQL_WHITESPACE, ids=CHARS)
def test_a_character_graphql_does_not_ignore_never_shares_an_entry(char: str) -> None:
    client, _ = _client()
    invalid = "{ meta" + char + "{ version } }"
    first = client.get("/graphql", params={"query": invalid})
    assert "Syntax Error" in first.json()["errors"][0]["message"]
    valid = client.get("/graphql", params={"query": "{meta{version}}"})
    assert valid.status_code == 200 and valid.json()["data"]["meta"]["version"]
    again = client.get("/graphql", params={"query": invalid})  # and the other way round
    assert "errors" in again.json() and "data" not in again.json()
    assert normalise_query(invalid) is None or normalise_query(invalid) != normalise_query("{meta{version}}")


def test_what_graphql_ignores_is_shared_and_strings_are_kept() -> None:
    same = ["{meta{version}}", "{ meta , { version } }", "\ufeff{\tmeta\r\n{version,}}"]
    assert {normalise_query(q) for q in same} == {"{meta{version}}"}
    assert normalise_query('{ search(text: "a  b") { matched } }') != normalise_query(
        '{ search(text: "a b") { matched } }'
    )
    client, lru = _client()
    client.get("/graphql", params={"query": same[0]})
    hits = lru.hits
    for query in same[1:]:
        assert client.get("/graphql", params={"query": query}).json()["data"]["meta"]["version"]
    assert lru.hits == hits + len(same) - 1


def test_an_answer_with_errors_is_only_replayed_to_the_same_bytes() -> None:
    client, _ = _client()
    wide = client.get("/graphql", params={"query": "{   noSuchField }"}).json()["errors"][0]
    narrow = client.get("/graphql", params={"query": "{noSuchField}"}).json()["errors"][0]
    assert wide["locations"] == [{"line": 1, "column": 5}]
    assert narrow["locations"] == [{"line": 1, "column": 2}]


# --- 3. cache memory ---------------------------------------------------------------------------------


def test_unused_huge_variables_cannot_grow_the_cache_past_its_budget() -> None:
    client, lru = _client()
    lru.max_bytes = 2 << 20  # 2 MiB, so a few dozen 95 kB requests would overflow it if they were kept
    for n in range(60):
        variables = {"pad": f"{n:05d}" + "x" * 95_000}
        for _ in range(2):  # a POST is stored on its second sighting
            response = client.post("/graphql", json={"query": "{meta{version}}", "variables": variables})
            assert response.json()["data"]["meta"]["version"]
        assert lru.bytes_held() <= lru.max_bytes
    assert all(len(key) == 32 for key in [*lru.entries, *lru.seen])  # digests, not the requests


def test_the_accounting_covers_what_python_really_holds() -> None:
    lru = ResponseCache(max_entries=4096, max_bytes=1 << 20)
    headers = [(b"content-type", b"application/json"), (b"content-length", b"1000")]
    gc.collect()  # what an earlier test left for the collector is not this cache's
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(2500):
            key = n.to_bytes(4, "big") * 8
            if not lru.seen_before(key):
                stored = lru.storable(200, headers, b'{"data":"' + bytes(n % 256 for _ in range(990)) + b'"}')
                assert stored is not None
                lru.put(key, stored)
            normalised = lru.normalise(f"{{ claims(first: {n}) {{ totalCount }} }}")
            assert normalised is not None
        gc.collect()  # cyclic garbage the loop left (other tests' apps raise the young threshold) is not held
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(lru.entries) > 100  # it did keep answers
    assert held <= lru.max_bytes
    assert lru.bytes_held() <= lru.max_bytes
    assert lru.bytes_held() >= held * 0.9  # the accounting is not an undercount
