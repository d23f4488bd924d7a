"""The execution timeout: a graphql-core middleware that stops resolving fields past a deadline."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from graphql import ExecutionResult, GraphQLError, GraphQLResolveInfo

from api.errors import TIMEOUT
from api.graph.deadline import QueryTimeout

__all__ = ["QueryTimeout", "deadline_middleware", "timed_out", "timeout_result"]

Resolver = Callable[..., Any]


def deadline_middleware(deadline: float) -> Callable[..., Any]:
    """Takes the deadline of one execution (a `time.monotonic()` value); returns a middleware
    that enforces it between fields (resolvers' long loops check it too: api/graph/deadline.py).

    Execution runs synchronously in a worker thread, which cannot be cancelled from outside; this
    checks the clock before each field so a slow query stops itself instead of holding the thread.
    """

    def middleware(resolve: Resolver, root: Any, info: GraphQLResolveInfo[Any], **args: Any) -> Any:
        if time.monotonic() > deadline:
            raise QueryTimeout
        return resolve(root, info, **args)

    return middleware


def timed_out(result: ExecutionResult) -> bool:
    """Returns whether any field of this result was stopped by the deadline."""
    return any(isinstance(e.original_error, QueryTimeout) for e in result.errors or ())


def timeout_result(seconds: float) -> ExecutionResult:
    """Returns the result reported instead of a partial one when execution ran out of time."""
    message = f"The query took longer than {seconds:g} s and was stopped; ask for less."
    return ExecutionResult(None, [GraphQLError(message, extensions={"code": TIMEOUT, "limit": seconds})])
