"""Fetching single records: `node(id)`/`nodes(ids)` by global ID, and one lookup by slug per entity."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import strawberry

from api.errors import UserInputError
from api.graph.claims import Citation, Claim
from api.graph.context import Info, data
from api.graph.discrepancies import Discrepancy
from api.graph.negotiations import Delegate, Negotiation
from api.graph.people import Party, Person
from api.graph.relay import MAX_PAGE, Node, decode_global_id
from api.graph.sources import Outlet, Source

# GraphQL type name -> (fixture stem, wrapper type).
NODE_TYPES: dict[str, tuple[str, Callable[..., Node]]] = {
    "Outlet": ("outlets", Outlet),
    "Source": ("sources", Source),
    "Party": ("parties", Party),
    "Person": ("people", Person),
    "Negotiation": ("negotiations", Negotiation),
    "Delegate": ("delegates", Delegate),
    "Claim": ("claims", Claim),
    "Citation": ("citations", Citation),
    "Discrepancy": ("discrepancies", Discrepancy),
}

Slug = Annotated[str, strawberry.argument(description="The record's kebab-case slug, e.g. howard-lutnick.")]


def fetch(info: Info, type_name: str, slug: str) -> Any:
    """Returns the wrapped record of that type and slug, or None if there is none."""
    stem, wrap = NODE_TYPES[type_name]
    record = getattr(data(info), stem).get(slug)
    return None if record is None else wrap(record=record)


def node(
    info: Info,
    id: Annotated[strawberry.ID, strawberry.argument(description="A global ID from any object's `id`.")],
) -> Node | None:
    """Fetches any object by its global ID; null if no such record."""
    type_name, slug = decode_global_id(id)
    if type_name not in NODE_TYPES:
        return None
    found: Node | None = fetch(info, type_name, slug)
    return found


def nodes(
    info: Info,
    ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global IDs, at most 100.")],
) -> list[Node | None]:
    """Fetches objects by global IDs, in the order given; null for each unknown one."""
    if len(ids) > MAX_PAGE:
        raise UserInputError(f"`ids` may hold at most {MAX_PAGE} ids, got {len(ids)}")
    return [node(info, i) for i in ids]


def outlet(info: Info, slug: Slug) -> Outlet | None:
    """An outlet by slug."""
    found: Outlet | None = fetch(info, "Outlet", slug)
    return found


def source(info: Info, slug: Slug) -> Source | None:
    """A source (article) by slug."""
    found: Source | None = fetch(info, "Source", slug)
    return found


def party(info: Info, slug: Slug) -> Party | None:
    """A party by slug."""
    found: Party | None = fetch(info, "Party", slug)
    return found


def person(info: Info, slug: Slug) -> Person | None:
    """A person by slug."""
    found: Person | None = fetch(info, "Person", slug)
    return found


def negotiation(info: Info, slug: Slug) -> Negotiation | None:
    """A negotiation by slug."""
    found: Negotiation | None = fetch(info, "Negotiation", slug)
    return found


def delegate(info: Info, slug: Slug) -> Delegate | None:
    """A delegate seat by slug."""
    found: Delegate | None = fetch(info, "Delegate", slug)
    return found


def claim(info: Info, slug: Slug) -> Claim | None:
    """A claim by slug."""
    found: Claim | None = fetch(info, "Claim", slug)
    return found


def citation(info: Info, slug: Slug) -> Citation | None:
    """A citation by slug."""
    found: Citation | None = fetch(info, "Citation", slug)
    return found


def discrepancy(info: Info, slug: Slug) -> Discrepancy | None:
    """A discrepancy by slug."""
    found: Discrepancy | None = fetch(info, "Discrepancy", slug)
    return found
