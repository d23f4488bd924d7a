"""A bounded LRU of whole GraphQL responses, safe because the dataset never changes while served.

Keys: first the raw request (method, query string or body, and the Accept, Content-Type and Origin
headers that shape the answer), then the normalised request (query text without insignificant
whitespace and commas, variables as canonical JSON, operationName, same headers), so equivalent
requests share an entry. `api/cache_middleware.py` puts it in front of the app.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

import orjson

Headers = tuple[tuple[bytes, bytes], ...]
_AROUND_PUNCTUATOR = re.compile(r" ?([{}()\[\]:=!$@|&]|\.\.\.) ?")
_JSON_TYPES = (b"application/json", b"application/graphql-response+json")


@dataclass(frozen=True)
class CachedResponse:
    """One stored answer: the body, its ETag, and the raw headers to send for GET, POST and 304."""

    body: bytes
    etag: bytes
    get_headers: Headers
    post_headers: Headers
    not_modified_headers: Headers


@lru_cache(maxsize=1024)  # clients send few distinct query texts, with varying variables
def normalise_query(query: str) -> str:
    """Returns the query without insignificant whitespace and commas, when that is safe.

    Commas and whitespace are insignificant in GraphQL outside strings and comments, so a query
    with no string literal and no comment is normalised; any other query is kept as sent.
    """
    if '"' in query or "#" in query:
        return query
    spaced = " ".join(query.replace(",", " ").split())
    return _AROUND_PUNCTUATOR.sub(r"\1", spaced)


def normalised_key(params: Any, shape: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """Takes decoded GET params or a POST body and the answer-shaping headers; returns the
    normalised key, or None when the request is malformed (the endpoint answers those)."""
    if not isinstance(params, dict) or not isinstance(params.get("query"), str):
        return None
    variables = params.get("variables")
    if isinstance(variables, str):
        try:
            variables = orjson.loads(variables) if variables.strip() else None
        except orjson.JSONDecodeError:
            return None
    operation_name = params.get("operationName") or None
    if operation_name is not None and not isinstance(operation_name, str):
        return None
    try:
        canonical = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # e.g. integers beyond 64 bits
        return None
    return (normalise_query(params["query"]), canonical, operation_name, *shape)


def decoded_params(method: str, raw: bytes, content_type: bytes) -> Any:
    """Decodes GET query-string params (as Starlette does) or a JSON POST body; None if neither."""
    if method == "GET":
        return dict(parse_qsl(raw.decode("latin-1"), keep_blank_values=True))
    if content_type.split(b";")[0].strip().lower() != b"application/json":
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def etag_matches(if_none_match: bytes, etag: bytes) -> bool:
    """Whether an If-None-Match header names the ETag (weak comparison, RFC 9110) or is `*`."""
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix(b"W/") for t in if_none_match.split(b",")]
    return b"*" in tags or etag in tags


class ResponseCache:
    """The LRU itself: at most `max_entries` responses and `max_bytes` of bodies.

    A GET answer is stored at once (GET is how clients ask for cacheable answers). A POST answer is
    stored when the same request comes a second time, so a stream of one-off requests costs no
    hashing and no evictions.
    """

    def __init__(self, max_entries: int = 2048, max_bytes: int = 64 << 20, max_body: int = 1 << 20) -> None:
        self.max_entries, self.max_bytes, self.max_body = max_entries, max_bytes, max_body
        self.entries: OrderedDict[tuple[Any, ...], CachedResponse] = OrderedDict()
        self.seen: OrderedDict[tuple[Any, ...], None] = OrderedDict()
        self.size = 0
        self.hits = self.misses = 0

    def get(self, key: tuple[Any, ...]) -> CachedResponse | None:
        """Returns the stored response for a key (marking it recently used), or None."""
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
        return found

    def put(self, key: tuple[Any, ...], cached: CachedResponse) -> None:
        """Stores a response under a key, evicting the least recently used beyond the bounds."""
        if key in self.entries:
            return
        self.entries[key] = cached
        self.size += len(cached.body)
        while len(self.entries) > self.max_entries or self.size > self.max_bytes:
            _, evicted = self.entries.popitem(last=False)
            self.size -= len(evicted.body)

    def seen_before(self, key: tuple[Any, ...]) -> bool:
        """Whether the key was seen since it last left the bounded `seen` list; marks it seen."""
        if key in self.seen:
            return True
        self.seen[key] = None
        if len(self.seen) > 4 * self.max_entries:
            self.seen.popitem(last=False)
        return False

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
        etag = b'"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode("ascii") + b'"'
        vary = next((v for k, v in headers if k == b"vary"), None)
        post = tuple((k, v) for k, v in headers if k != b"etag")
        kept = tuple((k, v) for k, v in post if k != b"vary")
        validators = ((b"etag", etag), (b"vary", b"Accept" if vary is None else b"Accept, " + vary))
        bodiless = tuple((k, v) for k, v in kept if k not in (b"content-length", b"content-type"))
        return CachedResponse(body, etag, kept + validators, post, bodiless + validators)
