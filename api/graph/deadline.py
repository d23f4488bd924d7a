"""The execution deadline: set by the engine around one execution, checked by resolvers' long loops.

Execution is synchronous, so a resolver going through many records (a filter no index narrows, a
sort, a search for a common needle) cannot be stopped from outside. Such loops iterate through
`checked`, which raises QueryTimeout once the deadline has passed (the engine's TIMEOUT error, as
between fields); the snapshot's SQLite statements look at it too, through `past_deadline`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

CHECK_EVERY = 32
"""Items between two looks at the clock: a look is cheap next to checking a record read from the
snapshot, and a few dozen records keep the overshoot past the deadline small."""

_DEADLINE: ContextVar[float] = ContextVar("parley_deadline", default=math.inf)


class QueryTimeout(Exception):
    """Raised in place of a field's value once the execution deadline has passed."""


@contextmanager
def running_until(deadline: float) -> Iterator[None]:
    """Runs the block with `deadline` (a `time.monotonic()` value) as the current execution's."""
    token = _DEADLINE.set(deadline)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def past_deadline() -> QueryTimeout | None:
    """QueryTimeout if the current execution's deadline has passed, else None (a snapshot's SQLite
    statements ask this as they run: `schema.store.reader.Store.interrupt`)."""
    return QueryTimeout() if time.monotonic() > _DEADLINE.get() else None


def checked(items: Iterable[T]) -> Iterator[T]:
    """Yields the items, raising QueryTimeout once the current execution's deadline has passed."""
    deadline = _DEADLINE.get()
    if deadline == math.inf:
        yield from items
        return
    for n, item in enumerate(items):
        if n % CHECK_EVERY == 0 and time.monotonic() > deadline:
            raise QueryTimeout
        yield item
