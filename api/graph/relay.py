"""Relay plumbing: opaque global IDs, the Node interface, and cursor connections with bounds checks."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Annotated, Generic, TypeVar

import strawberry

from api.errors import UserInputError, excerpt
from api.graph.context import described

MAX_PAGE = 100
_CURSOR_PREFIX = "offset:"

T = TypeVar("T")
N = TypeVar("N")


def encode_global_id(type_name: str, slug: str) -> str:
    """Takes a GraphQL type name and a record slug; returns the opaque id base64("Type:slug")."""
    return base64.b64encode(f"{type_name}:{slug}".encode()).decode("ascii")


def split_global_id(value: str) -> tuple[str, str] | None:
    """Takes a string and returns (type name, slug) if it is base64 of "Type:slug", else None."""
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return None
    type_name, sep, slug = raw.partition(":")
    return (type_name, slug) if sep and type_name and slug else None


def decode_global_id(global_id: str) -> tuple[str, str]:
    """Takes an opaque global id and returns (type name, slug); raises UserInputError if malformed."""
    parts = split_global_id(global_id)
    if parts is None:
        raise UserInputError(f"{excerpt(global_id)} is not a valid global id")
    return parts


@strawberry.interface(description="An object with a globally unique, opaque ID, fetchable with `node(id:)`.")
class Node:
    """Base of every record type; subclasses hold their pydantic record in `record`."""

    @described('Opaque global ID: base64 of "TypeName:slug". Stable once published.')
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_global_id(type(self).__name__, self.slug()))

    def slug(self) -> str:
        """Returns the record's slug; every implementing type overrides this."""
        raise NotImplementedError


def encode_cursor(offset: int) -> str:
    """Returns the opaque cursor for a position in an ordered result list."""
    return base64.b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode("ascii")


def decode_cursor(cursor: str) -> int:
    """Takes a cursor from an earlier page and returns its position; raises UserInputError if bad."""
    try:
        raw = base64.b64decode(cursor.encode("ascii"), validate=True).decode("ascii")
        if raw.startswith(_CURSOR_PREFIX):
            offset = int(raw.removeprefix(_CURSOR_PREFIX))
            if offset >= 0:
                return offset
    except (binascii.Error, UnicodeError, ValueError):
        pass
    raise UserInputError(f"{excerpt(cursor)} is not a valid cursor; pass a cursor from an edge or pageInfo")


@strawberry.type(description="Where a page sits in the whole result list, for fetching the next one.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether items come before this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item; null if empty.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last item; null if empty.")


@strawberry.type(description="One item of a connection with its cursor.")
class Edge(Generic[N]):
    cursor: str = strawberry.field(description="Opaque position of this item, for `after`/`before`.")
    node: N = strawberry.field(description="The item.")


@strawberry.type(description="A page of an ordered result list (Relay cursor connection).")
class Connection(Generic[N]):
    def _edges(self) -> list[Edge[N]]:
        """Built only when a query selects them: most ask for `nodes`, and a cursor is a base64."""
        return [Edge(cursor=encode_cursor(self.start + i), node=node) for i, node in enumerate(self.nodes)]

    edges: list[Edge[N]] = strawberry.field(
        resolver=_edges, description="The items of this page with their cursors."
    )
    nodes: list[N] = strawberry.field(description="The items of this page, without cursors.")
    page_info: PageInfo = strawberry.field(description="How to fetch the neighbouring pages.")
    total_count: int = strawberry.field(description="How many items match in all, across every page.")
    start: strawberry.Private[int] = 0
    """The position of the page's first item in the whole list (its cursor's offset)."""


First = Annotated[
    int | None, strawberry.argument(description="Return the first n items after `after` (1 to 100).")
]
Last = Annotated[
    int | None, strawberry.argument(description="Return the last n items before `before` (1 to 100).")
]
After = Annotated[str | None, strawberry.argument(description="Cursor: only items after this one.")]
Before = Annotated[str | None, strawberry.argument(description="Cursor: only items before this one.")]


def _check_size(name: str, value: int | None) -> None:
    if value is not None and not 1 <= value <= MAX_PAGE:
        raise UserInputError(f"`{name}` must be between 1 and {MAX_PAGE}, got {value}")


def paginate(
    items: Sequence[T],
    wrap: Callable[[T], N],
    first: int | None = None,
    last: int | None = None,
    after: str | None = None,
    before: str | None = None,
) -> Connection[N]:
    """Takes the full ordered result list and the paging arguments; returns one page as a Connection.

    Follows the Relay cursor algorithm: cut to after/before, then take `first`, then `last`.
    With neither `first` nor `last` the page holds the first 100 items.
    """
    _check_size("first", first)
    _check_size("last", last)
    start, stop = 0, len(items)
    if after is not None:
        start = min(max(start, decode_cursor(after) + 1), stop)
    if before is not None:
        stop = max(min(stop, decode_cursor(before)), start)
    if first is None and last is None:
        first = MAX_PAGE
    if first is not None:
        stop = min(stop, start + first)
    if last is not None:
        start = max(start, stop - last)
    page = PageInfo(
        has_next_page=stop < len(items),
        has_previous_page=start > 0,
        start_cursor=encode_cursor(start) if start < stop else None,
        end_cursor=encode_cursor(stop - 1) if start < stop else None,
    )
    nodes = [wrap(item) for item in items[start:stop]]  # one slice: a snapshot's list reads it at once
    return Connection(nodes=nodes, page_info=page, total_count=len(items), start=start)
