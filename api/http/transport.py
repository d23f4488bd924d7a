"""GraphQL over HTTP: reading a request once, Accept negotiation, body size, status codes, 405/500
handlers and CORS."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.datastructures import QueryParams
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Scope

from api.engine.request import GraphQLRequest, request_from, request_from_json
from api.errors import (
    INTERNAL,
    METHOD_NOT_ALLOWED,
    NOT_ACCEPTABLE,
    PAYLOAD_TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    RequestError,
)

logger = logging.getLogger("parley.http")

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
_WILDCARDS = frozenset({"*/*", "application/*"})


def accept_ranges(accept: str) -> list[tuple[str, float]]:
    """Takes an Accept header; returns its media ranges (lower case, parameters but q dropped) with
    their quality (1 when not given, 0 when unreadable), in the header's order."""
    ranges = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            ranges.append((media.lower(), quality))
    return ranges


def best_match(accept: str | None, offers: list[str]) -> str | None:
    """Takes an Accept header and the media types a resource has, best first on a tie; returns the one
    to answer in, or None when the header accepts none of them (RFC 9110 12.5.1).

    Each offer takes the quality of the most specific range matching it (type/subtype, then type/*,
    then */*). No Accept header, or an empty one, takes the first offer.
    """
    if accept is None or not accept.strip():
        return offers[0] if offers else None
    ranges = accept_ranges(accept)
    best, best_quality = None, 0.0
    for offer in offers:
        kind = offer.split("/")[0]
        quality = None
        for pattern in (offer, f"{kind}/*", "*/*"):
            found = [q for media, q in ranges if media == pattern]
            if found:
                quality = max(found)
                break
        if quality is not None and quality > best_quality:
            best, best_quality = offer, quality
    return best


def negotiate(accept: str | None) -> str | None:
    """Takes an Accept header; returns the media type to answer in, or None when neither is acceptable.

    No Accept header, `*/*` or `application/*` get application/json (the spec's legacy default);
    application/graphql-response+json wins whenever the client ranks it at least as high.
    """
    if accept is None or not accept.strip():
        return JSON
    ranks: dict[str, float] = {}
    for media, quality in accept_ranges(accept):
        offered = JSON if media in _WILDCARDS else media
        if offered in (JSON, GRAPHQL_RESPONSE) and quality > 0:
            ranks[offered] = max(ranks.get(offered, 0.0), quality)
    if not ranks:
        return None
    return max((GRAPHQL_RESPONSE, JSON), key=lambda media: ranks.get(media, 0.0))


def respond(
    body: bytes, status: int, media_type: str = JSON, headers: dict[str, str] | None = None
) -> Response:
    """Returns a JSON response in the negotiated media type, charset stated as the spec advises."""
    return Response(body, status_code=status, media_type=f"{media_type}; charset=utf-8", headers=headers)


def graphql_status(status: int, media_type: str) -> int:
    """Takes the pipeline's status; returns the one to send in this media type.

    With application/graphql-response+json a request error (parse, validation, limits, variables,
    unknown operation) is a 400 without `data`. With application/json the spec says a server
    SHOULD answer 200 to every well-formed request, so those 400s become 200 there.
    """
    return 200 if status == 400 and media_type == JSON else status


def not_acceptable() -> Response:
    """Returns 406 for an Accept header that allows neither JSON media type."""
    message = f"This endpoint answers {GRAPHQL_RESPONSE} or {JSON}; the Accept header allows neither."
    return respond(error_body(message, NOT_ACCEPTABLE), 406)


def payload_too_large(limit: int, what: str = "request body") -> RequestError:
    """Returns the 413 error for a request over `max_body_bytes`."""
    return RequestError(f"The {what} is larger than {limit} bytes (the limit).", 413, PAYLOAD_TOO_LARGE)


async def read_body(request: Request, limit: int) -> bytes:
    """Reads the body, refusing (413) as soon as it exceeds `limit` bytes; never buffers more."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise payload_too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise payload_too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


READING = "parley.graphql_request"
"""The scope key where the response cache leaves its reading of a /graphql request for the endpoint."""


@dataclass(frozen=True, slots=True)
class Reading:
    """One reading of a /graphql request: the engine's request or the error refusing it, and the
    body limit it was read under."""

    outcome: GraphQLRequest | RequestError
    limit: int

    def request(self) -> GraphQLRequest:
        """Returns the engine's request, or raises the error that refuses it."""
        if isinstance(self.outcome, RequestError):
            raise self.outcome
        return self.outcome


class EncodingRefused(RequestError):
    """415 for a request body in a content coding parley does not accept (anything but identity):
    nothing is inflated, and the answer says which coding is accepted (RFC 7694)."""

    def __init__(self, coding: str) -> None:
        shown = coding if len(coding) <= 40 else coding[:40] + "..."
        message = f"Send POST bodies without a Content-Encoding; {shown!r} is not accepted."
        super().__init__(message, 415, UNSUPPORTED_MEDIA_TYPE)
        self.headers = {"Accept-Encoding": "identity"}


def check_encoding(content_encoding: str) -> None:
    """Refuses (415) a body whose Content-Encoding is anything but identity (or none)."""
    coding = content_encoding.strip().lower()
    if coding and coding != "identity":
        raise EncodingRefused(content_encoding.strip())


def check_json(content_type: str) -> None:
    """Refuses (415) a POST body that is not application/json (GraphQL over HTTP allows only JSON)."""
    media = content_type.split(";")[0].strip().lower()
    if media != JSON:
        message = f"Send POST bodies as application/json, not {media or 'a body without Content-Type'}."
        raise RequestError(message, 415, UNSUPPORTED_MEDIA_TYPE)


def query_string_request(
    query_string: bytes, limit: int, params: QueryParams | None = None
) -> GraphQLRequest:
    """Reads a GET's parameters, refusing (413) a query string over `limit` bytes; `params` is
    Starlette's decoding of the query string when a Request has made it already."""
    if len(query_string) > limit:
        raise payload_too_large(limit, "query string")
    return request_from(dict(QueryParams(query_string) if params is None else params))


def read_received(scope: Scope, method: str, raw: bytes, content_type: str, limit: int) -> Reading:
    """Reads a GET query string or a whole POST body already received, as the endpoint would, and
    leaves the reading in the scope, so the endpoint does not read the request again."""
    outcome: GraphQLRequest | RequestError
    try:
        if method == "GET":
            outcome = query_string_request(raw, limit)
        else:
            check_json(content_type)
            if len(raw) > limit:
                raise payload_too_large(limit)
            outcome = request_from_json(raw)
    except RequestError as error:
        outcome = error
    reading = Reading(outcome, limit)
    scope[READING] = reading
    return reading


async def read_graphql(request: Request, limit: int) -> GraphQLRequest:
    """Returns the engine's request for a /graphql GET, HEAD or POST; RequestError when refused.

    The response cache's reading when it left one in the scope; read here otherwise (HEAD, the
    playground's GETs, query strings and bodies too long for the cache, bodies without a length).
    """
    reading = request.scope.get(READING)
    if isinstance(reading, Reading) and reading.limit == limit:
        return reading.request()
    if request.method in ("GET", "HEAD"):
        return query_string_request(request.scope.get("query_string", b""), limit, request.query_params)
    check_json(request.headers.get("content-type", ""))  # before the body: a refused one is not read
    check_encoding(request.headers.get("content-encoding", ""))
    return request_from_json(await read_body(request, limit))


def error_body(message: str, code: str, **extensions: Any) -> bytes:
    """The JSON error body every non-GraphQL-execution error uses: one error, its message and code."""
    return orjson.dumps({"errors": [{"message": message, "extensions": {"code": code, **extensions}}]})


async def method_not_allowed(request: Request, exc: Exception) -> Response:
    """Starlette handler for 405: a GraphQL-shaped error body, keeping the Allow header."""
    headers = dict(getattr(exc, "headers", None) or {})
    allowed = headers.get("Allow", "")
    message = f"{request.method} is not allowed on {request.url.path}; use {allowed}."
    media_type = negotiate(request.headers.get("accept")) or JSON
    return respond(error_body(message, METHOD_NOT_ALLOWED), 405, media_type, headers)


async def internal_error(request: Request, exc: Exception) -> Response:
    """Starlette handler for any unhandled exception: logs the traceback, answers a masked 500."""
    request_id = uuid.uuid4().hex
    logger.error("request %s failed: %s %s", request_id, request.method, request.url.path, exc_info=exc)
    return respond(error_body("Internal server error.", INTERNAL, requestId=request_id), 500)


async def client_disconnected(request: Request, exc: Exception) -> Response:
    """Starlette handler for a client that went away before its body arrived (an aborted upload):
    one info line, no traceback; the answer goes nowhere."""
    path = request.url.path
    logger.info("client disconnected before its request body arrived: %s %s", request.method, path)
    return Response(status_code=400)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    405: method_not_allowed,
    ClientDisconnect: client_disconnected,
    Exception: internal_error,
}


def cors_options() -> dict[str, Any]:
    """Returns CORS for a public read-only API: any origin, no credentials, GET, HEAD and POST
    (Starlette's CORSMiddleware options; api/http/middleware/edge.py runs it for requests with an
    Origin).

    Any request header is allowed in a preflight (the API reads no credentials, so a client's
    `Authorization`, `apollo-require-preflight` or `x-apollo-operation-name` changes nothing);
    the preflight answer varies on the request headers it echoes.
    """
    return {
        "allow_origins": ["*"],
        "allow_methods": ["GET", "HEAD", "POST"],
        "allow_headers": ["*"],
        "expose_headers": ["ETag"],
        "allow_credentials": False,
        "max_age": 86400,
    }
