"""The Query root, the strawberry schema built from it, and its SDL as checked in at schema/schema.graphql."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLSchema

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
