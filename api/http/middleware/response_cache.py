"""A bounded LRU of whole GraphQL responses, safe because the dataset never changes while served.

Keys are SHA-256 digests of the raw request (method, query string or body, and the Accept,
Content-Type and Origin headers that shape the answer) and of the normalised one (the query as
GraphQL's lexer reads it, variables as canonical JSON, operationName), so requests GraphQL reads
the same share an entry; only answers without errors (whose locations are one spelling's) are
stored under the normalised key. Everything the cache keeps counts against one byte budget.
`api/http/middleware/cache.py` puts it in front of the app.
"""

from __future__ import annotations

import hashlib
import sys
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import GraphQLSyntaxError, Source
from graphql.language import Lexer, Token, TokenKind

from api.engine.request import GraphQLRequest, request_from
from api.errors import RequestError
from api.settings import Limits

Headers = tuple[tuple[bytes, bytes], ...]
GET_CACHE_CONTROL = b"public, max-age=300, must-revalidate"
"""For GET answers: shared caches (nginx, a CDN) may keep them 5 minutes, then revalidate by ETag;
the data only changes with a new deployment."""
_JSON_TYPES = (b"application/json", b"application/graphql-response+json")
# Punctuators that end any token before them and start a new one after them: no space needed.
_TIGHT = frozenset(
    {
        TokenKind.BANG, TokenKind.DOLLAR, TokenKind.AMP, TokenKind.PAREN_L, TokenKind.PAREN_R,
        TokenKind.COLON, TokenKind.EQUALS, TokenKind.AT, TokenKind.BRACKET_L, TokenKind.BRACKET_R,
        TokenKind.BRACE_L, TokenKind.PIPE, TokenKind.BRACE_R,
    }
)  # fmt: skip
_SPREAD_AND_NAME = ((TokenKind.SPREAD, TokenKind.NAME), (TokenKind.NAME, TokenKind.SPREAD))
MAX_TOKENS = 1000
"""Queries with more tokens than this (the default token limit) are keyed as sent, not lexed."""
_SLOT = 104
"""Bytes one more key costs an OrderedDict: tracemalloc measures 75-85 on CPython 3.11 (table entry,
index, linked-list node); 104 leaves room. tests/api/engine/test_engine_defects.py checks the total."""
_DIGEST = sys.getsizeof(bytes(32))
_SEEN_COST = _SLOT + _DIGEST
_QUERY_COST = _SLOT + 2 * _DIGEST


@dataclass(frozen=True, slots=True)
class CachedResponse:
    """One stored answer: the body, its ETag, and the raw headers to send for GET, POST and 304."""

    body: bytes
    etag: bytes
    get_headers: Headers
    post_headers: Headers
    not_modified_headers: Headers
    footprint: int = field(init=False, default=0, compare=False)
    """The bytes this object and everything it holds take (shared header objects counted each time)."""

    def __post_init__(self) -> None:
        total = sys.getsizeof(self) + sys.getsizeof(self.body) + sys.getsizeof(self.etag)
        for headers in (self.get_headers, self.post_headers, self.not_modified_headers):
            total += sys.getsizeof(headers)
            total += sum(sys.getsizeof(p) + sys.getsizeof(p[0]) + sys.getsizeof(p[1]) for p in headers)
        object.__setattr__(self, "footprint", total)


def _spelled(previous: Token, token: Token) -> str:
    """Returns the token as the canonical text writes it after `previous` (a space only if needed)."""
    text = token.value if token.value is not None else token.kind.value
    if previous.kind is TokenKind.SOF or previous.kind in _TIGHT or token.kind in _TIGHT:
        return text
    if (previous.kind, token.kind) in _SPREAD_AND_NAME:
        return text
    return " " + text


def normalise_query(query: str, max_tokens: int = MAX_TOKENS) -> str | None:
    """Returns the query as GraphQL's lexer reads it, without the whitespace, commas and BOMs
    GraphQL ignores; None when the lexer refuses it (such a query shares no entry).

    Tokens are joined with a space only where two would run together, so the text lexes back to the
    same tokens. A query with a string literal, a comment or over `max_tokens` tokens is kept as sent.
    """
    if '"' in query or "#" in query:
        return query
    lexer = Lexer(Source(query))
    parts: list[str] = []
    previous = lexer.token
    try:
        token = lexer.advance()
        while token.kind is not TokenKind.EOF:
            if len(parts) == max_tokens:
                return query
            parts.append(_spelled(previous, token))
            previous, token = token, lexer.advance()
    except GraphQLSyntaxError:
        return None
    return "".join(parts)


def normalised_key(
    request: GraphQLRequest | Any,
    shape: tuple[Any, ...],
    normalise: Callable[[str], str | bytes | None] = normalise_query,
) -> tuple[Any, ...] | None:
    """Takes the engine's request (or decoded GET params or a POST body, read as the engine reads
    them) and the answer-shaping headers; returns the normalised key, or None when the request is
    malformed (the endpoint answers those) or its query is not GraphQL. `normalise` maps the query
    text to its normalised form (or None)."""
    if not isinstance(request, GraphQLRequest):
        if not isinstance(request, dict):
            return None
        try:
            request = request_from(request)
        except RequestError:
            return None
    if request.query is None:
        return None  # a persisted-query hash alone: only its exact bytes key it
    try:
        canonical = orjson.dumps(request.variables, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # e.g. integers beyond 64 bits
        return None
    query = normalise(request.query)
    if query is None:
        return None
    return (query, canonical, request.operation_name, request.persisted_hash, *shape)


def digest(*parts: Any) -> bytes:
    """Returns the SHA-256 of parts (str, bytes or None), each tagged and length-prefixed, so
    different tuples never give the same bytes to hash."""
    hasher = hashlib.sha256()
    for part in parts:
        if part is None:
            hasher.update(b"n")
            continue
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else bytes(part)
        hasher.update((b"s" if isinstance(part, str) else b"b") + len(data).to_bytes(8, "big") + data)
    return hasher.digest()


def etag_matches(if_none_match: bytes, etag: bytes) -> bool:
    """Whether an If-None-Match header names the ETag (weak comparison, RFC 9110) or is `*`."""
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix(b"W/") for t in if_none_match.split(b",")]
    return b"*" in tags or etag in tags


class ResponseCache:
    """The LRU itself: at most `max_entries` responses, and at most `max_bytes` for all it keeps.

    A GET answer is stored at once (GET is how clients ask for cacheable answers). A POST answer is
    stored when the same request comes a second time, so a stream of one-off requests costs no
    storing and no evictions; the requests seen once are remembered as digests, within the budget.
    """

    def __init__(
        self,
        max_entries: int = 2048,
        max_bytes: int = Limits.response_cache_bytes,
        max_body: int = 1 << 20,
        max_tokens: int = MAX_TOKENS,
    ) -> None:
        self.max_entries, self.max_bytes, self.max_body = max_entries, max_bytes, max_body
        self.max_tokens = max_tokens
        self.entries: OrderedDict[bytes, CachedResponse] = OrderedDict()
        self.seen: OrderedDict[bytes, None] = OrderedDict()
        self.queries: OrderedDict[bytes, bytes | None] = OrderedDict()
        """Digest of a query text -> digest of its normalised form (None: not GraphQL)."""
        self.size = 0
        self.hits = self.misses = 0

    def bytes_held(self) -> int:
        """Returns every byte the cache keeps: answers, keys, seen requests, normalised queries."""
        return self.size

    def request_key(self, method: str, raw: bytes, shape: tuple[bytes, ...]) -> bytes:
        """Returns the key of the raw request: its method, bytes and the answer-shaping headers."""
        return digest("raw", method, raw, *shape)

    def normalised_request_key(
        self, method: str, request: GraphQLRequest, shape: tuple[bytes, ...]
    ) -> bytes | None:
        """Returns the key of the normalised request, or None when it has none (see normalised_key)."""
        key = normalised_key(request, shape, self.normalise)
        return None if key is None else digest("normalised", method, *key)

    def normalise(self, query: str) -> bytes | None:
        """Returns the digest of normalise_query(query), remembered for the most recent 1024 texts."""
        text_key = digest(query)
        if text_key in self.queries:
            self.queries.move_to_end(text_key)
            return self.queries[text_key]
        normalised = normalise_query(query, self.max_tokens)
        found = None if normalised is None else digest(normalised)
        self.queries[text_key] = found
        self.size += _QUERY_COST
        while len(self.queries) > 1024 or len(self.queries) * _QUERY_COST > self.max_bytes // 16:
            self._drop_query()
        self._shrink()
        return found

    def get(self, key: bytes) -> CachedResponse | None:
        """Returns the stored response for a key (marking it recently used), or None."""
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
        return found

    def put(self, key: bytes, cached: CachedResponse) -> None:
        """Stores a response under a key, evicting the least recently used beyond the bounds."""
        if key in self.entries:
            return
        self.entries[key] = cached
        self.size += _SLOT + sys.getsizeof(key) + cached.footprint
        self._shrink()

    def seen_before(self, key: bytes) -> bool:
        """Whether the key was seen since it last left the bounded `seen` list; marks it seen.

        The list keeps at most 4 * max_entries digests and an eighth of the byte budget (the
        normalised queries at most a sixteenth), so what is only remembered never crowds out answers.
        """
        if key in self.seen:
            return True
        self.seen[key] = None
        self.size += _SEEN_COST
        while len(self.seen) > 4 * self.max_entries or len(self.seen) * _SEEN_COST > self.max_bytes // 8:
            self._drop_seen()
        self._shrink()
        return False

    def _shrink(self) -> None:
        while len(self.entries) > self.max_entries:
            self._drop_entry()
        while self.size > self.max_bytes:
            if self.entries:
                self._drop_entry()
            elif self.seen:
                self._drop_seen()
            elif self.queries:
                self._drop_query()
            else:
                break

    def _drop_entry(self) -> None:
        key, evicted = self.entries.popitem(last=False)
        self.size -= _SLOT + sys.getsizeof(key) + evicted.footprint

    def _drop_seen(self) -> None:
        self.seen.popitem(last=False)
        self.size -= _SEEN_COST

    def _drop_query(self) -> None:
        self.queries.popitem(last=False)
        self.size -= _QUERY_COST

    def storable(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> CachedResponse | None:
        """Returns what to store for an answer, or None when it must not be replayed.

        Only 200 answers in a JSON media type, not bigger than `max_body`, and free of masked
        internal errors (whose request id is unique) are stored.
        """
        content_type = next((v for k, v in headers if k == b"content-type"), b"")
        if status != 200 or not content_type.startswith(_JSON_TYPES):
            return None
        if len(body) > self.max_body or b'"requestId"' in body:
            return None
        # One ETag per representation: the same data as application/json and as
        # application/graphql-response+json are different representations (RFC 9110 8.8.3).
        tag = hashlib.blake2b(content_type + b"\n" + body, digest_size=16).hexdigest().encode("ascii")
        gzipped = any(k == b"content-encoding" and v == b"gzip" for k, v in headers)
        etag = b'"' + tag + (b'-gzip"' if gzipped else b'"')  # as middleware/edge.py tags gzip
        vary = next((v for k, v in headers if k == b"vary"), None)
        post = tuple((k, v) for k, v in headers if k != b"etag")
        kept = tuple((k, v) for k, v in post if k != b"vary")
        validators = (
            (b"etag", etag),
            (b"vary", b"Accept" if vary is None else b"Accept, " + vary),
            (b"cache-control", GET_CACHE_CONTROL),
        )
        bodiless = tuple((k, v) for k, v in kept if k not in (b"content-length", b"content-type"))
        return CachedResponse(body, etag, kept + validators, post, bodiless + validators)
