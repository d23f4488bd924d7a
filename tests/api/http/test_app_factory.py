"""The app factory: the response cache in front of everything, the heap frozen once the data is loaded."""

from __future__ import annotations

import gc
import warnings
from pathlib import Path

import pytest

from api.http.app import YOUNG_COLLECTION, create_app
from api.http.health import HealthCheck
from api.http.middleware.cache import ResponseCacheMiddleware
from api.http.middleware.edge import Edge
from api.http.middleware.response_cache import ResponseCache
from schema.load.loader import FixtureError
from tests.api_client import dataset


def test_the_response_cache_sits_in_front_of_routing_and_cors() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        app = create_app(dataset())
    classes: list[object] = [m.cls for m in app.user_middleware]
    # Outermost, the health check (it touches nothing). Then the cache: a hit skips every other layer;
    # what it replays was stored with their headers (nosniff, and gzip when the request accepted it:
    # the encoding is part of the key). CORS, gzip and the security headers are one step after it.
    assert classes == [HealthCheck, ResponseCacheMiddleware, Edge]
    assert isinstance(app.user_middleware[1].kwargs["cache"], ResponseCache)


def test_the_heap_is_frozen_after_building_and_the_collector_is_back_on() -> None:
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)  # CPython's defaults
    assert gc.get_freeze_count() == 0
    create_app(dataset())
    assert gc.isenabled()
    assert gc.get_freeze_count() > 10_000  # the dataset's records, indexes and the app
    assert gc.get_threshold() == (YOUNG_COLLECTION, 10, 10)  # young collections spaced out


def test_the_collector_is_turned_back_on_when_loading_fails(tmp_path: Path) -> None:
    with pytest.raises(FixtureError):
        create_app(fixtures_dir=tmp_path, seeds_dir=tmp_path, snapshot=tmp_path / "parley.db")
    assert gc.isenabled()
