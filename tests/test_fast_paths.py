"""The fast-path switch: on by default; off serves /graphql with stock strawberry over the same schema."""

from __future__ import annotations

import gc
import warnings

import pytest
from api_client import dataset
from starlette.routing import Route

from api.http.app import create_app
from api.http.cache_middleware import ResponseCacheMiddleware
from api.http.fast_paths import BaselineGraphQL, fast_paths_enabled, managing_heap
from api.http.response_cache import ResponseCache

QUERY = '{ person(slug: "donald-trump") { name claims(first: 1) { totalCount } } }'
ANSWER = b'{"data":{"person":{"name":"Donald Trump","claims":{"totalCount":6}}}}'


def _graphql_route(fast: bool) -> Route:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        app = create_app(dataset(), fast_paths=fast)
    return next(r for r in app.routes if isinstance(r, Route) and r.path == "/graphql")


def test_the_switch_reads_parley_fast_paths() -> None:
    assert fast_paths_enabled({}) is True
    assert fast_paths_enabled({"PARLEY_FAST_PATHS": "1"}) is True
    for off in ("0", "false", "No", " off "):
        assert fast_paths_enabled({"PARLEY_FAST_PATHS": off}) is False


def test_fast_paths_put_the_response_cache_in_front_of_the_app() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        fast, slow = create_app(dataset(), fast_paths=True), create_app(dataset(), fast_paths=False)
    classes: list[object] = [m.cls for m in fast.user_middleware]
    assert classes[0] is ResponseCacheMiddleware  # outermost: a hit skips routing and CORS
    assert isinstance(fast.user_middleware[0].kwargs["cache"], ResponseCache)
    assert ResponseCacheMiddleware not in [m.cls for m in slow.user_middleware]  # type: ignore[comparison-overlap]


def test_without_fast_paths_graphql_is_stock_strawberry_with_the_same_answers() -> None:
    from starlette.testclient import TestClient

    route = _graphql_route(False)
    assert isinstance(route.app, BaselineGraphQL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        slow = TestClient(create_app(dataset(), fast_paths=False))
        fast = TestClient(create_app(dataset(), fast_paths=True))
    baseline = slow.post("/graphql", json={"query": QUERY})
    shipped = fast.post("/graphql", json={"query": QUERY})
    assert baseline.status_code == shipped.status_code == 200
    assert (
        baseline.json()
        == shipped.json()
        == {"data": {"person": {"name": "Donald Trump", "claims": {"totalCount": 6}}}}
    )
    assert shipped.content == ANSWER
    # stock strawberry: stdlib json, no ETag, no charset parameter
    assert baseline.headers["content-type"] == "application/json"
    assert "etag" not in slow.get("/graphql", params={"query": QUERY}).headers


def test_managing_heap_pauses_the_collector_while_building_then_freezes() -> None:
    seen: list[bool] = []

    @managing_heap
    def factory(*, fast_paths: bool | None = None) -> list[list[int]]:
        seen.append(gc.isenabled())
        return [[i] for i in range(1000)]  # containers: tracked by the collector

    gc.unfreeze()
    kept = factory(fast_paths=True)
    assert seen == [False] and gc.isenabled()
    assert gc.get_freeze_count() >= len(kept)
    gc.unfreeze()
    factory(fast_paths=False)
    assert seen == [False, True] and gc.get_freeze_count() == 0


def test_managing_heap_turns_the_collector_back_on_when_loading_fails() -> None:
    @managing_heap
    def failing(*, fast_paths: bool | None = None) -> None:
        raise ValueError("bad fixtures")

    with pytest.raises(ValueError, match="bad fixtures"):
        failing(fast_paths=True)
    assert gc.isenabled()
