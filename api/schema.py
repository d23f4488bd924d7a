"""The strawberry schema object and its SDL, as checked in at schema/schema.graphql."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import strawberry
from graphql import GraphQLSchema

from api.query import Query
from api.types.claims import Citation, Claim
from api.types.discrepancies import Discrepancy
from api.types.negotiations import Delegate, Negotiation
from api.types.people import Party, Person
from api.types.sources import Outlet, Source

SDL_PATH = Path(__file__).resolve().parent.parent / "schema" / "schema.graphql"

# Types only reachable through the Node interface must be listed so the schema knows them.
_NODE_TYPES = [Outlet, Source, Party, Person, Negotiation, Delegate, Claim, Citation, Discrepancy]


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
