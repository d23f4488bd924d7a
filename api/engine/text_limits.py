"""The length limit on a request's text: every string, number, enum value and name in the document, and
every string (and object key) in its variables or operationName, at most `max_text_chars` characters.

One check for every text input the schema has (`resolvePerson(name:)`, `search(text:)`, filters,
cursors, slugs, ids), so no argument can bring 95 kB to a resolver, a memo or an error message.
Comments are not input values: the body limit bounds them, and the query cache weighs them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    BREAK,
    ArgumentNode,
    DocumentNode,
    FieldNode,
    GraphQLError,
    NameNode,
    Node,
    ObjectFieldNode,
    Token,
    TokenKind,
    ValueNode,
    VariableDefinitionNode,
    Visitor,
    visit,
)

from api.errors import TEXT_TOO_LONG

_TEXT_TOKENS = frozenset(
    {TokenKind.STRING, TokenKind.BLOCK_STRING, TokenKind.NAME, TokenKind.INT, TokenKind.FLOAT}
)


def _refusal(what: str, length: int, limit: int, **located: Any) -> GraphQLError:
    message = f"{what} has {length:,} characters; at most {limit} are accepted (limit max_text_chars)."
    return GraphQLError(message, extensions={"code": TEXT_TOO_LONG, "limit": limit}, **located)


def long_text_in_document(document: DocumentNode, limit: int) -> GraphQLError | None:
    """Returns the error for the first string, number, enum value or name longer than `limit`
    characters in a parsed document (naming the argument it is given to), or None."""
    if document.loc is None:
        return None
    token: Token | None = document.loc.start_token
    while token is not None:
        if token.kind in _TEXT_TOKENS and token.value is not None and len(token.value) > limit:
            what, source = _describe(document, token), document.loc.source
            return _refusal(what, len(token.value), limit, source=source, positions=[token.start])
        token = token.next
    return None


def long_text_in_variables(
    variables: Mapping[str, Any] | None, operation_name: str | None, limit: int
) -> GraphQLError | None:
    """Returns the error for the first string or object key longer than `limit` characters in a
    request's variables (named by its path, `$filter.name`), or its operationName; else None."""
    if operation_name is not None and len(operation_name) > limit:
        return _refusal("`operationName`", len(operation_name), limit)
    for what, text in _strings(variables or {}, "$"):
        if len(text) > limit:
            return _refusal(what, len(text), limit)
    return None


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string in a JSON value, described by its path; an object's keys are strings too."""
    if isinstance(value, str):
        yield f"The variable `{path}`", value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield ("A variable's name" if path == "$" else f"A key of `{path}`"), key
            yield from _strings(item, f"{path}{'' if path == '$' else '.'}{key[:40]}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]")


class _Ancestry(Visitor):
    """Finds the node a token starts (a value or a name) and the nodes around it."""

    def __init__(self, token: Token) -> None:
        super().__init__()
        self.token = token
        self.found: list[Node] = []

    def enter(self, node: Node, key: Any, parent: Any, path: Any, ancestors: list[Any]) -> Any:
        loc = node.loc
        if isinstance(node, ValueNode | NameNode) and loc is not None and loc.start_token is self.token:
            self.found = [a for a in [*ancestors, parent] if isinstance(a, Node)] + [node]
            return BREAK
        return None


def _describe(document: DocumentNode, token: Token) -> str:
    """Names where a long token is: `the argument filter.name of people`, else its line and column."""
    finder = _Ancestry(token)
    visit(document, finder)
    nodes = finder.found
    place = f"at line {token.line}, column {token.column}"
    if not nodes:
        return f"The text {place}"
    if isinstance(nodes[-1], NameNode):
        return f"The name {place}"
    steps = [n.name.value for n in nodes if isinstance(n, ArgumentNode | ObjectFieldNode)]
    field = next((n.name.value for n in reversed(nodes) if isinstance(n, FieldNode)), None)
    definition = next((n for n in nodes if isinstance(n, VariableDefinitionNode)), None)
    if definition is not None:
        return f"The default value of `${definition.variable.name.value}` {place}"
    if steps and field is not None:
        return f"The argument `{'.'.join(steps)}` of `{field}` {place}"
    return f"The value {place}"
