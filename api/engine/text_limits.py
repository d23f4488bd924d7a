"""The length limit on a request's text: every string, number, enum value and name in the document, and
every string (and object key) in its variables or operationName, at most `max_text_chars` characters.

One check for every text input the schema has (`resolvePerson(name:)`, `search(text:)`, filters,
cursors, slugs, ids), so no argument can bring 95 kB to a resolver, a memo or an error message.
Comments are not input values: the body limit bounds them, and the query cache weighs them.

graphql-core's lexer reads strings, comments and names a character at a time in Python (about 30 ms
for 95 kB), so `skim` finds them first with one regular expression (in C): comments are emptied
(the text after `#` to the line's end, which moves no line or column) and a string or name too long
is refused before the lexer sees it.
"""

from __future__ import annotations

import functools
import re
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
    Source,
    SourceLocation,
    Token,
    TokenKind,
    ValueNode,
    VariableDefinitionNode,
    Visitor,
    parse,
    visit,
)

from api.errors import TEXT_TOO_LONG
from api.settings import Limits

_TEXT_TOKENS = frozenset(
    {TokenKind.STRING, TokenKind.BLOCK_STRING, TokenKind.NAME, TokenKind.INT, TokenKind.FLOAT}
)


def _refusal(what: str, length: int, limit: int, at: SourceLocation | None = None) -> GraphQLError:
    """The error, located at `at` (set directly: with a source and a position, graphql-core would
    find the line by scanning the whole text in Python, and the error would keep the text alive)."""
    message = f"{what} has {length:,} characters; at most {limit} are accepted (limit max_text_chars)."
    error = GraphQLError(message, extensions={"code": TEXT_TOO_LONG, "limit": limit})
    if at is not None:
        error.locations = [at]
    return error


def _location(text: str, offset: int) -> SourceLocation:
    """The line and column of an offset, as GraphQL counts them (CR, LF and CRLF end a line), in C."""
    line = text.count("\n", 0, offset) + text.count("\r", 0, offset) - text.count("\r\n", 0, offset) + 1
    line_start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    return SourceLocation(line, offset - line_start + 1)


_SKIMMED = re.compile(
    r'"""[^"\\]*(?:(?:\\(?:""")?|"(?!""))[^"\\]*)*"""'  # a block string (\""" escaped)
    r'|"[^"\\\n\r]*(?:\\.[^"\\\n\r]*)*"'  # a string: runs of plain characters, escapes between
    r"|#[^\n\r]*"  # a comment
    r'|"'
)
"""Block strings, strings and comments, leftmost first (a `#` in a string is not a comment); a lone `"`
(an unterminated string, which the parser then refuses) is stepped over."""
ESCAPED_CHARS = 10
"""Most characters one character of a string's value takes written (`\\u{10FFFF}`)."""


def skim(query: str, limits: Limits) -> tuple[str, GraphQLError | None]:
    """Returns the text to parse (the query with its comments emptied) and, if a string, name or
    number in it is longer than `limits.max_text_chars`, the error to answer instead of parsing.

    A string without escapes is measured exactly; one with escapes, or a block string, only when even
    ESCAPED_CHARS written characters per character would leave it too long (the lexer's value, which
    `long_text_in_document` checks, decides the rest).
    """
    limit = limits.max_text_chars
    if len(query) <= limit:
        return query, None
    kept: list[str] = []
    last = gap = 0
    for count, match in enumerate(_SKIMMED.finditer(query)):
        if count > limits.max_tokens:  # the parser stops there, with TOO_MANY_TOKENS
            return query, None
        start, token = match.start(), match.group()
        long = _long_word(query, gap, start, limit)
        if long is not None:
            return _refused(query, kept, last, long, limits)
        gap = match.end()
        if token.startswith("#"):
            if len(token) > 1:
                kept.append(query[last : start + 1])
                last = match.end()
            continue
        block = token.startswith('"""')
        written = len(token) - (6 if block else 2)
        exact = not block and "\\" not in token
        if written > limit and (exact or written > ESCAPED_CHARS * limit):
            return _refused(query, kept, last, (start, match.end(), written), limits)
    long = _long_word(query, gap, len(query), limit)
    if long is not None:
        return _refused(query, kept, last, long, limits)
    if not kept:
        return query, None
    return "".join(kept) + query[last:], None


def _long_word(query: str, begin: int, end: int, limit: int) -> tuple[int, int, int] | None:
    """(start, end, length) of the first name or number longer than `limit` between two offsets."""
    match = _long_words(limit).search(query, begin, end)
    return None if match is None else (match.start(), match.end(), match.end() - match.start())


@functools.cache
def _long_words(limit: int) -> re.Pattern[str]:
    return re.compile(f"[_0-9A-Za-z]{{{limit + 1},}}")


def _refused(
    query: str, kept: list[str], last: int, long: tuple[int, int, int], limits: Limits
) -> tuple[str, GraphQLError]:
    """The skimmed text and the error for its long token, named by parsing the text with the token
    cut to one character (same kind) where the document allows it."""
    start, end, length = long
    text = "".join(kept) + query[last:]
    shift = len(query) - len(text)  # comments emptied before the token (none after it was read)
    start, end = start - shift, end - shift
    placeholder = '""' if text[start] == '"' else text[start]
    at = _location(text, start)
    try:
        document = parse(Source(text[:start] + placeholder + text[end:]), max_tokens=limits.max_tokens)
    except GraphQLError:
        document = None
    token = _token_at(document, start) if document is not None else None
    if document is not None and token is not None:
        what = _describe(document, token)
    else:
        what = f"The text at line {at.line}, column {at.column}"
    return text, _refusal(what, length, limits.max_text_chars, at)


def _token_at(document: DocumentNode, start: int) -> Token | None:
    token = document.loc.start_token if document.loc is not None else None
    while token is not None and token.start < start:
        token = token.next
    return token if token is not None and token.start == start else None


def long_text_in_document(document: DocumentNode, limit: int) -> GraphQLError | None:
    """Returns the error for the first string, number, enum value or name longer than `limit`
    characters in a parsed document (naming the argument it is given to), or None."""
    if document.loc is None:
        return None
    token: Token | None = document.loc.start_token
    while token is not None:
        if token.kind in _TEXT_TOKENS and token.value is not None and len(token.value) > limit:
            at = SourceLocation(token.line, token.column)
            return _refusal(_describe(document, token), len(token.value), limit, at)
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
