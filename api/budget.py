"""Caches keyed by what clients send, bounded in bytes: a cachetools LRU whose entries carry their
weight, key included, so distinct large inputs (95 kB names, comments) cannot pile up.

cachetools weighs an entry by its value only (`getsizeof`), so each value is stored with the bytes of
its key, itself and the entry's own bookkeeping, counted when it is stored. Thread-safe: resolvers
and plans run in worker threads too.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Hashable, Iterator
from typing import Generic, TypeVar

from cachetools import LRUCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

ENTRY_BYTES = 400
"""Bytes one more entry costs beyond its key and value: the (value, weight) pair, its int, and the
key's slots in the three dicts cachetools keeps (data, sizes, order). tests/api/test_budgets.py
checks the total against tracemalloc."""


def text_bytes(*texts: str | bytes | None) -> int:
    """Bytes the given strings take (each object's own size, header included)."""
    return sum(sys.getsizeof(text) for text in texts if text is not None)


def _weight(entry: tuple[object, int]) -> int:
    return entry[1]


class ByteLRU(Generic[K, V]):
    """An LRU of at most `max_bytes`, counting every key, value and entry it holds.

    A value heavier than the whole budget is not stored (the caller computes it again next time).
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: LRUCache[K, tuple[V, int]] = LRUCache(maxsize=max_bytes, getsizeof=_weight)
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """Returns the value stored for a key (marking it recently used), or None."""
        with self._lock:
            found = self._entries.get(key)
        return None if found is None else found[0]

    def put(self, key: K, value: V, value_bytes: int) -> None:
        """Stores a value that takes `value_bytes` (beyond the key), evicting the least recently used."""
        weight = value_bytes + ENTRY_BYTES + _key_bytes(key)
        if weight > self.max_bytes:
            return
        with self._lock:
            self._entries[key] = (value, weight)

    def bytes_held(self) -> int:
        """Every byte the cache counts for what it holds now (at most max_bytes)."""
        return int(self._entries.currsize)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: K) -> bool:
        with self._lock:
            return key in self._entries

    def values(self) -> Iterator[V]:
        """The values held, least recently used first."""
        with self._lock:
            held = [value for value, _ in self._entries.values()]
        return iter(held)


def _key_bytes(key: Hashable) -> int:
    if isinstance(key, tuple):
        return sys.getsizeof(key) + sum(_key_bytes(part) for part in key)
    return sys.getsizeof(key)
