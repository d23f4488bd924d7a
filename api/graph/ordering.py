"""Every `orderBy`: one factory makes each entity's order enum and input, one sort serves them all.

An entity names the keys it sorts by beyond file order and slug (Outlet: `NAME=BY_NAME`);
`order_by("Outlet", stem, NAME=BY_NAME)` makes the enum `OutletOrderField` (FILE_ORDER, SLUG,
then those keys) and the input `OutletOrder { field, direction }`. Nulls sort last, ties keep file
order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar, cast

import strawberry
from strawberry.tools import create_type

from api.graph.context import Context
from api.graph.deadline import checked
from api.graph.enums import Direction
from schema.model.models import PartialDate
from schema.store.reader import RecordList

R = TypeVar("R")
KeyFn = Callable[[Context, Any], Any]


@dataclass(frozen=True)
class Key:
    """One value an entity can be ordered by: its enum value's description and how to read it."""

    description: str
    read: KeyFn | None = None
    """The key of a record, for an entity filtered in Python (None sorts last)."""
    sql: tuple[str, ...] = ()
    """The key of an entity filtered in SQL (see `entity.Filter`), over its table `t`: expressions
    compared in turn, the first one NULL when the key is unknown (sorted last)."""


@dataclass(frozen=True)
class Order:
    """An entity's order input (a strawberry input type) and the key behind each enum value."""

    input: type[Any]
    keys: Mapping[str, KeyFn]
    sql: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Enum value -> the key's SQL expressions, for the keys that have them (see `Key.sql`)."""


def functional_enum(name: str, members: Mapping[str, Any]) -> type[Enum]:
    """Enum's functional API (`Enum(name, members)`), typed for mypy."""
    made: type[Enum] = cast(Any, Enum)(name, members)
    return made


def date_key(value: PartialDate | None) -> tuple[Any, ...] | None:
    """Sort key of a partial date: earliest day, then latest day; None when unknown."""
    return None if value is None else (value.earliest(), value.latest())


BY_NAME = Key("By name, alphabetically (case-insensitive).", lambda _, r: str(r.name).casefold())
_FILE_ORDER = "The order of the fixture file (default)."
_BY_SLUG = Key("By slug, alphabetically.", lambda _, r: str(r.id), sql=("t.id",))
"""The one key every entity has, in both forms: the slug is the record's `id` and its row's `id`."""
_DIRECTION = "ASC (default) or DESC."


def order_by(type_name: str, plural: str, **keys: Key) -> Order:
    """Makes the order enum and input of one entity from the keys it sorts by (in enum order)."""
    everything = {"SLUG": _BY_SLUG, **keys}
    members = {"FILE_ORDER": strawberry.enum_value("file_order", description=_FILE_ORDER)}
    members |= {
        name: strawberry.enum_value(name.lower(), description=k.description) for name, k in everything.items()
    }
    field_enum = strawberry.enum(
        functional_enum(f"{type_name}OrderField", members),
        description=f"Fields {plural} can be ordered by.",
    )
    fields = [
        strawberry.field(
            name="field", graphql_type=field_enum, description=f"The value to sort {plural} by."
        ),
        strawberry.field(
            name="direction", graphql_type=Direction, default=Direction.ASC, description=_DIRECTION
        ),
    ]
    order_input = create_type(
        f"{type_name}Order", fields, is_input=True, description=f"How to order {plural}."
    )
    return Order(
        input=order_input,
        keys={name.lower(): k.read for name, k in everything.items() if k.read is not None},
        sql={name.lower(): k.sql for name, k in everything.items() if k.sql},
    )


def sort_records(
    records: Sequence[R],
    context: Context,
    field: Enum | None,
    direction: Direction,
    keys: Mapping[str, KeyFn],
) -> list[R]:
    """Takes records in file order and returns them sorted by `field` (a key of `keys`) and direction.

    Null keys come last in either direction; equal keys keep file order. A snapshot's `RecordList`
    is sorted as positions: each record is decoded to read its key, but not held.
    """
    if isinstance(records, RecordList):
        return cast(list[R], _sort_positions(records, context, field, direction, keys))
    if field is None or field.value == "file_order":
        ordered = list(records)
        return ordered[::-1] if direction is Direction.DESC else ordered
    key = keys[field.value]
    keyed = [(key(context, r), i, r) for i, r in enumerate(checked(records))]
    present = [k for k in keyed if k[0] is not None]
    missing = [k[2] for k in keyed if k[0] is None]
    # sort is stable in both directions, so equal keys keep file order.
    present.sort(key=lambda k: k[0], reverse=direction is Direction.DESC)
    return [k[2] for k in present] + missing


def _sort_positions(
    records: RecordList[Any],
    context: Context,
    field: Enum | None,
    direction: Direction,
    keys: Mapping[str, KeyFn],
) -> RecordList[Any]:
    """`sort_records` of a snapshot's lazy list, as a lazy list of the sorted positions."""
    positions = records.positions
    if field is None or field.value == "file_order":
        ordered = positions[::-1] if direction is Direction.DESC else positions
        return RecordList(records.records, ordered)
    key = keys[field.value]
    keyed = [(key(context, r), pos) for pos, r in zip(positions, checked(records), strict=True)]
    present = [k for k in keyed if k[0] is not None]
    missing = [k[1] for k in keyed if k[0] is None]
    present.sort(key=lambda k: k[0], reverse=direction is Direction.DESC)
    return RecordList(records.records, [k[1] for k in present] + missing)


def sql_order(order: Any, sql: Mapping[str, tuple[str, ...]]) -> str | None:
    """The ORDER BY clause of an optional order input over a snapshot's table `t` (None: no order
    given, file order): nulls last in either direction, ties in file order, as `sort_records`."""
    if order is None or order.field is None:
        return None
    descending = " DESC" if order.direction is Direction.DESC else ""
    if order.field.value == "file_order":
        return f"t.pos{descending}"
    expressions = sql[order.field.value]
    return f"({expressions[0]}) IS NULL, " + "".join(f"{e}{descending}, " for e in expressions) + "t.pos"


def apply_order(order: Any, records: Sequence[R], context: Context, keys: Mapping[str, KeyFn]) -> Sequence[R]:
    """Applies an optional order input (None keeps file order: the records themselves, not a copy)."""
    if order is None:
        return records
    return sort_records(records, context, order.field, order.direction, keys)
