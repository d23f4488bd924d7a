"""The sort behind every `orderBy` (inputs in api/orders.py): nulls last, ties kept in file order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any, TypeVar

from api.graph.common import Direction
from api.graph.context import Context
from schema.models import PartialDate

R = TypeVar("R")
KeyFn = Callable[[Context, Any], Any]


def date_key(value: PartialDate | None) -> tuple[Any, ...] | None:
    """Sort key of a partial date: earliest day, then latest day; None when unknown."""
    return None if value is None else (value.earliest(), value.latest())


def sort_records(
    records: Sequence[R],
    context: Context,
    field: Enum | None,
    direction: Direction,
    keys: dict[str, KeyFn],
) -> list[R]:
    """Takes records in file order and returns them sorted by `field` (a key of `keys`) and direction.

    Records whose key is null come last in either direction; equal keys keep file order.
    """
    if field is None or field.value == "file_order":
        ordered = list(records)
        return ordered[::-1] if direction is Direction.DESC else ordered
    key = keys[field.value]
    keyed = [(key(context, r), i, r) for i, r in enumerate(records)]
    present = [k for k in keyed if k[0] is not None]
    missing = [k[2] for k in keyed if k[0] is None]
    # sort is stable in both directions, so equal keys keep file order.
    present.sort(key=lambda k: k[0], reverse=direction is Direction.DESC)
    return [k[2] for k in present] + missing


def apply_order(order: Any, records: Sequence[R], context: Context, keys: dict[str, KeyFn]) -> Sequence[R]:
    """Applies an optional order input (None keeps file order: the records themselves, not a copy)."""
    if order is None:
        return records
    return sort_records(records, context, order.field, order.direction, keys)
