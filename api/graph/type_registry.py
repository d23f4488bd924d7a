"""The low-level registry of entity types: declared once, wrapped and named by everyone else.

`api.graph.entity.Entity` registers its strawberry type here when an entity module declares it. A
resolver returning another module's entity wraps the record with `wrap("Person", record)` and gives
the field's GraphQL type as `lazy("Person", "api.graph.people")` (a `strawberry.lazy` reference,
resolved when the schema is built), so entity modules need not import each other: no import cycle.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from api.graph.relay import Node

_TYPES: dict[str, type[Any]] = {}
"""GraphQL type name -> the strawberry type of every declared entity."""


def register_type(cls: type[Any]) -> None:
    """Registers an entity's strawberry type under its GraphQL name (once)."""
    known = _TYPES.setdefault(cls.__name__, cls)
    if known is not cls:
        raise ValueError(f"entity type {cls.__name__} is declared twice")


def wrap(type_name: str, record: Any) -> Node:
    """Wraps a pydantic record as the GraphQL object of the entity type named."""
    try:
        cls = _TYPES[type_name]
    except KeyError:
        raise LookupError(f"no entity type {type_name} is declared (is its module imported?)") from None
    node: Node = cls(record=record)
    return node


def lazy(type_name: str, module: str) -> Any:
    """The GraphQL type of an entity declared in another module, resolved when the schema is built."""
    return Annotated[type_name, strawberry.lazy(module)]


def lazy_list(type_name: str, module: str) -> Any:
    """A list of `lazy(type_name, module)`."""
    return list[lazy(type_name, module)]  # type: ignore[misc]
