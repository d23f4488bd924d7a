"""What an entity is to the schema, and the one mechanism every entity's root fields come from.

An entity module (sources, people, negotiations, claims, discrepancies) defines its strawberry type,
its filter input and what it can be ordered by, and declares an `Entity` with them.
Declaring it registers the type in `api.graph.type_registry`, so other modules' resolvers wrap
records of it with `wrap("Person", record)` and name its GraphQL type with
`lazy("Person", "api.graph.people")` instead of importing the module: no import cycle.
`api.graph.registry` lists the entities in fixture order; `api.graph.schema` makes from each one a
slug lookup and a connection (as swapi-graphql's `rootFieldByID`/`rootConnection` do).
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
from schema.store.reader import RecordList, Records, StoredDataset


class Filter(Protocol):
    """A filter input: whether one record meets every condition given."""

    def passes(self, context: Context, record: Any) -> bool: ...


@dataclass
class Where:
    """A filter as SQL over a snapshot's table of the entity (aliased `t`), built by a filter's
    `sql(context)`: conditions ANDed, their parameters in order, and whether they are the whole
    filter (`complete`) or only narrow it (then `passes` decides each record left).

    `check` = (a column expression of `t`, a predicate of its value, a tag naming the predicate and
    its arguments): a row is kept only if the predicate holds for that column's value. It tests a
    plain column in Python (e.g. a text rule SQL cannot state exactly) without decoding records.
    """

    conditions: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    complete: bool = True
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

    def select(self, context: Context, where: Filter | None, order: Any) -> Sequence[Any]:
        """The root connection's list: the records the filter keeps, in the order asked for.

        Over a snapshot, a filter (or order) that no index answers is answered from the table's
        columns (`from_columns`); otherwise `matching` then `apply_order`.
        """
        found = self.from_columns(context, where, order)
        if found is not None:
            return found
        kept = self.matching(context, where)
        return kept if order is None else apply_order(order, kept, context, self.order.keys)

    def from_columns(self, context: Context, where: Filter | None, order: Any) -> Sequence[Any] | None:
        """The filtered, ordered list from a snapshot's columns (None: not a snapshot, or nothing an
        index leaves to decode every record for: `matching` answers those at least as well).

        The filter's `sql` gives the SQL conditions; one statement selects the positions of the
        rows they keep (ordered by the key's SQL when it has one and the conditions are the whole
        filter), so a page decodes only its own records and the count is the number of positions.
        A filter SQL states only in part is checked by `passes` on what SQL kept; a key without SQL
        is read from the records (`sort_records` keeps positions). A filter whose `sql` gives None
        (e.g. a reference of the wrong type, which `matching` reports as the in-memory data does)
        is left to `matching`.
        """
        dataset = context.dataset
        if not isinstance(dataset, StoredDataset) or dataset.store is None:
            return None
        to_sql = getattr(where, "sql", None)
        given = [] if where is None else [f.name for f in fields(where) if getattr(where, f.name) is not None]  # type: ignore[arg-type]
        ordering = sql_order(order, self.order.sql)
        by_key = bool(ordering) and not ordering.startswith("t.pos")  # type: ignore[union-attr]
        filtered = to_sql is not None and (not given or any(name not in self.indexed for name in given))
        if not filtered and not (by_key and (where is None or to_sql is not None)):
            return None
        found = Where() if where is None or to_sql is None else to_sql(context)
        if found is None:
            return None
        records: Records[Any] = dataset.tables[self.stem]  # type: ignore[assignment]
        sql = f'SELECT t.pos{"" if found.check is None else ", " + found.check[0]} FROM "{self.stem}" t'
        if found.conditions:
            sql += " WHERE " + " AND ".join(found.conditions)
        in_sql = ordering if found.complete and ordering else "t.pos"
        sql += f" ORDER BY {in_sql}"
        check, tag = (None, "") if found.check is None else found.check[1:]
        kept: Sequence[Any] = RecordList(records, dataset.store.positions(sql, found.params, check, tag))
        if not found.complete:
            kept = keep(context, kept, where)
        if order is not None and in_sql != ordering:
            kept = apply_order(order, kept, context, self.order.keys)
        return kept

    def matching(self, context: Context, where: Filter | None) -> Sequence[Any]:
        """Takes a filter (or None) and returns the records it keeps, in file order.

        A filter naming an indexed reference (a claim's speaker, a citation's claim...) starts from
        that index list instead of every record; when it names nothing else, the list *is* the answer
        and no record is checked at all, so a page costs O(page), not O(records). The result may be
        a shared list: callers must not change it.
        """
        if where is None:
            return context.records(self.stem)
        given = [f.name for f in fields(where) if getattr(where, f.name) is not None]  # type: ignore[arg-type]
        indexed = [name for name in given if name in self.indexed]
        if not indexed:
            return keep(context, context.records(self.stem), where)
        candidates = []
        for name in indexed:
            type_name, index = self.indexed[name]
            candidates.append(index(context).get(slug_of(getattr(where, name), type_name), []))
        smallest = min(candidates, key=len)
        return smallest if len(given) == 1 else keep(context, smallest, where)


def keep(context: Context, records: Sequence[Any], where: Filter | None) -> Sequence[Any]:
    """Returns the records that pass the filter (all of them, as given, without one), in their order.

    A snapshot's lazy `RecordList` gives a `RecordList` of the positions kept: the records are
    decoded to be checked but not held (a filter keeping most of 100k claims kept them all).
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
    within: Callable[[Any, Context], Sequence[Any]] | None = None,
    filter_doc: str = _FILTER_DOC,
) -> Any:
    """Returns a connection field over the entity: filter, orderBy and cursor paging arguments.

    At the root (no `within`) it lists every record; on an object type, `within(parent, context)`
    gives the candidate records (e.g. a person's own claims, from an index).
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
        context: Context = info.context
        if within is None:
            ordered = entity.select(context, filter, order_by)
        else:
            kept = keep(context, within(self, context), filter)
            ordered = kept if order_by is None else apply_order(order_by, kept, context, entity.order.keys)
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
