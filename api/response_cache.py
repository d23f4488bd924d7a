"""A bounded LRU of whole GraphQL responses, safe because the dataset never changes while served.

Keyed first by the raw request (method, query string or body, Accept, Content-Type), then by the
normalised request (query text with insignificant whitespace and commas removed, variables as
canonical JSON, operationName, Accept), so equivalent requests share an entry. GET answers carry a
strong ETag and answer 304 to a matching If-None-Match.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

Endpoint = Callable[[Request], Awaitable[Response]]
_AROUND_PUNCTUATOR = re.compile(r" ?([{}()\[\]:=!$@|&]|\.\.\.) ?")
_JSON_TYPES = (b"application/json", b"application/graphql-response+json")


@dataclass(frozen=True)
class CachedResponse:
    """One stored answer: the body, its ETag and the raw headers for GET (ETag, Vary) and POST."""

    body: bytes
    etag: str
    get_headers: tuple[tuple[bytes, bytes], ...]
    post_headers: tuple[tuple[bytes, bytes], ...]


class _Replay(Response):
    """A Response sent from stored raw headers, skipping header rendering on every hit."""

    def __init__(self, status: int, body: bytes, headers: tuple[tuple[bytes, bytes], ...]) -> None:
        self.status_code = status
        self.body = body
        self.background = None
        self.raw_headers = list(headers)


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


def normalised_key(params: Any, accept: str) -> tuple[Any, ...] | None:
    """Takes decoded GET params or a POST body; returns the normalised key, or None if malformed."""
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
    except TypeError:  # e.g. integers beyond 64 bits: let the endpoint answer
        return None
    return (normalise_query(params["query"]), canonical, operation_name, accept)


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names the ETag (weak comparison, RFC 9110) or is `*`."""
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


class ResponseCache:
    """The LRU itself: at most `max_entries` responses and `max_bytes` of bodies.

    A GET answer is stored at once (GET is how clients ask for cacheable answers). A POST answer is
    stored when the same request comes a second time, so a stream of one-off requests costs no
    hashing and no evictions.
    """

    def __init__(self, max_entries: int = 2048, max_bytes: int = 64 << 20, max_body: int = 1 << 20) -> None:
        self.max_entries, self.max_bytes, self.max_body = max_entries, max_bytes, max_body
        self.entries: OrderedDict[tuple[Any, ...], CachedResponse] = OrderedDict()
        self.size = 0
        self.hits = self.misses = 0
        self.seen: OrderedDict[tuple[Any, ...], None] = OrderedDict()

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

    def storable(self, response: Response) -> CachedResponse | None:
        """Returns what to store for a response, or None when it must not be replayed.

        Only 200 answers in a JSON media type, not bigger than `max_body`, and free of masked
        internal errors (whose request id is unique) are stored.
        """
        body = bytes(getattr(response, "body", b""))
        content_type = response.headers.get("content-type", "").encode("latin-1")
        if response.status_code != 200 or not content_type.startswith(_JSON_TYPES):
            return None
        if len(body) > self.max_body or b'"requestId"' in body:
            return None
        etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        post = tuple((k, v) for k, v in response.raw_headers if k not in (b"etag", b"vary"))
        validators = ((b"etag", etag.encode("ascii")), (b"vary", b"Accept"))
        return CachedResponse(body, etag, post + validators, post)

    def wrap(self, endpoint: Endpoint, max_request_bytes: int) -> Endpoint:
        """Takes the /graphql endpoint and returns it answering repeated requests from the cache."""

        async def cached_endpoint(request: Request) -> Response:
            method, accept = request.method, request.headers.get("accept", "")
            if method == "GET":
                raw: bytes = request.scope.get("query_string", b"")
                if len(raw) > max_request_bytes or "text/html" in accept:
                    return await endpoint(request)
            else:
                length = request.headers.get("content-length", "")
                if not length.isdigit() or int(length) > max_request_bytes:
                    return await endpoint(request)
                raw = await request.body()
            content_type = request.headers.get("content-type", "")
            raw_key = (method, raw, accept, content_type)
            cached = self.get(raw_key)
            norm_key: tuple[Any, ...] | None = None
            if cached is None:
                norm_key = self._normalised(request, raw, content_type, accept)
                cached = None if norm_key is None else self.get(norm_key)
                if cached is not None:
                    self.put(raw_key, cached)
            if cached is not None:
                self.hits += 1
                return self._replay(cached, request)
            self.misses += 1
            response = await endpoint(request)
            if method != "GET" and not self._seen_before(norm_key or raw_key):
                return response
            stored = self.storable(response)
            if stored is None:
                return response
            self.put(raw_key, stored)
            if norm_key is not None:
                self.put(norm_key, stored)
            return self._replay(stored, request)

        return cached_endpoint

    def _seen_before(self, key: tuple[Any, ...]) -> bool:
        """Whether the key was seen since it last left the bounded `seen` list; marks it seen."""
        if key in self.seen:
            return True
        self.seen[key] = None
        if len(self.seen) > 4 * self.max_entries:
            self.seen.popitem(last=False)
        return False

    @staticmethod
    def _normalised(request: Request, raw: bytes, content_type: str, accept: str) -> tuple[Any, ...] | None:
        if request.method == "GET":
            params: Any = dict(request.query_params)  # parsed exactly as the endpoint parses it
        elif content_type.split(";")[0].strip().lower() == "application/json":
            try:
                params = orjson.loads(raw)
            except orjson.JSONDecodeError:
                return None
        else:
            return None
        key = normalised_key(params, accept)
        return None if key is None else (request.method, *key)

    @staticmethod
    def _replay(cached: CachedResponse, request: Request) -> Response:
        if request.method != "GET":
            return _Replay(200, cached.body, cached.post_headers)  # ETags describe GET resources
        if etag_matches(request.headers.get("if-none-match"), cached.etag):
            return _Replay(304, b"", cached.get_headers[-2:])
        return _Replay(200, cached.body, cached.get_headers)
