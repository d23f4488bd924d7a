"""The Starlette app factory: /graphql, the playground, downloads, the home page, the source reader
and /healthz."""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Scope

from api.engine.persisted import PersistedQueries
from api.engine.pipeline import Engine
from api.engine.query_shape import shape_rules
from api.errors import RequestError
from api.graph.context import Context
from api.graph.indexes import SOURCES as SNAPSHOT_SOURCES
from api.graph.indexes import write_api_tables, write_claim_texts
from api.graph.passages import SOURCE as PASSAGES_SOURCE
from api.graph.passages import write_passage_texts
from api.graph.schema import graphql_schema, print_sdl, strawberry_schema
from api.graph.search_index import search_index, write_search_tables
from api.graph.text import set_name_memo_bytes
from api.http import downloads as downloads_module
from api.http import exports as exports_module
from api.http.downloads import Kept, Shelf, download_routes, fixture_downloads
from api.http.health import BODY as HEALTHY
from api.http.health import HealthCheck
from api.http.middleware.cache import ResponseCacheMiddleware
from api.http.middleware.edge import Edge
from api.http.middleware.response_cache import ResponseCache
from api.http.transport import (
    EXCEPTION_HANDLERS,
    cors_options,
    graphql_status,
    negotiate,
    not_acceptable,
    read_graphql,
    respond,
)
from api.http.views import errors, permalinks, playground
from api.http.views.home import home_endpoint
from api.http.views.pages import favicon_endpoint
from api.http.views.reader import reader_endpoint
from api.locations import DEFAULT_FIXTURES, DEFAULT_SEEDS, DEFAULT_SNAPSHOT, EXAMPLES_DIR
from api.settings import Limits
from schema.store.reader import StoredDataset
from schema.store.snapshot import Progress

JSON = "application/json"

def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "query" not in request.query_params


def graphql_endpoint(engine: Engine) -> Callable[[Request], Any]:
    """Returns the /graphql endpoint: the playground for browsers, queries by GET and POST."""
    async def endpoint(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method  # HEAD: GET without the body
        if method == "GET" and _wants_html(request):
            return playground.playground_response(request)
        media_type = negotiate(request.headers.get("accept"))
        if media_type is None:
            return not_acceptable()
        try:
            read = await read_graphql(request, engine.limits.max_body_bytes)
            graphql_request = engine.persisted.resolve(read)
        except RequestError as error:
            no_store = {"Cache-Control": "no-store"}  # e.g. a persisted query not (yet) known
            refused = {**no_store, **getattr(error, "headers", {})}  # 415 names the accepted coding
            return respond(orjson.dumps(error.payload()), error.status, media_type, refused)
        status, body = await engine.run(graphql_request, method)
        headers = {"Allow": "POST"} if status == 405 else None
        return respond(body, graphql_status(status, media_type), media_type, headers)

    return endpoint


async def healthz(request: Request) -> Response:
    """Liveness (GET and HEAD are answered by api/http/health.py, outermost; this route gives other
    methods their 405)."""
    return Response(HEALTHY, media_type=JSON)


async def _not_found(request: Request, exc: Exception) -> Response:
    """404, or 307 to the same path with its trailing slash added or taken off when that has a
    route (Starlette's `redirect_slashes`, whose Location is built from the client's Host)."""
    location = slash_redirect(request.scope)
    if location is not None:
        return RedirectResponse(location, status_code=307)
    return await errors.not_found_handler(request, exc)


def slash_redirect(scope: Scope) -> str | None:
    """Returns the Location for a request whose path has a route once its trailing slash is added
    or taken off, or None. The Location is a path on this server (RFC 9110 allows a relative
    reference): nothing a client sends but the path and query is in it, so a forged Host header
    never reaches the answer or a shared cache, and it is right behind any proxy."""
    path: str = scope["path"]
    router = scope.get("router")
    if scope["type"] != "http" or router is None or path == "/":
        return None
    toggled = {**scope, "path": path.rstrip("/") if path.endswith("/") else path + "/"}
    if not any(route.matches(toggled)[0] != Match.NONE for route in router.routes):
        return None
    location = quote("/" + toggled["path"].lstrip("/"), safe="/:@!$&'()*+,;=-._~")
    query = scope.get("query_string", b"")
    return location + ("?" + query.decode("latin-1") if query else "")


SNAPSHOT_WRITERS = [write_claim_texts, write_search_tables, write_api_tables, write_passage_texts]
"""The API's tables in a snapshot, written after the records (`parley build`, `open_snapshot`)."""


def snapshot_code() -> str:
    """The code version a current snapshot's manifest names: the loader's and the writers' sources."""
    from schema.store.snapshot import code_version

    return code_version([*SNAPSHOT_SOURCES, PASSAGES_SOURCE])


def open_snapshot(
    snapshot: Path,
    fixtures_dir: Path = DEFAULT_FIXTURES,
    seeds_dir: Path = DEFAULT_SEEDS,
    *,
    hashes: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> tuple[StoredDataset, list[str]]:
    """Opens the snapshot if it matches the fixtures, seeds and code on disk, else builds it first.

    Returns the dataset and why it was built (empty: it was current). Raises FixtureError when the
    fixtures are invalid (nothing is written or served then).
    """
    from schema.store.reader import ensure_snapshot

    return ensure_snapshot(
        snapshot,
        fixtures_dir,
        seeds_dir,
        code=snapshot_code(),
        extra=SNAPSHOT_WRITERS,
        progress=progress,
        hashes=hashes,
    )


def create_app(
    dataset: StoredDataset | None = None,
    *,
    fixtures_dir: Path = DEFAULT_FIXTURES,
    seeds_dir: Path = DEFAULT_SEEDS,
    limits: Limits | None = None,
    persisted_only: bool = False,
    snapshot: Path = DEFAULT_SNAPSHOT,
) -> Starlette:
    """Returns the ASGI app serving an opened snapshot's dataset, or the snapshot at `snapshot`
    (see `open_snapshot`: built first when missing or not matching the directories' files).

    `persisted_only`: run only the registered documents (the example queries), by hash or text.
    Raises FixtureError on invalid fixtures: the app never serves bad data. The collector is off
    while the dataset and its indexes are built (millions of long-lived objects, no cycles); then the
    heap is frozen, so full collections never walk it on a request's time, and young collections run
    every `YOUNG_COLLECTION` allocations.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        if dataset is None:
            dataset, _ = open_snapshot(snapshot, fixtures_dir, seeds_dir)
        app = _build_app(dataset, limits, persisted_only)
        gc.freeze()
        gc.set_threshold(YOUNG_COLLECTION, *gc.get_threshold()[1:])
    finally:
        if was_enabled:
            gc.enable()
    return app


YOUNG_COLLECTION = 10_000
"""Net allocations between the collector's young collections while serving (CPython's default: 700).

Records a snapshot decodes on demand stay in its bounded caches; with the default, every few
requests promote them towards the oldest generation, whose full collections then walk them all,
and searches over a large dataset spent much of their time collecting. A larger threshold makes
full collections rare; a young collection still holds at most this many objects.
"""


def engine_for(dataset: StoredDataset, limits: Limits, persisted: PersistedQueries | None = None) -> Engine:
    """The engine an app runs GraphQL with over `dataset`: its context, the search index built now
    (with the app, rather than on the first search) and the query-shape limits. The benchmarks that
    time the engine alone build it here too."""
    set_name_memo_bytes(limits.name_memo_bytes)  # before the search index builds its own memo
    context = Context.for_dataset(dataset)
    search_index(context)
    return Engine(
        strawberry_schema(),
        graphql_schema(),
        context,
        validation_rules=shape_rules(limits),
        limits=limits,
        persisted=PersistedQueries(limits.persisted_query_bytes) if persisted is None else persisted,
    )


def routed_alike(routes: list[BaseRoute], kept: dict[str, Kept]) -> dict[str, Kept]:
    """Returns the held downloads whose path the router gives to a download route (not to an earlier
    route, as /fixtures/claims.csv goes to the exports): the edge may answer those without routing."""
    found = {}
    for path, answer in kept.items():
        scope = {"type": "http", "path": path, "root_path": "", "method": "GET"}
        first = next((r for r in routes if r.matches(scope)[0] == Match.FULL), None)
        endpoint = getattr(first, "endpoint", None)
        if endpoint is not None and getattr(endpoint, "__module__", "") == downloads_module.__name__:
            found[path] = answer
    return found


def _build_app(dataset: StoredDataset, limits: Limits | None, persisted_only: bool) -> Starlette:
    limits = Limits.from_env() if limits is None else limits
    examples = [tab.query for tab in playground.load_examples(EXAMPLES_DIR)] + permalinks.documents()
    persisted = PersistedQueries(limits.persisted_query_bytes, examples, persisted_only=persisted_only)
    engine = engine_for(dataset, limits, persisted)
    context = engine.context
    exports = exports_module.Exports(dataset)
    shelf = Shelf(dataset, fixture_downloads(dataset), exports)
    kept: dict[str, Kept] = {}
    routes: list[BaseRoute] = [
        # /graphql first: it shares no path with another route, and the router tries them in order.
        Route("/graphql", graphql_endpoint(engine), methods=["GET", "POST"]),
        Route("/", home_endpoint(dataset, exports, playground.examples(), shelf), methods=["GET"]),
        Route("/favicon.ico", favicon_endpoint, methods=["GET"]),
        *permalinks.routes(engine, dataset),
        Route("/sources/{id:str}", reader_endpoint(dataset, context.index), methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        *exports_module.routes(exports),  # before the downloads: /fixtures/claims.csv is an export
        *download_routes(dataset, print_sdl(), shelf, kept),
        *playground.routes(),
    ]
    max_request = limits.max_body_bytes
    response_cache = ResponseCache(max_bytes=limits.response_cache_bytes)
    cache = Middleware(ResponseCacheMiddleware, cache=response_cache, max_request_bytes=max_request)
    app = Starlette(
        routes=routes,
        exception_handlers={**EXCEPTION_HANDLERS, **errors.HANDLERS, 404: _not_found},
        # /healthz first: answered before the response cache and the edge, without the engine.
        middleware=[
            Middleware(HealthCheck),
            cache,
            Middleware(Edge, cors=cors_options(), kept=routed_alike(routes, kept)),
        ],
    )
    app.router.redirect_slashes = False  # _not_found redirects, without the client's Host
    app.state.engine = engine
    app.state.dataset = dataset
    return app
