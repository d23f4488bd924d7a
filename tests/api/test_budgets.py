"""Caches keyed by what clients send are bounded in bytes, counting everything they hold (keys and
comments included), and the bytes they count are no fewer than tracemalloc sees them take."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from typing import Any

from api.budget import ByteLRU
from api.engine.pipeline import bytes_held
from api.graph import text
from api.graph.search_index import search_index
from api.http.app import create_app
from api.settings import Limits
from tests.api_client import dataset, make_client

COMMENT = 95_000


def _allocated(work: Callable[[], Any]) -> tuple[Any, int]:
    """Runs `work`; returns its result and the bytes still allocated after it (kept alive by it)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = work()
        gc.collect()
        return result, tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def _app(**limits: Any) -> Any:
    return make_client(create_app(dataset(), limits=Limits(**limits)))


def test_distinct_comments_cannot_grow_the_query_cache_past_its_budget() -> None:
    """The issue's case: 95 kB queries that differ only in a comment (weighed as nothing by a token
    count). Sent through HTTP, each costs its text and its comment's text in the cache's count."""
    budget = 2 << 20
    client = _app(query_cache_bytes=budget)
    cache = client.app.state.engine._prepared
    for n in range(60):  # about 6 MB of query text
        query = "{ meta { version } } #" + str(n).zfill(8) + "c" * COMMENT
        answer = client.post("/graphql", json={"query": query}).json()
        assert answer["data"]["meta"]["version"]
        assert cache.bytes_held() <= budget
    assert 0 < len(cache) <= budget // COMMENT


def test_the_query_cache_counts_what_a_prepared_query_keeps_alive() -> None:
    """What `prepare` leaves allocated (document, tokens, comments, plans, the cache's entry) is
    no more than the bytes the cache counts for it."""
    client = _app(query_cache_bytes=256 << 20)
    engine = client.app.state.engine
    field = "claims(first: {}) {{ nodes {{ summary speaker {{ name }} }} }}"
    fields = " ".join(f"a{i}: " + field.format(i + 1) for i in range(10))
    shapes = [
        "{ meta { version } }",
        f"{{ {fields} }}",
        'query Q($n: Int) { people(first: $n, filter: {name: "Lutnick"}) { nodes { name } totalCount } }',
        "{ meta { version } } # " + "c" * COMMENT,
        '{ search(text: "' + "s" * 999 + '") { __typename } }',
        "{ nope { version } }",  # refused: the error is cached too
    ]

    def prepare_all(queries: list[str]) -> list[str]:
        for query in queries:
            prepared = engine.prepare(query)
            if prepared.document is not None:
                engine.plan_for(prepared, None)
        return queries

    for shape in shapes:
        prepare_all([f"{shape} #{n}" for n in range(2)])  # warm: what a shape's first query builds once
        before = engine._prepared.bytes_held()
        # The texts are made inside: the cache keeps them (its keys), so they count as allocated too.
        made = lambda shape=shape: prepare_all([f"{shape} #{n}" for n in range(2, 12)])  # noqa: E731
        queries, allocated = _allocated(made)
        counted = engine._prepared.bytes_held() - before
        assert len(engine._prepared) >= 10
        assert allocated <= counted, (shape[:40], allocated, counted)
        assert counted < 4 * allocated, (shape[:40], allocated, counted)  # and not wildly over
        assert all(engine._prepared.get(q) is not None for q in queries)
        assert bytes_held(engine.prepare(queries[0]), queries[0]) > 0


def test_distinct_names_cannot_grow_the_fuzzy_name_memos_past_their_budget() -> None:
    """resolvePerson and search with distinct names as long as the text limit allows: the memo of
    distances (names that reach a spelling: "Lutnick" and punctuation, which matching ignores) and
    the name index's memo of near keys (names that do not) stay within `name_memo_bytes` together."""
    budget = 512 << 10
    client = _app(name_memo_bytes=budget)
    for n in range(400):
        name = "Lutnick" + "!" * (300 + n) if n % 2 else f"{n:04d}" + "Lutnick " * 124  # up to 999 characters
        for field in ("resolvePerson(name: $n) { matched }", "search(text: $n) { __typename }"):
            query = f"query ($n: String!) {{ {field} }}"
            answer = client.post("/graphql", json={"query": query, "variables": {"n": name}}).json()
            assert "errors" not in answer, answer
    assert 0 < text.NAME_MEMO.bytes_held() <= budget // 2
    near = search_index(client.app.state.engine.context).person_names._near_memo
    assert 0 < near.bytes_held() <= budget // 2
    for memo in (near, text.NAME_MEMO):  # full: the oldest were dropped to stay within the budget
        assert memo.bytes_held() > budget // 2 - 4096


def test_the_byte_lru_counts_keys_and_entries_as_python_holds_them() -> None:
    memo: ByteLRU[tuple[str, str], int | None] = ByteLRU(64 << 20)

    def fill() -> None:
        for n in range(20_000):
            memo.put((f"query {n}", f"name {n}"), n % 3 or None, 0)

    _, allocated = _allocated(fill)
    assert len(memo) == 20_000
    assert allocated <= memo.bytes_held() < 2 * allocated


def test_a_value_heavier_than_the_budget_is_not_kept() -> None:
    memo: ByteLRU[str, str] = ByteLRU(10_000)
    memo.put("big", "x" * 20_000, 20_049)
    assert memo.get("big") is None and memo.bytes_held() == 0
