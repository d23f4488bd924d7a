"""Test helper: one malformed-request case, sent through Starlette's TestClient, checked for shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    import httpx
    from starlette.testclient import TestClient

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
ACCEPTS = (JSON, GRAPHQL_RESPONSE, None)  # None: no Accept header at all (answered as application/json)


def body(query: Any = None, **fields: Any) -> bytes:
    """Returns a POST body holding `query` (when given) and any other top-level fields."""
    document = fields if query is None else {"query": query, **fields}
    return orjson.dumps(document)


@dataclass(frozen=True)
class Case:
    """A request and what it must get: status per media type and the first error's code."""

    name: str
    content: bytes | None = None
    method: str = "POST"
    params: dict[str, str] | None = None
    content_type: str | None = JSON
    json_status: int = 400
    graphql_status: int | None = None  # None: the same as json_status
    code: str | None = None  # None: the request succeeds without errors
    headers: dict[str, str] = field(default_factory=dict)

    def status_for(self, accept: str | None) -> int:
        """Returns the status this case must get when the client accepts `accept`."""
        if accept == GRAPHQL_RESPONSE and self.graphql_status is not None:
            return self.graphql_status
        return self.json_status


def send(client: TestClient, case: Case, accept: str | None) -> httpx.Response:
    """Sends the case's request with the given Accept header (or none)."""
    headers = dict(case.headers)
    if accept is not None:
        headers["accept"] = accept
    if case.content_type is not None:
        headers["content-type"] = case.content_type
    return client.request(case.method, "/graphql", content=case.content, params=case.params, headers=headers)


def check(client: TestClient, case: Case, accept: str | None) -> dict[str, Any]:
    """Sends the case and asserts status, media type, code and the spec's `data` rule; returns the body."""
    response = send(client, case, accept)
    expected = case.status_for(accept)
    assert response.status_code == expected, (case.name, accept, response.status_code, response.text[:500])
    media = accept if accept == GRAPHQL_RESPONSE and response.status_code != 406 else JSON
    assert response.headers["content-type"] == f"{media}; charset=utf-8"
    result: dict[str, Any] = response.json()
    assert set(result) <= {"data", "errors", "extensions"}, result
    if case.code is None:
        assert "errors" not in result, result["errors"]
        assert result["data"] is not None
        return result
    errors = result["errors"]
    assert isinstance(errors, list) and errors, result
    for error in errors:
        assert isinstance(error["message"], str) and error["message"], error
        assert isinstance(error["extensions"]["code"], str), error
        assert "Traceback" not in error["message"]
    assert errors[0]["extensions"]["code"] == case.code, (case.name, errors)
    if case.status_for(GRAPHQL_RESPONSE) >= 400:
        assert "data" not in result, result  # a request error: nothing executed, so no `data` entry
    else:
        assert "data" in result, result  # a field error: execution ran, `data` is there (maybe null)
    return result
