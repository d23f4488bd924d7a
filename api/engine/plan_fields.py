"""The parts of a compiled plan that run per request: one planned field, one run, one object."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeGuard

import strawberry
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
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
from api.engine.direct_calls import direct_call


class Fallback(Exception):
    """This request (or document) needs graphql-core's own executor."""


Complete = Callable[[Any, "Run"], Any]


class Run:
    """The state of one execution: context, coerced variables, deadline, and the infos built so far."""

    __slots__ = (
        "arguments", "context", "deadline", "fragments", "infos",
        "objects", "operation", "schema", "variables",
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

    __slots__ = ("call", "complete", "definition", "key", "nodes", "parent", "strawberry_field")

    def __init__(
        self, key: str, nodes: list[FieldNode], parent: GraphQLObjectType, api: strawberry.Schema
    ) -> None:
        self.key, self.nodes, self.parent = key, nodes, parent
        self.complete: Complete = identity
        self.strawberry_field: StrawberryField | None = None
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
            if constant is not None:
                return lambda source, run: direct(source, lambda: run.info(self), constant)
            return lambda source, run: direct(source, lambda: run.info(self), run.arguments_of(self))
        if constant is not None:
            return lambda source, run: resolve(source, run.resolve_info(self), **constant)
        return lambda source, run: resolve(source, run.resolve_info(self), **run.arguments_of(self))


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
