"""The Query root, the strawberry schema built from it, and its SDL as checked in at schema/schema.graphql."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLSchema
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.tools import create_type

from api.graph import cost as cost_module
from api.graph import meta as meta_module
from api.graph import passages as passages_module
from api.graph import search as search_module
from api.graph.entity import connection_field, lookup_field, node_fields
from api.graph.registry import ENTITIES


def _field(resolver: Callable[..., Any]) -> Any:
    """Exposes a resolver function as a root field described by its docstring."""
    description = " ".join((resolver.__doc__ or "").split())
    return strawberry.field(resolver=resolver, description=description)


# The root: node/nodes, then a slug lookup per entity, a connection per entity, then search and meta.
Query = create_type(
    "Query",
    [
        *node_fields(ENTITIES),
        *(lookup_field(entity) for entity in ENTITIES),
        *(connection_field(entity) for entity in ENTITIES),
        _field(search_module.search),
        _field(search_module.resolve_person),
        _field(passages_module.passages),
        _field(meta_module.meta),
        _field(cost_module.query_cost),
    ],
    description="Read-only access to who said what in the June 2025 US-China trade talks in London, "
    "and which outlet reported it, every fact backed by exact words in a seed article.",
)


SDL_PATH = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"

# Types only reachable through the Node interface must be listed so the schema knows them.
_NODE_TYPES = [entity.object_type for entity in ENTITIES]


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
