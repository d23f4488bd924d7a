"""Persisted queries: Apollo's automatic persisted queries, and trusted documents (`--persisted-only`).

Automatic (the default): a hash alone (`extensions.persistedQuery {version: 1, sha256Hash}`)
answers PERSISTED_QUERY_NOT_FOUND until the query has been sent once with its hash (checked); then
the hash stands for the query, so a GET carries a short, cacheable URL. The store is an LRU bounded
in bytes. Trusted documents: with `persisted_only`, only the registered documents run, by hash or
exact text; anything else is refused.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable

from api.engine.request import GraphQLRequest
from api.errors import (
    PERSISTED_QUERY_MISMATCH,
    PERSISTED_QUERY_NOT_FOUND,
    PERSISTED_QUERY_REQUIRED,
    RequestError,
)

ENTRY_OVERHEAD = 200
"""Bytes counted per stored query beyond its text: the key (64 hex digits) and the LRU's own node."""


def sha256_hex(query: str) -> str:
    """The hash Apollo clients send: sha256 of the query text's UTF-8 bytes, as lowercase hex."""
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


class PersistedQueries:
    """Resolves a request's persisted-query hash to its text, and remembers texts sent with a hash."""

    def __init__(
        self, max_bytes: int = 4 << 20, trusted: Iterable[str] | None = None, *, persisted_only: bool = False
    ) -> None:
        self.max_bytes, self.persisted_only = max_bytes, persisted_only
        self.trusted = {sha256_hex(text): text for text in trusted or ()}
        self.stored: OrderedDict[str, str] = OrderedDict()
        self.size = 0
        self._lock = threading.Lock()

    def resolve(self, request: GraphQLRequest) -> GraphQLRequest:
        """Returns the request with its query text; RequestError when the hash is unknown or wrong,
        or (persisted-only) when the document is not a registered one."""
        digest, query = request.persisted_hash, request.query
        if digest is not None and query is not None and sha256_hex(query) != digest:
            raise RequestError("provided sha does not match query", 400, PERSISTED_QUERY_MISMATCH)
        if self.persisted_only:
            text = self.trusted.get(digest if digest is not None else sha256_hex(query or ""))
            if text is None:
                message = "This server runs only its registered queries (persisted-only); send one's hash."
                raise RequestError(message, 400, PERSISTED_QUERY_REQUIRED)
            return dataclasses.replace(request, query=text)
        if digest is None:
            return request
        if query is not None:
            self._remember(digest, query)
            return request
        text = self.trusted.get(digest) or self._recall(digest)
        if text is None:
            raise RequestError("PersistedQueryNotFound", 400, PERSISTED_QUERY_NOT_FOUND)
        return dataclasses.replace(request, query=text)

    def _recall(self, digest: str) -> str | None:
        with self._lock:
            text = self.stored.get(digest)
            if text is not None:
                self.stored.move_to_end(digest)
            return text

    def _remember(self, digest: str, query: str) -> None:
        cost = len(query.encode("utf-8")) + ENTRY_OVERHEAD
        if cost > self.max_bytes:
            return
        with self._lock:
            if digest in self.stored:
                self.stored.move_to_end(digest)
                return
            self.stored[digest] = query
            self.size += cost
            while self.size > self.max_bytes:
                _, evicted = self.stored.popitem(last=False)
                self.size -= len(evicted.encode("utf-8")) + ENTRY_OVERHEAD
