"""The parts of a compiled plan that run per request: one planned field, one run, one object."""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeGuard

import strawberry
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    Node,
    OperationDefinitionNode,
    VariableNode,
)
from graphql.execution.values import VariableValues, get_argument_values
from graphql.pyutils import Path
from strawberry.types.field import StrawberryField

from api.engine.deadline import QueryTimeout
from api.engine.direct_calls import DirectCall, direct_call


class Fallback(Exception):
    """This request (or document) needs graphql-core's own executor."""


Complete = Callable[[Any, "Run"], Any]


class Run:
    """The state of one execution: context, coerced variables, deadline, and the infos built so far."""

    __slots__ = (
        "arguments", "context", "deadline", "fragments", "infos",
        "keywords", "objects", "operation", "schema", "variables",
    )

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        operation: OperationDefinitionNode,
        context: Any,
        variables: VariableValues,
        deadline: float,
    ) -> None:
        self.schema, self.fragments, self.operation = schema, fragments, operation
        self.context, self.variables, self.deadline = context, variables, deadline
        self.objects = 0
        self.infos: dict[PlannedField, strawberry.Info[Any, Any]] = {}
        self.arguments: dict[PlannedField, dict[str, Any]] = {}
        self.keywords: dict[PlannedField, dict[str, Any]] = {}

    def keywords_of(self, field: PlannedField) -> dict[str, Any]:
        """The Python keyword arguments of a directly called resolver in this run (its info
        included): the same for every parent object, so built once per run."""
        found = self.keywords.get(field)
        if found is None:
            assert field.direct is not None
            found = self.keywords[field] = field.direct.keywords(
                self.arguments_of(field), lambda: self.info(field)
            )
        return found

    def arguments_of(self, field: PlannedField) -> dict[str, Any]:
        """A field's arguments with this run's variables: the same for every object, so coerced once."""
        found = self.arguments.get(field)
        if found is None:
            node = field.nodes[0]
            found = self.arguments[field] = get_argument_values(field.definition, node, self.variables)
        return found

    def resolve_info(self, field: PlannedField) -> GraphQLResolveInfo[Any]:
        """A graphql-core resolve info for the field (what strawberry's own resolver wrapper reads)."""
        return GraphQLResolveInfo(
            field_name=field.nodes[0].name.value,
            field_nodes=field.nodes,
            return_type=field.definition.type,
            parent_type=field.parent,
            path=Path(None, field.key, field.parent.name),
            schema=self.schema,
            fragments=self.fragments,
            root_value=None,
            operation=self.operation,
            variable_values=self.variables,
            context=self.context,
            is_awaitable=_never_awaitable,
            abort_signal=None,
            async_helpers=None,  # type: ignore[arg-type]  # nothing here is asynchronous
        )

    def info(self, field: PlannedField) -> strawberry.Info[Any, Any]:
        """The strawberry Info a resolver declaring `info` receives: one per field and execution."""
        found = self.infos.get(field)
        if found is None:
            assert field.strawberry_field is not None
            found = self.infos[field] = strawberry.Info(self.resolve_info(field), field.strawberry_field)
        return found


def _never_awaitable(value: Any) -> TypeGuard[Awaitable[Any]]:
    return False


class PlannedField:
    """One response key of an object: how to get its value, and how to complete it."""

    __slots__ = ("call", "complete", "definition", "direct", "key", "nodes", "parent", "strawberry_field")

    def __init__(
        self, key: str, nodes: list[FieldNode], parent: GraphQLObjectType, api: strawberry.Schema
    ) -> None:
        self.key, self.nodes, self.parent = key, nodes, parent
        self.complete: Complete = identity
        self.strawberry_field: StrawberryField | None = None
        self.direct: DirectCall | None = None
        """Set when the resolver is called directly with per-run keywords (see Run.keywords_of)."""
        if nodes[0].name.value == "__typename":
            name = parent.name
            self.call: Callable[[Any, Run], Any] = lambda source, run: name
            return
        self.definition = parent.fields[nodes[0].name.value]
        self.strawberry_field = api.get_field_for_type(nodes[0].name.value, parent.name)
        self.call = self._caller(api)

    def _caller(self, api: strawberry.Schema) -> Callable[[Any, Run], Any]:
        """Builds the call for this field: the resolver, directly when it can be, with its arguments
        (computed once when the query spells them out, per run when they use variables)."""
        definition, node, resolve = self.definition, self.nodes[0], self.definition.resolve
        if resolve is None:
            raise Fallback  # strawberry gives every field a resolver; anything else is graphql-core's
        direct = direct_call(api, self.strawberry_field, definition)
        constant: dict[str, Any] | None = None
        if not definition.args:
            constant = {}
        elif not _has_variables(node):
            constant = get_argument_values(definition, node, VariableValues({}, {}))
        if direct is not None:
            call, takes_self = direct.resolver, direct.takes_self
            if constant is not None and direct.info_name is None:  # the same call for every run
                fixed = direct.keywords(constant, _no_info)
                if not fixed:
                    return (lambda source, run: call(source)) if takes_self else (lambda source, run: call())
                if takes_self:
                    return lambda source, run: call(source, **fixed)
                return lambda source, run: call(**fixed)
            self.direct = direct
            if takes_self:
                return lambda source, run: call(source, **run.keywords_of(self))
            return lambda source, run: call(**run.keywords_of(self))
        if constant is not None:
            return lambda source, run: resolve(source, run.resolve_info(self), **constant)
        return lambda source, run: resolve(source, run.resolve_info(self), **run.arguments_of(self))


def _no_info() -> Any:
    raise AssertionError("a resolver without an info parameter asked for one")


def _has_variables(node: Node) -> bool:
    if isinstance(node, VariableNode):
        return True
    return any(
        _has_variables(child)
        for key in node.keys
        for value in [getattr(node, key, None)]
        for child in (value if isinstance(value, tuple | list) else [value])
        if isinstance(child, Node)
    )


def identity(value: Any, run: Run) -> Any:
    """Completes a value as it is (the default, and __typename)."""
    return value


def serialized(kind: Any, value: Any) -> Any:
    """Serialises a leaf value by its type; a null result is graphql-core's error to report."""
    result = kind.serialize(value)
    if result is None:
        raise Fallback
    return result


def complete_object(fields: list[PlannedField], source: Any, run: Run) -> dict[str, Any]:
    """Fills one object's response keys in order; checks the deadline on the first and every 64th."""
    run.objects += 1
    if run.objects & 63 == 1 and time.monotonic() > run.deadline:  # the first object, then every 64th
        raise QueryTimeout
    out: dict[str, Any] = {}
    for field in fields:
        out[field.key] = field.complete(field.call(source, run), run)
    return out


MEMO_CAPACITY = 50_000
"""How many completed sub-selections an engine keeps (across all its plans) by default."""


class Memo:
    """Completed values of sub-selections that use no variable, per record, for every plan of one
    engine: at most `capacity` (selection, record) entries, evicted in two generations.

    The data is immutable while served and resolvers are pure, so a selection of a record completes to
    the same value every time. A selection is a plan's list of fields of one object type, numbered by
    `table()`; a record is its wrapper's type and fixture id (valid as long as the dataset). Entries
    are shared read-only: nothing downstream mutates response data.

    New entries go into `young`; when it holds half the capacity, it becomes `old` (the previous old
    generation is dropped) and a new young one starts. A hit in `young` is a plain dict read with no
    bookkeeping; a hit in `old` moves the entry back into `young`, so what is used survives and what
    was not used for a whole generation goes (an LRU's effect, without its per-hit work). Both dicts
    keep their identity (rotation copies), so completers may hold them.
    """

    def __init__(self, capacity: int = MEMO_CAPACITY) -> None:
        self.capacity = capacity
        self.generation = capacity // 2 if capacity > 1 else capacity
        self.young: dict[Hashable, dict[str, Any]] = {}
        self.old: dict[Hashable, dict[str, Any]] = {}
        self._tables = itertools.count()
        self.hits = self.misses = 0

    def table(self) -> int:
        """A fresh number for one selection of one plan (never reused, unlike an object's id())."""
        return next(self._tables)

    def __len__(self) -> int:
        return len(self.young) + len(self.old)

    def values(self) -> list[dict[str, Any]]:
        """Every entry kept, old generation first."""
        return [*self.old.values(), *self.young.values()]

    def revive(self, key: Hashable) -> dict[str, Any] | None:
        """Returns an entry of the old generation, moved back into the young one; None if absent."""
        found = self.old.pop(key, None)
        if found is not None:
            self.store(key, found)
        return found

    def store(self, key: Hashable, value: dict[str, Any]) -> None:
        """Keeps an entry in the young generation, turning it old first when it is full."""
        if self.generation <= 0:
            return
        young = self.young
        if len(young) >= self.generation:
            self.old.clear()
            if self.capacity > 1:
                self.old.update(young)
            young.clear()
        young[key] = value


_RECORD_ONLY: dict[type, bool] = {}


def record_key(value: Any) -> str | None:
    """The fixture id of the record a GraphQL object wraps, when the object is nothing but that
    record (a strawberry type whose only constructor field is `record`, with a string `id`); otherwise
    None (e.g. an Edge, a Connection, an Evidence, whose record has no id)."""
    kind = type(value)
    only = _RECORD_ONLY.get(kind)
    if only is None:
        only = _RECORD_ONLY[kind] = dataclasses.is_dataclass(kind) and [
            f.name for f in dataclasses.fields(kind) if f.init  # resolver fields are not state
        ] == ["record"]
    if not only:
        return None
    key = getattr(value.record, "id", None)
    return key if type(key) is str else None


def uses_variables(nodes: list[FieldNode], fragments: dict[str, FragmentDefinitionNode]) -> bool:
    """Whether any of the field's nodes, its arguments or anything selected below it (fragments
    followed) refers to a variable."""
    return any(_refers_to_variables(node, fragments, set()) for node in nodes)


def _refers_to_variables(node: Node, fragments: dict[str, FragmentDefinitionNode], seen: set[str]) -> bool:
    if isinstance(node, VariableNode):
        return True
    if isinstance(node, FragmentSpreadNode):
        name = node.name.value
        if name not in seen:
            seen.add(name)
            fragment = fragments.get(name)
            if fragment is None or _refers_to_variables(fragment, fragments, seen):
                return True
    return any(
        _refers_to_variables(child, fragments, seen)
        for key in node.keys
        for value in [getattr(node, key, None)]
        for child in (value if isinstance(value, tuple | list) else [value])
        if isinstance(child, Node)
    )


def memoised_object(
    fields: list[PlannedField], fragments: dict[str, FragmentDefinitionNode], memo: Memo
) -> Complete:
    """Completes objects of one selection, reusing per record the values of its fields that use no
    variable (see Memo); the fields that do are completed on every run, in their place."""
    fixed = [not uses_variables(f.nodes, fragments) for f in fields]
    if not any(fixed):
        return lambda value, run: complete_object(fields, value, run)
    varying = [f for f, is_fixed in zip(fields, fixed, strict=True) if not is_fixed]
    layout = list(zip(fields, fixed, strict=True))
    table, young = memo.table(), memo.young

    def complete(value: Any, run: Run) -> dict[str, Any]:
        record = record_key(value)
        if record is None:
            return complete_object(fields, value, run)
        key = (table, type(value), record)
        found = young.get(key)
        if found is None:
            found = memo.revive(key)
        if found is None:
            memo.misses += 1
            found = {}
            for field, is_fixed in layout:  # every key in its place; the varying ones filled below
                found[field.key] = field.complete(field.call(value, run), run) if is_fixed else None
            memo.store(key, found)
        else:
            memo.hits += 1
        run.objects += 1
        if run.objects & 63 == 1 and time.monotonic() > run.deadline:
            raise QueryTimeout
        if not varying:
            return found
        out = found.copy()
        for field in varying:
            out[field.key] = field.complete(field.call(value, run), run)
        return out

    return complete
