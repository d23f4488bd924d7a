"""Error answers for every page and download: an HTML page when the client prefers HTML (a browser),
the API's JSON error body otherwise. /graphql keeps its GraphQL-over-HTTP errors (transport.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from api.errors import METHOD_NOT_ALLOWED, NOT_ACCEPTABLE, NOT_FOUND
from api.http import transport
from api.http.downloads import not_found
from api.http.views.pages import page, root_path
from api.http.views.playground import GRAPHQL_PATH

HTML = "text/html"
JSON = transport.JSON
CODES = {404: NOT_FOUND, 405: METHOD_NOT_ALLOWED, 406: NOT_ACCEPTABLE}
"""The JSON body's extensions.code per status (api/errors.py); others: the status's name."""


def prefers_html(request: Request) -> bool:
    """Whether the client ranks HTML above JSON (a browser does; curl's */* and API clients do not)."""
    return transport.best_match(request.headers.get("accept"), [JSON, HTML]) == HTML


def error_response(
    request: Request, status: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    """Returns the error `status` with `message`: templates/error.html to a browser, else JSON in the
    shape /graphql and the downloads use ({"errors": [{"message", "extensions": {"code"}}]})."""
    sent = {**(headers or {}), "Vary": "Accept"}
    if prefers_html(request):
        rendered = page("error.html", root=root_path(request), status=status,
                        phrase=HTTPStatus(status).phrase, message=message)
        rendered.status_code = status
        rendered.headers.update(sent)
        return rendered
    if status == 404:
        response = not_found(message)
        response.headers.update(sent)
        return response
    code = CODES.get(status, HTTPStatus(status).name)
    return transport.respond(transport.error_body(message, code), status, JSON, sent)


async def not_found_handler(request: Request, exc: Exception) -> Response:
    """A 404: no route, or an endpoint's `raise HTTPException(404, message)` (its message is kept):
    the error page to a browser, JSON to clients."""
    detail = exc.detail if isinstance(exc, HTTPException) else None
    default = detail is None or detail == HTTPStatus.NOT_FOUND.phrase
    return error_response(request, 404, f"Nothing at {request.url.path}." if default else str(detail))


async def method_not_allowed_handler(request: Request, exc: Exception) -> Response:
    """Starlette's 405, keeping Allow: the error page to a browser, except on /graphql, whose
    GraphQL-shaped answer (transport.method_not_allowed) every other client gets too."""
    if request.url.path.endswith(GRAPHQL_PATH) or not prefers_html(request):
        return await transport.method_not_allowed(request, exc)
    headers = dict(getattr(exc, "headers", None) or {})
    message = f"{request.method} is not allowed on {request.url.path}; use {headers.get('Allow', 'GET')}."
    return error_response(request, 405, message, headers)


async def http_error_handler(request: Request, exc: Exception) -> Response:
    """Any other HTTPException a route raises, answered the same way."""
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    return error_response(request, exc.status_code, str(exc.detail), headers)


HANDLERS: dict[Any, Callable[[Request, Exception], Any]] = {
    404: not_found_handler,
    405: method_not_allowed_handler,
    HTTPException: http_error_handler,
}
"""The app's error handlers for pages (app.py merges them over transport.EXCEPTION_HANDLERS)."""
