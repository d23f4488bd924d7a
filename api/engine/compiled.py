"""Compiled execution: a validated query turned once into a plan of resolver calls, run per request.

graphql-core's generic work per field (collecting fields, building resolve info, completing values
by type) is the same on every request for a cached document; a plan does it once per document, so
running it is a resolver call and a dict store per field. Only the success path is compiled: a
document with directives, introspection or other rare features gets no plan, and any resolver
error, null in a non-null field or surprise at run time raises `Fallback`, so the caller runs the
request again with graphql-core and its error reporting (safe: data immutable, resolvers pure).
"""

from __future__ import annotations

import time
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_operation_ast,
    is_abstract_type,
    is_leaf_type,
)
from graphql.execution.values import get_variable_values
from strawberry.types import get_object_definition

from api.engine.plan_fields import (
    Complete,
    Fallback,
    Memo,
    PlannedField,
    Run,
    complete_object,
    memoised_object,
    serialized,
)
from api.graph.deadline import running_until

__all__ = ["Fallback", "Plan", "compile_operation"]


class Plan:
    """The compiled form of one query operation of a document."""

    def __init__(
        self,
        schema: GraphQLSchema,
        api: strawberry.Schema,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDefinitionNode],
        memo: Memo | None = None,
    ) -> None:
        self.schema, self.api, self.operation, self.fragments = schema, api, operation, fragments
        self.memo = memo
        """Where completed sub-selections without variables are kept per record; None: nowhere."""
        self.inline = True
        """Whether to try this plan on the event loop; False once a run of it outgrew the inline budget."""
        root = schema.query_type
        if root is None or operation.operation is not OperationType.QUERY or operation.directives:
            raise Fallback
        self.root = self.fields_of(root, [operation.selection_set])

    def run(self, context: Any, inputs: dict[str, Any] | None, seconds: float) -> dict[str, Any]:
        """Executes the plan; raises Fallback or QueryTimeout instead of returning partial data."""
        variables = get_variable_values(self.schema, self.operation.variable_definitions or (), inputs or {})
        if isinstance(variables, list):
            raise Fallback
        deadline = time.monotonic() + seconds
        run = Run(self.schema, self.fragments, self.operation, context, variables, deadline)
        with running_until(deadline):
            return complete_object(self.root, None, run)

    def fields_of(
        self, parent: GraphQLObjectType, selection_sets: list[SelectionSetNode]
    ) -> list[PlannedField]:
        """Collects the fields the selection sets ask of one object type, and plans each."""
        groups: dict[str, list[FieldNode]] = {}
        self._collect(parent, selection_sets, groups, set())
        planned = []
        for key, nodes in groups.items():
            if nodes[0].name.value in ("__schema", "__type"):
                raise Fallback
            field = PlannedField(key, nodes, parent, self.api)
            if nodes[0].name.value != "__typename":
                subsets = [n.selection_set for n in nodes if n.selection_set is not None]
                field.complete = self.completer(field.definition.type, subsets)
            planned.append(field)
        return planned

    def _collect(
        self,
        parent: GraphQLObjectType,
        selection_sets: list[SelectionSetNode],
        groups: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        """Groups fields by response key, as graphql-core does: each fragment spread at most once."""
        for selection_set in selection_sets:
            for selection in selection_set.selections:
                if selection.directives:
                    raise Fallback  # @skip/@include depend on variables: leave them to graphql-core
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    groups.setdefault(key, []).append(selection)
                    continue
                if isinstance(selection, InlineFragmentNode):
                    condition, inner = selection.type_condition, selection.selection_set
                elif isinstance(selection, FragmentSpreadNode):
                    if selection.name.value in visited:
                        continue
                    visited.add(selection.name.value)
                    fragment = self.fragments[selection.name.value]
                    condition, inner = fragment.type_condition, fragment.selection_set
                else:
                    raise Fallback
                if condition is None or self._applies(condition.name.value, parent):
                    self._collect(parent, [inner], groups, visited)

    def _applies(self, condition: str, parent: GraphQLObjectType) -> bool:
        wanted = self.schema.get_type(condition)
        if wanted is parent:
            return True
        return is_abstract_type(wanted) and self.schema.is_sub_type(wanted, parent)

    def completer(self, kind: GraphQLOutputType, subsets: list[SelectionSetNode]) -> Complete:
        """Returns the function that turns a resolved value of this type into response data: one
        frame per value (the null check is part of it), plus the object's or list's own work."""
        non_null = isinstance(kind, GraphQLNonNull)
        inner_kind: GraphQLOutputType = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
        if inner_kind is GraphQLString or inner_kind is GraphQLID:
            return _text(inner_kind, non_null)
        if inner_kind is GraphQLInt:
            return _int(non_null)
        inner = self._nullable(inner_kind, subsets)
        if non_null:

            def complete_non_null(value: Any, run: Run) -> Any:
                if value is None:
                    raise Fallback  # graphql-core reports the error and nulls the parent
                return inner(value, run)

            return complete_non_null
        return lambda value, run: None if value is None else inner(value, run)

    def _nullable(self, kind: GraphQLOutputType, subsets: list[SelectionSetNode]) -> Complete:
        if isinstance(kind, GraphQLList):
            item = self.completer(kind.of_type, subsets)
            return lambda value, run: [item(v, run) for v in value]
        if is_leaf_type(kind):
            return lambda value, run: serialized(kind, value)
        if isinstance(kind, GraphQLObjectType):
            return self._object(kind, subsets)
        if is_abstract_type(kind):
            return self._abstract(kind, subsets)
        raise Fallback

    def _abstract(self, kind: GraphQLAbstractType, subsets: list[SelectionSetNode]) -> Complete:
        by_type: dict[type, Complete] = {}

        def abstract(value: Any, run: Run) -> Any:
            complete = by_type.get(type(value))
            if complete is None:
                definition = get_object_definition(type(value))
                runtime = self.schema.get_type(getattr(definition, "name", ""))
                if not isinstance(runtime, GraphQLObjectType) or not self.schema.is_sub_type(kind, runtime):
                    raise Fallback
                complete = by_type[type(value)] = self._object(runtime, subsets)
            return complete(value, run)

        return abstract

    def _object(self, kind: GraphQLObjectType, subsets: list[SelectionSetNode]) -> Complete:
        fields = self.fields_of(kind, subsets)
        if self.memo is not None:
            return memoised_object(fields, self.fragments, self.memo)
        return lambda value, run: complete_object(fields, value, run)


def _text(kind: GraphQLScalarType, non_null: bool) -> Complete:
    """Completes a String or ID: a str is its own serialisation (graphql-core's serializers return
    it as it is); anything else goes through the type's serializer."""

    def complete_text(value: Any, run: Run) -> Any:
        if type(value) is str:
            return value
        if value is None:
            if non_null:
                raise Fallback
            return None
        return serialized(kind, value)

    return complete_text


def _int(non_null: bool) -> Complete:
    """Completes an Int: a 32-bit int is its own serialisation; anything else is graphql-core's."""

    def complete_int(value: Any, run: Run) -> Any:
        if type(value) is int and -2147483648 <= value <= 2147483647:
            return value
        if value is None:
            if non_null:
                raise Fallback
            return None
        return serialized(GraphQLInt, value)

    return complete_int


def compile_operation(
    schema: GraphQLSchema,
    api: strawberry.Schema,
    document: DocumentNode,
    operation_name: str | None,
    fragments: dict[str, FragmentDefinitionNode],
    memo: Memo | None = None,
) -> Plan | None:
    """Returns the plan for the document's operation, or None when graphql-core must run it.

    `api` is the strawberry schema behind `schema`: its field definitions tell which resolvers the
    plan may call directly (api/engine/direct_calls.py). With a `memo`, the plan reuses per record
    the completed values of sub-selections that use no variable (api/engine/plan_fields.py: Memo).
    """
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    try:
        return Plan(schema, api, operation, fragments, memo)
    except (Fallback, KeyError):
        return None
