"""GitHub-style cost estimate: how many nodes a query could return, checked before execution."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    value_from_ast_untyped,
)

from api.engine.query_shape import fragments_of
from api.errors import QUERY_TOO_COMPLEX
from api.graph.relay import MAX_PAGE
from api.settings import Limits

_PAGE_ARGUMENTS = ("first", "last")
_LIST_ARGUMENT = "ids"  # `nodes(ids:)` returns one object per id


class _Estimate:
    """Walks one operation with its types; each fragment is costed once (memoised) and reused."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema, self.fragments, self.variables = schema, fragments, variables
        self.memo: dict[str, int] = {}
        self.consulted: set[str] = set()
        """The variables whose values the estimate read (page sizes, ids): all it depends on."""

    def selections(self, parent: GraphQLNamedType | None, node: SelectionSetNode | None) -> int:
        """Returns how many nodes this selection set could return for one parent object."""
        if node is None:
            return 0
        total = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                total += self.field(parent, selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selections(inner, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value)
        return total

    def fragment(self, name: str) -> int:
        if name not in self.memo:
            self.memo[name] = 0  # a cycle (rejected by validation anyway) costs nothing
            definition = self.fragments.get(name)
            if definition is not None:
                condition = self.schema.get_type(definition.type_condition.name.value)
                self.memo[name] = self.selections(condition, definition.selection_set)
        return self.memo[name]

    def field(self, parent: GraphQLNamedType | None, node: FieldNode) -> int:
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        definition = parent.fields.get(node.name.value)
        if definition is None:  # __typename, __schema, __type, or a field validation rejects
            return 0
        inner = self.selections(get_named_type(definition.type), node.selection_set)
        page = self.page(node, definition)
        return inner if page is None else page + page * inner

    def page(self, node: FieldNode, definition: GraphQLField) -> int | None:
        """Returns how many items this field can return, or None when it is not a paginated list."""
        given = {a.name.value: a.value for a in node.arguments or ()}  # values read only when used
        if _LIST_ARGUMENT in definition.args and _LIST_ARGUMENT in given:
            ids = self.value(given[_LIST_ARGUMENT])
            if isinstance(ids, list):
                return len(ids)
        sizes: list[int] = []
        for name in _PAGE_ARGUMENTS:
            if name not in definition.args:
                continue
            value = self.value(given[name]) if name in given else definition.args[name].default_value
            # Out of range sizes are left to the resolvers, which answer BAD_USER_INPUT at that field.
            if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_PAGE:
                sizes.append(value)
        if not any(name in definition.args for name in _PAGE_ARGUMENTS):
            return None
        return max(sizes) if sizes else MAX_PAGE  # what a connection returns without first/last

    def value(self, node: ValueNode) -> Any:
        if isinstance(node, VariableNode):
            self.consulted.add(node.name.value)
            return self.variables.get(node.name.value)
        if isinstance(node, IntValueNode | ListValueNode):
            return value_from_ast_untyped(node)
        return None


def _default_variables(operation: OperationDefinitionNode, variables: Mapping[str, Any]) -> dict[str, Any]:
    values = {
        d.variable.name.value: value_from_ast_untyped(d.default_value)
        for d in operation.variable_definitions or ()
        if d.default_value is not None
    }
    values.update(variables)
    return values


def estimate_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
    fragments: Mapping[str, FragmentDefinitionNode] | None = None,
) -> int:
    """Takes a validated operation and its variables; returns how many nodes it could return.
    `fragments`: the document's fragments by name, when the caller has them already.

    The cost is GitHub's: every paginated field counts the items it may return (its `first` or
    `last`, else its default page), multiplied by the pages of the paginated fields around it.
    """
    return _estimate(schema, document, operation, variables, fragments)[0]


def _estimate(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
    fragments: Mapping[str, FragmentDefinitionNode] | None,
) -> tuple[int, frozenset[str]]:
    """The cost, and the names of the variables it depends on."""
    known = fragments_of(document) if fragments is None else fragments
    estimate = _Estimate(schema, known, _default_variables(operation, variables))
    root = schema.get_root_type(operation.operation)
    return estimate.selections(root, operation.selection_set), frozenset(estimate.consulted)


class CostMemo:
    """One document's costs, per operation and the values of the variables the cost depends on.

    Those variables (page sizes, ids) are the same for every request of the operation, so a request
    differing in others (a new `asOf`) costs a dict lookup, not a walk of the document. At most
    `capacity` costs are kept (then all are forgotten).
    """

    def __init__(self, capacity: int = 64) -> None:
        self.capacity = capacity
        self.depends: dict[int, tuple[str, ...]] = {}
        self.costs: dict[Hashable, int] = {}

    def cost(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
        fragments: Mapping[str, FragmentDefinitionNode] | None,
    ) -> int:
        """`estimate_cost`, remembered. The document (and so its operation nodes) must be this memo's."""
        names = self.depends.get(id(operation))
        key: Hashable | None = None
        if names is not None:
            values = _default_variables(operation, variables) if names else {}
            key = (id(operation), *(_frozen(values.get(name)) for name in names))
            found = self.costs.get(key)
            if found is not None:
                return found
        cost, consulted = _estimate(schema, document, operation, variables, fragments)
        if names is None:
            self.depends[id(operation)] = names = tuple(sorted(consulted))
            values = _default_variables(operation, variables) if names else {}
            key = (id(operation), *(_frozen(values.get(name)) for name in names))
        if len(self.costs) >= self.capacity:
            self.costs.clear()
        self.costs[key] = cost
        return cost


def _frozen(value: Any) -> Hashable:
    """A variable's value as part of a dict key: its type too (True is not 1), lists as tuples."""
    if isinstance(value, list):
        return (list, tuple(_frozen(v) for v in value))
    if isinstance(value, dict):
        return (dict, tuple(sorted((k, _frozen(v)) for k, v in value.items())))
    return (type(value), value)


def check_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
    limits: Limits,
    fragments: Mapping[str, FragmentDefinitionNode] | None = None,
    memo: CostMemo | None = None,
) -> list[GraphQLError]:
    """Returns the QUERY_TOO_COMPLEX error that stops this operation, if it costs more than the limit.
    `memo`: the document's CostMemo, to look the cost up instead of working it out again."""
    if memo is None:
        cost = estimate_cost(schema, document, operation, variables, fragments)
    else:
        cost = memo.cost(schema, document, operation, variables, fragments)
    if cost <= limits.max_cost:
        return []
    message = (
        f"The query could return up to {cost} nodes; the limit is {limits.max_cost}. "
        "Ask for smaller pages (`first`/`last`) or fewer nested connections."
    )
    extensions = {"code": QUERY_TOO_COMPLEX, "cost": cost, "limit": limits.max_cost}
    return [GraphQLError(message, operation, extensions=extensions)]
