"""The fast-path switch: parley's own /graphql pipeline with its caches, or stock strawberry (the baseline).

Fast paths on (the default): the document cache and orjson of api.engine.pipeline, a bounded cache of whole
responses with ETag/304 (api.http.response_cache), and a frozen heap after loading. Fast paths off
(`parley serve --no-fast-paths` or PARLEY_FAST_PATHS=0): /graphql is `strawberry.asgi.GraphQL` over
the same schema and context — parse and validate on every request, stdlib json — the honest peer the
benchmark compares against.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Awaitable, Callable, Mapping
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from graphql import GraphQLSchema
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from strawberry.asgi import GraphQL

from api.engine.direct_resolvers import direct_schema
from api.engine.fast_pipeline import FastPipeline
from api.engine.pipeline import GraphQLPipeline
from api.graph.context import Context
from api.graph.schema import graphql_schema, strawberry_schema
from api.graph.search_index import search_index
from api.http.cache_middleware import ResponseCacheMiddleware
from api.http.response_cache import ResponseCache

ENV = "PARLEY_FAST_PATHS"
CACHE_ENV = "PARLEY_RESPONSE_CACHE"
"""Entries in the response cache (default 2048); 0 turns only the response cache off (for benchmarks)."""
DIRECT_ENV = "PARLEY_DIRECT_RESOLVERS"
"""0 turns only the direct resolvers off (for benchmarks)."""
COMPILED_ENV = "PARLEY_COMPILED"
"""0 turns only the compiled plans off (for benchmarks)."""
FREEZE_ENV = "PARLEY_GC_FREEZE"
"""0 turns only the heap freeze off (for benchmarks)."""
_OFF = {"0", "false", "no", "off"}
P = ParamSpec("P")
R = TypeVar("R")


def fast_paths_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """Returns False when PARLEY_FAST_PATHS is 0, false, no or off; True otherwise (the default)."""
    value = (os.environ if environ is None else environ).get(ENV, "1")
    return value.strip().lower() not in _OFF


def response_cache_entries(environ: Mapping[str, str] | None = None) -> int:
    """Returns PARLEY_RESPONSE_CACHE as a number of entries (default 2048; 0 means no response cache)."""
    value = (os.environ if environ is None else environ).get(CACHE_ENV, "").strip()
    return 2048 if not value else max(0, int(value))


class BaselineGraphQL(GraphQL[Context, None]):
    """Stock strawberry's ASGI app, given parley's context; nothing else changed."""

    def __init__(self, context: Context) -> None:
        super().__init__(strawberry_schema(), graphql_ide=None)
        self.parley_context = context

    async def get_context(self, request: Any, response: Any) -> Context:
        return self.parley_context


def graphql_route(
    endpoint: Callable[[Request], Awaitable[Response]], context: Context, *, enabled: bool
) -> BaseRoute:
    """Returns the /graphql route: parley's endpoint (its indexes built now), or stock strawberry."""
    if not enabled:
        return Route("/graphql", BaselineGraphQL(context), methods=["GET", "POST"])
    search_index(context)  # built now, with the app, rather than on the first search
    return Route("/graphql", endpoint, methods=["GET", "POST"])


def response_cache_middleware(enabled: bool, max_request_bytes: int) -> list[Middleware]:
    """Returns the response cache middleware for /graphql (none when fast paths or the cache are off)."""
    entries = response_cache_entries()
    if not enabled or entries == 0:
        return []
    cache = ResponseCache(max_entries=entries)
    return [Middleware(ResponseCacheMiddleware, cache=cache, max_request_bytes=max_request_bytes)]


def pipeline_type(enabled: bool) -> type[GraphQLPipeline]:
    """Returns the pipeline class: with compiled plans when fast paths are on (PARLEY_COMPILED=0: not)."""
    if enabled and os.environ.get(COMPILED_ENV, "1").strip().lower() not in _OFF:
        return FastPipeline
    return GraphQLPipeline


def pipeline_schema(enabled: bool) -> GraphQLSchema:
    """Returns the schema parley's pipeline executes: with direct resolvers when fast paths are on."""
    if enabled and os.environ.get(DIRECT_ENV, "1").strip().lower() not in _OFF:
        return direct_schema()
    return graphql_schema()


def managing_heap(factory: Callable[P, R]) -> Callable[P, R]:
    """Wraps the app factory: no garbage collection while the dataset loads, then a frozen heap.

    Loading allocates millions of long-lived objects; every collection triggered meanwhile walks
    all of them again (half of a 100k-claim start-up). Afterwards `gc.freeze()` moves them out of
    the collector's reach for good, so later full collections do not walk them on a request's
    time (tail latency). No collection runs first: loading leaves no cyclic garbage behind.
    Only with fast paths on (`fast_paths=` or PARLEY_FAST_PATHS); PARLEY_GC_FREEZE=0 skips it.
    """

    @wraps(factory)
    def build(*args: P.args, **kwargs: P.kwargs) -> R:
        fast = kwargs.get("fast_paths")
        enabled = fast_paths_enabled() if fast is None else bool(fast)
        if not enabled or os.environ.get(FREEZE_ENV, "1").strip().lower() in _OFF:
            return factory(*args, **kwargs)
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            built = factory(*args, **kwargs)
            gc.freeze()
        finally:
            if was_enabled:
                gc.enable()
        return built

    return build
