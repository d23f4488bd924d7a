"""What an entity is to the schema, and the one mechanism every entity's root fields come from.

An entity module defines its strawberry type, its filter input and its order keys, and declares an
`Entity` with them, which registers the type in `api.graph.type_registry` (so other modules wrap
and name it without importing it). `api.graph.registry` finds each catalogued entity's `Entity`;
`api.graph.schema` makes from each a slug lookup and a connection (as swapi-graphql's
`rootFieldByID`/`rootConnection` do).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Annotated, Any, Optional, Protocol

import strawberry

from api.errors import UserInputError
from api.graph.context import Context, Info
from api.graph.deadline import checked
from api.graph.ordering import Key, Order, apply_order, order_by, sql_order
from api.graph.refs import slug_of
from api.graph.relay import MAX_PAGE, After, Before, Connection, First, Last, Node, decode_global_id, paginate
from api.graph.type_registry import register_type
from schema.store.reader import RecordList, Records


class Filter(Protocol):
    """A filter input. Each entity states its rules one way: the tables that grow with the data
    (claims, citations) as SQL over the snapshot (`sql(context) -> Where`), so a page costs what it
    shows whatever the data holds; the small ones as Python over the records the store returns
    (`passes(context, record) -> bool`)."""


@dataclass
class Where:
    """A filter as SQL over the snapshot's table of the entity (aliased `t`): conditions ANDed and
    their parameters in order.

    `check` = (a column expression of `t`, a predicate of its value, a tag naming the predicate and
    its arguments): a row is kept only if the predicate holds for that column's value. It states a
    text rule SQL cannot state exactly, over a plain column, without decoding records.
    """

    conditions: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    check: tuple[str, Callable[[Any], bool], str] | None = None

    def add(self, condition: str, *params: Any) -> None:
        """Adds one condition and its parameters."""
        self.conditions.append(condition)
        self.params.extend(params)


Index = Callable[[Context], Mapping[str, Sequence[Any]]]
"""context -> an index of records by the id of what they refer to, each list in file order."""


@dataclass(frozen=True)
class Entity:
    """One entity of the API: its records, GraphQL type, filter and order, and its root fields' docs."""

    stem: str
    """Its catalogue entry's stem, e.g. outlets (`catalogue.OUTLETS.stem`): its records and counts."""
    object_type: type[Any]
    """The strawberry type, e.g. Outlet."""
    filter: type[Any]
    order_keys: Mapping[str, Key]
    """What it can be ordered by beyond file order and slug: enum member name -> key."""
    lookup_doc: str
    """Description of the slug lookup, e.g. `An outlet by slug.`"""
    connection_doc: str
    """Description of the root connection, e.g. `Publishers and wire services.`"""
    indexed: Mapping[str, tuple[str, Index]] = field(default_factory=dict)
    """Filter field -> (the type its reference names, the index holding the records it keeps)."""

    def __post_init__(self) -> None:
        register_type(self.object_type)

    @cached_property
    def order(self) -> Order:
        """The order enum and input made from `order_keys`, e.g. OutletOrderField and OutletOrder."""
        return order_by(self.type_name, self.stem, **self.order_keys)

    @property
    def type_name(self) -> str:
        """The GraphQL type name, e.g. Outlet."""
        return self.object_type.__name__

    @property
    def field_name(self) -> str:
        """The root lookup's name: the type name with a small first letter, e.g. outlet."""
        return self.type_name[0].lower() + self.type_name[1:]

    def wrap(self, record: Any) -> Any:
        """Wraps a pydantic record as this entity's GraphQL object."""
        return self.object_type(record=record)

    def fetch(self, context: Context, slug: str) -> Any:
        """Returns the GraphQL object of the record with that slug, or None if there is none."""
        record = context.dataset.tables[self.stem].get(slug)
        return None if record is None else self.object_type(record=record)

    @property
    def in_sql(self) -> bool:
        """Whether the entity's filter and order keys are stated in SQL (see `Filter`)."""
        return hasattr(self.filter, "sql")

    def select(
        self, context: Context, where: Any, order: Any, within: tuple[str, str] | None = None
    ) -> Sequence[Any]:
        """The connection's list: the records the filter keeps, in the order asked for; `within`
        (column, value) keeps only those whose column holds that value (a person's claims)."""
        if self.in_sql:
            return self._select_sql(context, where, order, within)
        kept = self.matching(context, where)
        return kept if order is None else apply_order(order, kept, context, self.order.keys)

    def _select_sql(
        self, context: Context, where: Any, order: Any, within: tuple[str, str] | None
    ) -> Sequence[Any]:
        """`select` over the snapshot: one statement selects the positions of the rows kept, in
        order, so a page decodes only its own records and the count is the number of positions
        (remembered by `Store.positions`: a repeated filter runs no statement). With no order and
        one reference alone, the reference's index list is the answer (O(page))."""
        given = {} if where is None else {
            f.name: getattr(where, f.name) for f in fields(where) if getattr(where, f.name) is not None
        }
        if within is not None:
            column, value = within
            if column in given and slug_of(given[column], self.indexed[column][0]) != value:
                return ()
            given[column] = value
        if order is None and len(given) <= 1:
            if not given:
                return context.records(self.stem)
            ((name, value),) = given.items()
            if name in self.indexed:
                type_name, index = self.indexed[name]
                return index(context).get(slug_of(value, type_name), [])
        found = Where() if where is None else where.sql(context)
        if within is not None:
            found.add(f"t.{within[0]} = ?", within[1])
        dataset = context.dataset
        assert dataset.store is not None  # a context is over an opened snapshot (`Context.for_dataset`)
        records: Records[Any] = dataset.tables[self.stem]  # type: ignore[assignment]
        sql = f'SELECT t.pos{"" if found.check is None else ", " + found.check[0]} FROM "{self.stem}" t'
        if found.conditions:
            sql += " WHERE " + " AND ".join(found.conditions)
        sql += f" ORDER BY {sql_order(order, self.order.sql) or 't.pos'}"
        check, tag = (None, "") if found.check is None else found.check[1:]
        return RecordList(records, dataset.store.positions(sql, found.params, check, tag))

    def matching(self, context: Context, where: Any) -> Sequence[Any]:
        """Takes a Python filter (or None) and returns the records it keeps, in file order.

        A filter naming an indexed reference (a source's outlet, a delegate's negotiation...) starts from
        that index list; naming nothing else, the list is the answer and no record is checked (a page
        costs O(page)). The result may be a shared list: callers must not change it.
        """
        if where is None:
            return context.records(self.stem)
        given = [f.name for f in fields(where) if getattr(where, f.name) is not None]
        indexed = [name for name in given if name in self.indexed]
        if not indexed:
            return keep(context, context.records(self.stem), where)
        candidates = []
        for name in indexed:
            type_name, index = self.indexed[name]
            candidates.append(index(context).get(slug_of(getattr(where, name), type_name), []))
        smallest = min(candidates, key=len)
        return smallest if len(given) == 1 else keep(context, smallest, where)


def keep(context: Context, records: Sequence[Any], where: Any) -> Sequence[Any]:
    """Returns the records that pass the filter (all of them, as given, without one), in their order.

    A snapshot's lazy `RecordList` gives a `RecordList` of the positions kept: the records are
    decoded to be checked but not held, so a filter keeping most of a table does not hold it all.
    """
    if where is None:
        return records
    if isinstance(records, RecordList):
        pairs = zip(records.positions, checked(records), strict=True)
        passing = [pos for pos, r in pairs if where.passes(context, r)]
        return RecordList(records.records, passing)
    return [r for r in checked(records) if where.passes(context, r)]


# --- root fields made from entities ------------------------------------------------------

_FILTER_DOC = "Conditions the items must meet (all of them)."
_ORDER_DOC = "Sort order (default: file order)."
_SLUG_DOC = "The record's kebab-case slug, e.g. howard-lutnick."


def connection_field(
    entity: Entity,
    *,
    name: str | None = None,
    description: str | None = None,
    within: tuple[str, Callable[[Any], str]] | None = None,
    filter_doc: str = _FILTER_DOC,
) -> Any:
    """Returns a connection field over the entity: filter, orderBy and cursor paging arguments.

    At the root (no `within`) it lists every record; on an object type, `within` = (a column of the
    entity's table, parent -> the value it must hold) keeps the parent's own (a person's claims).
    """

    def connection(
        self: Any,
        info: Info,
        filter: Any = None,
        order_by: Any = None,
        first: int | None = None,
        last: int | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> Any:
        scope = None if within is None else (within[0], within[1](self))
        ordered = entity.select(info.context, filter, order_by, scope)
        return paginate(ordered, entity.wrap, first, last, after, before)

    connection.__name__ = connection.__qualname__ = name or entity.stem  # the field's python name
    connection.__annotations__ = {
        "info": Info,
        "filter": Annotated[Optional[entity.filter], strawberry.argument(description=filter_doc)],  # noqa: UP045
        "order_by": Annotated[Optional[entity.order.input], strawberry.argument(description=_ORDER_DOC)],  # noqa: UP045
        **{"first": First, "last": Last, "after": After, "before": Before},
        "return": Connection[entity.object_type],  # type: ignore[name-defined]
    }
    return strawberry.field(resolver=connection, description=description or entity.connection_doc)


def lookup_field(entity: Entity) -> Any:
    """Returns the root field fetching one record of the entity by slug (null if there is none)."""

    def lookup(info: Info, slug: str) -> Any:
        return entity.fetch(info.context, slug)

    lookup.__name__ = lookup.__qualname__ = entity.field_name
    lookup.__annotations__ = {
        "info": Info,
        "slug": Annotated[str, strawberry.argument(description=_SLUG_DOC)],
        "return": Optional[entity.object_type],  # noqa: UP045
    }
    return strawberry.field(resolver=lookup, description=entity.lookup_doc)


def node_fields(entities: Sequence[Entity]) -> tuple[Any, Any]:
    """Returns the root `node(id)` and `nodes(ids)` fields over the given entities."""
    by_type = {e.type_name: e for e in entities}

    def node(
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global ID from any object's `id`.")],
    ) -> Node | None:
        type_name, slug = decode_global_id(id)
        entity = by_type.get(type_name)
        found: Node | None = None if entity is None else entity.fetch(info.context, slug)
        return found

    def nodes(
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global IDs, at most 100.")],
    ) -> list[Node | None]:
        if len(ids) > MAX_PAGE:
            raise UserInputError(f"`ids` may hold at most {MAX_PAGE} ids, got {len(ids)}")
        return [node(info, i) for i in ids]

    one = "Fetches any object by its global ID; null if no such record."
    many = "Fetches objects by global IDs, in the order given; null for each unknown one."
    return strawberry.field(resolver=node, description=one), strawberry.field(
        resolver=nodes, description=many
    )
