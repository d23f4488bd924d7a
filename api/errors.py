"""Errors a client can cause, each with a stable `extensions.code`."""

from __future__ import annotations

from typing import Any

BAD_USER_INPUT = "BAD_USER_INPUT"
BAD_REQUEST = "BAD_REQUEST"
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
INTERNAL = "INTERNAL_SERVER_ERROR"
NOT_FOUND = "NOT_FOUND"
# Limits (api/settings.py); README "Limits and errors" lists each with its default.
QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
TOO_MANY_DIRECTIVES = "TOO_MANY_DIRECTIVES"
TOO_MANY_TOKENS = "TOO_MANY_TOKENS"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
TOO_MANY_FIELD_COMPARISONS = "TOO_MANY_FIELD_COMPARISONS"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
TIMEOUT = "TIMEOUT"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
NOT_ACCEPTABLE = "NOT_ACCEPTABLE"
PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
PERSISTED_QUERY_REQUIRED = "PERSISTED_QUERY_REQUIRED"
TEXT_TOO_LONG = "TEXT_TOO_LONG"

EXCERPT_CHARS = 60
"""Characters of a client's input an error message quotes (its start), so a 95 kB cursor gives a
short error, not a 95 kB one."""
MAX_MESSAGE_CHARS = 500
"""Longest error message sent: longer ones (graphql-core's, which quote names and values) are cut in
the middle, keeping their start and their end."""


def excerpt(text: object) -> str:
    """Returns `repr(text)` for a message, cut to EXCERPT_CHARS characters of the input plus how
    many more there were."""
    value = text if isinstance(text, str) else repr(text)
    if len(value) <= EXCERPT_CHARS:
        return repr(value)
    return f"{value[:EXCERPT_CHARS]!r}... ({len(value):,} characters)"


def bounded(message: str) -> str:
    """Returns an error message of at most about MAX_MESSAGE_CHARS characters (its start and end)."""
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    head, tail = MAX_MESSAGE_CHARS * 3 // 4, MAX_MESSAGE_CHARS // 5
    return f"{message[:head]}... ({len(message) - head - tail:,} characters left out) ...{message[-tail:]}"


class UserInputError(Exception):
    """Raised by a resolver for an argument out of range or malformed (a bad cursor, first: 101).

    graphql-core copies `extensions` onto the GraphQLError it reports, so clients see the code.
    """

    def __init__(self, message: str) -> None:
        message = bounded(message)
        super().__init__(message)
        self.message = message
        self.extensions: dict[str, Any] = {"code": BAD_USER_INPUT}


class RequestError(Exception):
    """Raised while reading an HTTP request that is not a GraphQL request (bad JSON, no query)."""

    def __init__(self, message: str, status: int = 400, code: str = BAD_REQUEST) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

    def payload(self) -> dict[str, Any]:
        """Returns the GraphQL-shaped error body for this request error."""
        return {"errors": [{"message": bounded(self.message), "extensions": {"code": self.code}}]}
