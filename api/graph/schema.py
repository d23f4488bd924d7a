"""The Query root, the strawberry schema built from it, and its SDL as checked in at schema/schema.graphql."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLSchema
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.graph import connections as conn
from api.graph import lookups as look
from api.graph import meta as meta_module
from api.graph import search as search_module
from api.graph.claims import Citation, Claim
from api.graph.discrepancies import Discrepancy
from api.graph.negotiations import Delegate, Negotiation
from api.graph.people import Party, Person
from api.graph.sources import Outlet, Source


def _field(resolver: Callable[..., Any]) -> Any:
    """Exposes a resolver function as a root field described by its docstring."""
    description = " ".join((resolver.__doc__ or "").split())
    return strawberry.field(resolver=resolver, description=description)


@strawberry.type(
    description="Read-only access to who said what in the June 2025 US-China trade talks in London, "
    "and which outlet reported it, every fact backed by exact words in a seed article."
)
class Query:
    node = _field(look.node)
    nodes = _field(look.nodes)

    outlet = _field(look.outlet)
    source = _field(look.source)
    party = _field(look.party)
    person = _field(look.person)
    negotiation = _field(look.negotiation)
    delegate = _field(look.delegate)
    claim = _field(look.claim)
    citation = _field(look.citation)
    discrepancy = _field(look.discrepancy)

    outlets = _field(conn.outlets)
    sources = _field(conn.sources)
    parties = _field(conn.parties)
    people = _field(conn.people)
    negotiations = _field(conn.negotiations)
    delegates = _field(conn.delegates)
    claims = _field(conn.claims)
    citations = _field(conn.citations)
    discrepancies = _field(conn.discrepancies)

    search = _field(search_module.search)
    resolve_person = _field(search_module.resolve_person)
    meta = _field(meta_module.meta)


SDL_PATH = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"

# Types only reachable through the Node interface must be listed so the schema knows them.
_NODE_TYPES = [Outlet, Source, Party, Person, Negotiation, Delegate, Claim, Citation, Discrepancy]


def build_schema(**options: Any) -> strawberry.Schema:
    """Returns a new strawberry schema of the API; `options` are strawberry.Schema's own (extensions...).

    The server builds one with no options (`strawberry_schema`); bench/'s stock-strawberry peer
    builds its own with strawberry's caching and limit extensions.
    """
    return strawberry.Schema(query=Query, types=_NODE_TYPES, **options)


class _SchemaCatcher(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's execution context, remembering the graphql-core schema it was built for.

    strawberry builds a graphql-core schema but hands it out only to the execution context of an
    operation (`execution_context_class`, a documented option); this is how parley gets it without
    reading strawberry's private attributes.
    """

    caught: GraphQLSchema | None = None

    @classmethod
    def build(cls, schema: GraphQLSchema, *args: Any, **kwargs: Any) -> Any:
        cls.caught = schema
        return super().build(schema, *args, **kwargs)


@cache
def strawberry_schema() -> strawberry.Schema:
    """Returns the one strawberry schema of the API (built once)."""
    return build_schema(execution_context_class=_SchemaCatcher)


@cache
def graphql_schema() -> GraphQLSchema:
    """Returns the graphql-core schema behind `strawberry_schema()`: the engine validates, plans
    and executes against it, with strawberry's resolvers."""
    _SchemaCatcher.caught = None
    result = strawberry_schema().execute_sync("{ __typename }")
    if result.errors or _SchemaCatcher.caught is None:
        raise RuntimeError(f"strawberry did not execute its own schema: {result.errors}")
    return _SchemaCatcher.caught


def print_sdl() -> str:
    """Returns the schema in SDL, ending with a newline, exactly as schema/schema.graphql holds it."""
    return strawberry_schema().as_str() + "\n"
