"""Bounds on a query document's shape: tokens, depth, aliases and directives per operation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSyntaxError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Source,
    ValidationRule,
    parse,
)

from api.errors import QUERY_TOO_DEEP, TOO_MANY_ALIASES, TOO_MANY_DIRECTIVES, TOO_MANY_TOKENS
from api.settings import Limits

# Their nesting is bounded by graphql-core's MaxIntrospectionDepthRule instead, so GraphiQL's
# introspection query (14 levels of `ofType`) passes with a depth limit meant for data.
_INTROSPECTION = frozenset({"__schema", "__type"})


def parse_query(source: str, limits: Limits) -> DocumentNode:
    """Parses a query, stopping at `limits.max_tokens`; raises GraphQLSyntaxError either way.

    The token error carries `extensions.code = TOO_MANY_TOKENS`; other syntax errors carry none
    (the pipeline reports them as GRAPHQL_PARSE_FAILED).
    """
    try:
        return parse(Source(source), max_tokens=limits.max_tokens)
    except GraphQLSyntaxError as error:
        if "tokens. Parsing aborted" in error.message:
            error.message = f"The query has more than {limits.max_tokens} tokens (the limit)."
            error.extensions = {"code": TOO_MANY_TOKENS, "limit": limits.max_tokens}
        raise


@dataclass(frozen=True)
class Shape:
    """What one operation asks for: deepest field nesting, aliased fields, directives used."""

    depth: int = 0
    aliases: int = 0
    directives: int = 0


class _Measure:
    """Measures selection sets, expanding each fragment once (memoised), so cost stays linear."""

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode], cutoff: int) -> None:
        self.fragments = fragments
        self.cutoff = cutoff  # deeper than this is already over the limit: stop descending
        self.memo: dict[tuple[str, int], Shape] = {}
        self.active: set[str] = set()  # fragments being expanded; a cycle counts as empty

    def selections(self, node: SelectionSetNode | None, level: int) -> Shape:
        depth = aliases = directives = 0
        if node is None or level > self.cutoff:
            return Shape()
        for selection in node.selections:
            directives += len(selection.directives or ())
            if isinstance(selection, FieldNode):
                inner = self.selections(selection.selection_set, level + 1)
                own = 0 if selection.name.value in _INTROSPECTION else 1 + inner.depth
                aliases += int(selection.alias is not None)
            elif isinstance(selection, InlineFragmentNode):
                inner = self.selections(selection.selection_set, level)
                own = inner.depth
            elif isinstance(selection, FragmentSpreadNode):
                inner = self.fragment(selection.name.value, level)
                own = inner.depth
            depth = max(depth, own)
            aliases += inner.aliases
            directives += inner.directives
        return Shape(depth, aliases, directives)

    def fragment(self, name: str, level: int) -> Shape:
        if (name, level) in self.memo:
            return self.memo[name, level]
        definition = self.fragments.get(name)
        if definition is None or name in self.active:
            return Shape()
        self.active.add(name)
        inner = self.selections(definition.selection_set, level)
        self.active.discard(name)
        shape = Shape(inner.depth, inner.aliases, inner.directives + len(definition.directives or ()))
        self.memo[name, level] = shape  # keyed by level: the cutoff may cut it short further down
        return shape


def measure(document: DocumentNode, operation: OperationDefinitionNode, cutoff: int = 1000) -> Shape:
    """Takes a document and one of its operations; returns the operation's shape, fragments expanded."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    inner = _Measure(fragments, cutoff).selections(operation.selection_set, 1)
    return Shape(inner.depth, inner.aliases, inner.directives + len(operation.directives or ()))


def _limit_error(message: str, node: Any, code: str, limit: int) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": code, "limit": limit})


def shape_rules(limits: Limits) -> tuple[type[ValidationRule], ...]:
    """Returns graphql-core validation rules enforcing `limits` on depth, aliases and directives."""

    class OperationShapeRule(ValidationRule):
        """Reports each shape limit an operation exceeds, with its own stable code."""

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            shape = measure(self.context.document, node, cutoff=limits.max_depth + 1)
            name = f"Operation `{node.name.value}`" if node.name else "The operation"
            checks = (
                (shape.depth, limits.max_depth, QUERY_TOO_DEEP, "levels of nested fields"),
                (shape.aliases, limits.max_aliases, TOO_MANY_ALIASES, "aliased fields"),
                (shape.directives, limits.max_directives, TOO_MANY_DIRECTIVES, "directives"),
            )
            for value, limit, code, what in checks:
                if value > limit:
                    message = f"{name} exceeds the limit of {limit} {what}."
                    self.report_error(_limit_error(message, node, code, limit))

    return (OperationShapeRule,)
