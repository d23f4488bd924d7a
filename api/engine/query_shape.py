"""Bounds on a query document's shape: tokens, depth, aliases and directives per operation, and the
work of checking that same-named fields merge (`check_field_merging`, run before validation)."""

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

from api.errors import (
    QUERY_TOO_DEEP,
    TOO_MANY_ALIASES,
    TOO_MANY_DIRECTIVES,
    TOO_MANY_FIELD_COMPARISONS,
    TOO_MANY_TOKENS,
)
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


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    """Returns a document's fragment definitions by name (built once per prepared document)."""
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def measure(document: DocumentNode, operation: OperationDefinitionNode, cutoff: int = 1000) -> Shape:
    """Takes a document and one of its operations; returns the operation's shape, fragments expanded."""
    fragments = fragments_of(document)
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


_TYPE_UNITS = 4
"""What comparing two fields' types can cost the rule: one unit per list or non-null wrapper, one for
the named types. parley's schema wraps at most three deep (`[__Type!]!`);
tests/api/engine/test_engine_defects.py checks that."""


class _OverBudget(Exception):
    """The estimate passed its budget: the caller refuses the document."""


@dataclass
class _Collected:
    """One selection set as the merging rule sees it: fields by response name (inline fragments
    flattened) and the fragments it spreads, each named once."""

    fields: dict[str, list[FieldNode]]
    spreads: list[str]
    spread_count: int  # with repeats


class _FieldMerging:
    """Estimates the work of graphql-core's OverlappingFieldsCanBeMergedRule on a document.

    It walks the document as the rule does (pairs of fields of one response name and their
    sub-selections, fields against the fragments they spread, fragment pairs once) and charges the
    units the rule's own meter charges, assuming every pair is compared all the way down. It is an
    upper bound, checked by the tests against graphql-core's meter; the known gap is that the rule
    may redo a memoised fields/fragment pair for mutually exclusive parents. It raises _OverBudget
    once the charge passes `budget`, so its own work is at most the budget plus one pass.
    """

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode], budget: int) -> None:
        self.fragments = fragments
        self.budget = budget
        self.spent = 0
        self.collected: dict[int, _Collected] = {}  # by id() of the selection set node
        self.overlaps: dict[tuple[int, int], list[tuple[list[FieldNode], list[FieldNode]]]] = {}
        self.fields_and_fragments: set[tuple[int, str]] = set()
        self.fragment_pairs: set[tuple[str, str]] = set()

    def charge(self, units: int) -> None:
        self.spent += units
        if self.spent > self.budget:
            raise _OverBudget

    def collect(self, node: SelectionSetNode) -> _Collected:
        found = self.collected.get(id(node))
        if found is None:
            fields: dict[str, list[FieldNode]] = {}
            spreads: dict[str, None] = {}
            spread_count = 0
            pending = [node]
            while pending:  # inline fragments join their enclosing selection set
                for selection in pending.pop().selections:
                    if isinstance(selection, FieldNode):
                        name = selection.alias.value if selection.alias else selection.name.value
                        fields.setdefault(name, []).append(selection)
                    elif isinstance(selection, FragmentSpreadNode):
                        spreads[selection.name.value] = None
                        spread_count += 1
                    elif isinstance(selection, InlineFragmentNode):
                        pending.append(selection.selection_set)
            found = self.collected[id(node)] = _Collected(fields, list(spreads), spread_count)
            self.charge(spread_count)  # the rule resolves each spread of a selection set once
        return found

    def within(self, node: SelectionSetNode) -> None:
        """What the rule does on entering one selection set of the document."""
        collected = self.collect(node)
        for fields in collected.fields.values():
            for i, first in enumerate(fields):
                for second in fields[i + 1 :]:
                    self.pair(first, second)
        spreads = collected.spreads
        if spreads and (collected.fields or collected.spread_count > 1):
            for i, name in enumerate(spreads):
                self.fields_and_fragment(collected, name)
                for other in spreads[i + 1 :]:
                    self.fragment_pair(name, other)

    def pair(self, first: FieldNode, second: FieldNode) -> None:
        self.charge(2 + _TYPE_UNITS + len(first.arguments or ()))
        if first.selection_set is not None and second.selection_set is not None:
            one, two = self.collect(first.selection_set), self.collect(second.selection_set)
            self.between(one, two)
            for name in two.spreads:
                self.fields_and_fragment(one, name)
            for name in one.spreads:
                self.fields_and_fragment(two, name)
            for name in one.spreads:
                for other in two.spreads:
                    self.fragment_pair(name, other)

    def between(self, one: _Collected, two: _Collected) -> None:
        if not one.fields or not two.fields:
            return
        key = (id(one), id(two))
        overlapping = self.overlaps.get(key)
        if overlapping is None:
            self.charge(len(one.fields))
            overlapping = [(f, two.fields[n]) for n, f in one.fields.items() if n in two.fields]
            self.overlaps[key] = overlapping
        for firsts, seconds in overlapping:
            for first in firsts:
                for second in seconds:
                    self.pair(first, second)

    def fields_and_fragment(self, collected: _Collected, name: str) -> None:
        self.charge(1)
        if not collected.fields or (id(collected), name) in self.fields_and_fragments:
            return
        self.fields_and_fragments.add((id(collected), name))
        definition = self.fragments.get(name)
        if definition is None:
            return
        other = self.collect(definition.selection_set)
        if other is collected:
            return
        self.between(collected, other)
        for spread in other.spreads:
            self.fields_and_fragment(collected, spread)

    def fragment_pair(self, one: str, two: str) -> None:
        self.charge(2)
        key = (one, two) if one < two else (two, one)
        if one == two or key in self.fragment_pairs:
            return
        self.fragment_pairs.add(key)
        first, second = self.fragments.get(one), self.fragments.get(two)
        if first is None or second is None:
            return
        left, right = self.collect(first.selection_set), self.collect(second.selection_set)
        self.between(left, right)
        for spread in right.spreads:
            self.fragment_pair(one, spread)
        for spread in left.spreads:
            self.fragment_pair(spread, two)


def _selection_sets(document: DocumentNode) -> list[SelectionSetNode]:
    """Every selection set the rule enters: all of them but those directly under an inline fragment."""
    found: list[SelectionSetNode] = []
    pending: list[SelectionSetNode] = [
        d.selection_set
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    while pending:
        node = pending.pop()
        found.append(node)
        inline = [node]
        while inline:
            for selection in inline.pop().selections:
                if isinstance(selection, FieldNode) and selection.selection_set is not None:
                    pending.append(selection.selection_set)
                elif isinstance(selection, InlineFragmentNode):
                    inline.append(selection.selection_set)
    return found


def _estimate(document: DocumentNode, budget: int) -> tuple[_FieldMerging, SelectionSetNode | None]:
    """Returns the estimate and the selection set it was checking when it passed `budget` (or None)."""
    fragments = fragments_of(document)
    merging = _FieldMerging(fragments, budget)
    node = None
    try:
        for node in _selection_sets(document):
            merging.within(node)
    except _OverBudget:
        return merging, node
    except RecursionError:  # nested deeper than the interpreter allows: far past any budget
        merging.spent = max(merging.spent, budget + 1)
        return merging, node
    return merging, None


def field_merge_cost(document: DocumentNode, budget: int) -> int:
    """Takes a parsed document; returns the estimated work of checking that its fields merge.

    The estimate is in graphql-core's own units (see _FieldMerging). Counting stops once past
    `budget`: the result is then a little over `budget` (by one step's charge at most).
    """
    return _estimate(document, budget)[0].spent


def check_field_merging(document: DocumentNode, limits: Limits) -> GraphQLError | None:
    """Returns the TOO_MANY_FIELD_COMPARISONS error for a document whose same-named fields would
    cost more than `limits.max_field_comparisons` to check, or None. Runs before `validate`."""
    limit = limits.max_field_comparisons
    merging, node = _estimate(document, limit)
    if merging.spent <= limit:
        return None
    most = ""
    if node is not None and id(node) in merging.collected:
        fields = merging.collected[id(node)].fields
        name = max(fields, key=lambda n: len(fields[n]), default=None)
        if name is not None and len(fields[name]) > 1:
            most = f" (`{name}` {len(fields[name])} times in the selection set here)"
    message = (
        f"The document repeats fields under the same response name so often{most} that checking "
        f"they merge needs more than {limit} comparisons (the limit). Ask for each field once per "
        "selection set, or give repeated fields different aliases."
    )
    # Located by source and offset, not by node: a node would keep the whole refused document
    # alive in the pipeline's cache of prepared queries (thousands of objects for the collector).
    located = node.loc if node is not None else None
    extensions = {"code": TOO_MANY_FIELD_COMPARISONS, "limit": limit}
    if located is None:
        return GraphQLError(message, extensions=extensions)
    return GraphQLError(message, source=located.source, positions=[located.start], extensions=extensions)
