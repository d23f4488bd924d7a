"""The fast-path switch: parley's own /graphql pipeline with its caches, or stock strawberry (the baseline).

Fast paths on (the default): the document cache and orjson of api.pipeline, a bounded cache of whole
responses with ETag/304 (api.response_cache), and a frozen heap after loading. Fast paths off
(`parley serve --no-fast-paths` or PARLEY_FAST_PATHS=0): /graphql is `strawberry.asgi.GraphQL` over
the same schema and context — parse and validate on every request, stdlib json — the honest peer the
benchmark compares against.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from strawberry.asgi import GraphQL

from api.context import Context
from api.response_cache import ResponseCache
from api.schema import strawberry_schema

ENV = "PARLEY_FAST_PATHS"


def fast_paths_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """Returns False when PARLEY_FAST_PATHS is 0, false, no or off; True otherwise (the default)."""
    value = (os.environ if environ is None else environ).get(ENV, "1")
    return value.strip().lower() not in {"0", "false", "no", "off"}


class BaselineGraphQL(GraphQL[Context, None]):
    """Stock strawberry's ASGI app, given parley's context; nothing else changed."""

    def __init__(self, context: Context) -> None:
        super().__init__(strawberry_schema(), graphql_ide=None)
        self.parley_context = context

    async def get_context(self, request: Any, response: Any) -> Context:
        return self.parley_context


def graphql_route(
    endpoint: Callable[[Request], Awaitable[Response]],
    context: Context,
    *,
    enabled: bool,
    max_request_bytes: int,
    cache: ResponseCache | None = None,
) -> BaseRoute:
    """Returns the /graphql route: parley's endpoint behind the response cache, or stock strawberry."""
    if not enabled:
        return Route("/graphql", BaselineGraphQL(context), methods=["GET", "POST"])
    cache = ResponseCache() if cache is None else cache
    route = Route("/graphql", cache.wrap(endpoint, max_request_bytes), methods=["GET", "POST"])
    route.response_cache = cache  # type: ignore[attr-defined]  # for tests and diagnostics
    return route


def freeze_heap() -> None:
    """Moves everything loaded so far out of the garbage collector's reach.

    The dataset is immutable and lives as long as the process; without this every full collection
    walks its millions of objects again, which shows as tail latency on large datasets.
    """
    gc.collect()
    gc.freeze()
