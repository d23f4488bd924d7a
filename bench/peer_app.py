"""The benchmark's peer: the same API served by stock strawberry, as a careful user would configure it.

`strawberry.asgi.GraphQL` at /graphql in a Starlette app, over `api.graph.schema.build_schema` (the
same types and resolvers as parley) with the same request context, and with strawberry's own
extensions on: `ParserCache` and `ValidationCache` (parse and validation cached per document),
`QueryDepthLimiter`, `MaxAliasesLimiter` and `MaxTokensLimiter` at parley's limits (10 levels of
fields, which is strawberry's `max_depth=9`; 30 aliases; 1000 tokens), and `MaskErrors` hiding
unexpected exceptions only (a careful user keeps validation errors and the resolvers' own
user-input errors readable).

strawberry has no extension for parley's query-cost limit, its request-body limit, its directive
limit or its execution timeout, so the peer has none of them: that can only make it faster.

Run: python -m bench.peer_app --fixtures DIR --seeds DIR --port N   (uvicorn on 127.0.0.1)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

from api.errors import UserInputError
from api.graph.context import Context
from api.graph.schema import build_schema
from api.graph.search_index import search_index
from schema.model.dataset import Dataset

REPO = Path(__file__).resolve().parent.parent
MAX_LEVELS = 10
"""parley's depth limit: 10 levels of nested fields (a root field and its leaf are 2)."""
MAX_DEPTH = MAX_LEVELS - 1
"""The same limit in QueryDepthLimiter's terms: it counts a root field as depth 0 and refuses a field
deeper than `max_depth`, so `max_depth=10` would let 11 levels through."""
MAX_ALIASES = 30
MAX_TOKENS = 1000


def mask_unexpected(error: GraphQLError) -> bool:
    """True for an error a client should not read: an exception a resolver did not mean to raise.

    Validation errors (the limiters' too) carry no original exception, and parley's resolvers raise
    `UserInputError` for a bad argument: both stay as they are.
    """
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError | UserInputError)


def peer_extensions() -> list[SchemaExtension | type[SchemaExtension]]:
    """Returns the strawberry extensions the peer runs with (fresh instances: the caches are theirs)."""
    return [
        ParserCache(),
        ValidationCache(),
        QueryDepthLimiter(max_depth=MAX_DEPTH),
        MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        MaxTokensLimiter(max_token_count=MAX_TOKENS),
        MaskErrors(should_mask_error=mask_unexpected),
    ]


def peer_schema() -> strawberry.Schema:
    """Returns a new strawberry schema of the API with the peer's extensions."""
    return build_schema(extensions=peer_extensions())


class PeerGraphQL(GraphQL[Context, None]):
    """Stock strawberry's ASGI app; the only thing it is told is parley's context (built once)."""

    def __init__(self, schema: strawberry.Schema, context: Context) -> None:
        super().__init__(schema, graphql_ide=None)
        self.peer_context = context

    async def get_context(self, request: Any, response: Any) -> Context:
        return self.peer_context


async def healthz(request: Request) -> Response:
    """Liveness, as parley's: answers once the dataset is loaded."""
    return Response(b'{"status":"ok"}', media_type="application/json")


def create_peer_app(dataset: Dataset) -> Starlette:
    """Returns the peer's Starlette app over a loaded dataset: /graphql and /healthz."""
    context = Context.for_dataset(dataset)
    search_index(context)  # built now, as parley builds it with its app, not on the first search
    graphql = PeerGraphQL(peer_schema(), context)
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/graphql", graphql, methods=["GET", "POST"]),
    ]
    return Starlette(routes=routes)


def main(argv: list[str] | None = None) -> int:
    """Loads the dataset and serves the peer with uvicorn's defaults on 127.0.0.1, as `parley serve` does."""
    import uvicorn

    from api.http.app import open_snapshot
    from schema.load.loader import FixtureError

    parser = argparse.ArgumentParser(prog="python -m bench.peer_app", description=__doc__.split("\n")[0])
    parser.add_argument("--fixtures", type=Path, default=REPO / "fixtures", help="fixtures directory")
    parser.add_argument("--seeds", type=Path, default=REPO / "seeds", help="seed texts directory")
    parser.add_argument("--port", type=int, required=True, help="port to listen on, on 127.0.0.1")
    args = parser.parse_args(argv)
    for name in ("fixtures", "seeds"):
        if not getattr(args, name).is_dir():
            parser.error(f"--{name} {getattr(args, name)} is not a directory")
    with tempfile.TemporaryDirectory(prefix="parley-peer-") as folder:
        try:  # the same store parley serves, built for the peer
            dataset, _ = open_snapshot(Path(folder) / "parley.db", args.fixtures, args.seeds)
        except FixtureError as error:
            print(f"bench.peer_app: refusing to start, the fixtures are invalid:\n{error}", file=sys.stderr)
            return 1
        uvicorn.run(create_peer_app(dataset), host="127.0.0.1", port=args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
