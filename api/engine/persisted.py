"""Persisted queries: Apollo's automatic persisted queries, and trusted documents (`--persisted-only`).

Automatic (the default): a hash alone (`extensions.persistedQuery {version: 1, sha256Hash}`)
answers PERSISTED_QUERY_NOT_FOUND until the query has been sent once with its hash (checked); then
the hash stands for the query, so a GET carries a short, cacheable URL. The store is an LRU bounded
in bytes (api/budget.py: hashes, texts and entries). Trusted documents: with `persisted_only`, only
the registered documents run, by hash or exact text; anything else is refused.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable

from api.budget import ByteLRU, text_bytes
from api.engine.request import GraphQLRequest
from api.errors import (
    PERSISTED_QUERY_MISMATCH,
    PERSISTED_QUERY_NOT_FOUND,
    PERSISTED_QUERY_REQUIRED,
    RequestError,
)
from api.settings import Limits


def sha256_hex(query: str) -> str:
    """The hash Apollo clients send: sha256 of the query text's UTF-8 bytes, as lowercase hex."""
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


class PersistedQueries:
    """Resolves a request's persisted-query hash to its text, and remembers texts sent with a hash."""

    def __init__(
        self,
        max_bytes: int = Limits.persisted_query_bytes,
        trusted: Iterable[str] | None = None,
        *,
        persisted_only: bool = False,
    ) -> None:
        self.persisted_only = persisted_only
        self.trusted = {sha256_hex(text): text for text in trusted or ()}
        self.stored: ByteLRU[str, str] = ByteLRU(max_bytes)

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
        return self.stored.get(digest)

    def _remember(self, digest: str, query: str) -> None:
        if self.stored.get(digest) is None:
            self.stored.put(digest, query, text_bytes(query))
