"""The execution deadline: set by the engine around one execution, checked by resolvers' long loops.

A resolver that goes through many records (a filter no index narrows, a sort, a search whose
needle is common) can run for seconds on a large dataset, and it cannot be stopped from outside
(execution is synchronous). So such loops iterate through `checked`, which looks at the clock every
CHECK_EVERY items and raises QueryTimeout once the deadline has passed; the engine answers that
with its TIMEOUT error, as it does when the deadline passes between fields. A snapshot's SQLite
statements look at it too, through `past_deadline`.
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
