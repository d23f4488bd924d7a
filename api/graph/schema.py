"""The Query root, the strawberry schema built from it, and its SDL as checked in at schema/schema.graphql."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLSchema
from strawberry.tools import create_type

from api.graph import meta as meta_module
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
        _field(meta_module.meta),
    ],
    description="Read-only access to who said what in the June 2025 US-China trade talks in London, "
    "and which outlet reported it, every fact backed by exact words in a seed article.",
)


SDL_PATH = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"

# Types only reachable through the Node interface must be listed so the schema knows them.
_NODE_TYPES = [entity.object_type for entity in ENTITIES]


@cache
def strawberry_schema() -> strawberry.Schema:
    """Returns the one strawberry schema of the API (built once)."""
    return strawberry.Schema(query=Query, types=_NODE_TYPES)


def graphql_schema() -> GraphQLSchema:
    """Returns the graphql-core schema the request pipeline validates and executes against."""
    return strawberry_schema()._schema


def print_sdl() -> str:
    """Returns the schema in SDL, ending with a newline, exactly as schema/schema.graphql holds it."""
    return strawberry_schema().as_str() + "\n"
