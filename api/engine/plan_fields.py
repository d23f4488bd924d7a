"""The parts of a compiled plan that run per request: one planned field, one run, one object."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeGuard

from graphql import FieldNode, GraphQLObjectType, GraphQLResolveInfo, Node, VariableNode
from graphql.execution.values import VariableValues, get_argument_values
from graphql.pyutils import Path

from api.engine.direct_resolvers import DIRECT_RESOLVERS

if TYPE_CHECKING:
    from api.engine.compiled import Plan


class Fallback(Exception):
    """This request (or document) needs graphql-core's own executor."""


class Timeout(Exception):
    """The execution deadline passed."""


Complete = Callable[[Any, "Run"], Any]


class Run:
    """The state of one execution: context, coerced variables, deadline."""

    __slots__ = ("context", "deadline", "objects", "operation", "plan", "variables")

    def __init__(self, plan: Plan, context: Any, variables: VariableValues, deadline: float) -> None:
        self.plan, self.context, self.variables, self.deadline = plan, context, variables, deadline
        self.operation = plan.operation
        self.objects = 0

    def info(self, field: PlannedField, parent: GraphQLObjectType) -> GraphQLResolveInfo[Any]:
        """A full resolve info for resolvers that need one (strawberry's, for fields with arguments)."""
        return GraphQLResolveInfo(
            field_name=field.nodes[0].name.value,
            field_nodes=field.nodes,
            return_type=field.definition.type,
            parent_type=parent,
            path=Path(None, field.key, parent.name),
            schema=self.plan.schema,
            fragments=self.plan.fragments,
            root_value=None,
            operation=self.operation,
            variable_values=self.variables,
            context=self.context,
            is_awaitable=_never_awaitable,
            abort_signal=None,
            async_helpers=None,  # type: ignore[arg-type]  # nothing here is asynchronous
        )


def _never_awaitable(value: Any) -> TypeGuard[Awaitable[Any]]:
    return False


class PlannedField:
    """One response key of an object: how to get its value, and how to complete it."""

    __slots__ = ("call", "complete", "definition", "key", "nodes", "parent")

    def __init__(self, key: str, nodes: list[FieldNode], parent: GraphQLObjectType) -> None:
        self.key, self.nodes, self.parent = key, nodes, parent
        self.complete: Complete = identity
        if nodes[0].name.value == "__typename":
            name = parent.name
            self.call: Callable[[Any, Run], Any] = lambda source, run: name
            return
        self.definition = parent.fields[nodes[0].name.value]
        self.call = self._caller()

    def _caller(self) -> Callable[[Any, Run], Any]:
        """Builds the call for this field: resolver, the info it needs, arguments (constant if literal)."""
        definition, node, resolve = self.definition, self.nodes[0], self.definition.resolve
        if resolve is None:
            raise Fallback  # strawberry gives every field a resolver; anything else is graphql-core's
        direct = resolve in DIRECT_RESOLVERS
        if not definition.args:
            if direct:
                return lambda source, run: resolve(source, run)
            return lambda source, run: resolve(source, run.info(self, self.parent))
        if not _has_variables(node):
            constant = get_argument_values(definition, node, VariableValues({}, {}))
            if direct:
                return lambda source, run: resolve(source, run, **constant)
            return lambda source, run: resolve(source, run.info(self, self.parent), **constant)
        if direct:
            return lambda source, run: resolve(
                source, run, **get_argument_values(definition, node, run.variables)
            )
        return lambda source, run: resolve(
            source, run.info(self, self.parent), **get_argument_values(definition, node, run.variables)
        )


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
        raise Timeout
    out: dict[str, Any] = {}
    for field in fields:
        out[field.key] = field.complete(field.call(source, run), run)
    return out
