"""The HTTP edge: HEAD, and CORS for real browser clients."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from api_client import dataset

from api.http.app import create_app


@pytest.fixture(scope="module")
def client() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from starlette.testclient import TestClient

        return TestClient(create_app(dataset()))


def test_head_is_answered_as_get_without_a_body(client: Any) -> None:
    params = {"query": "{ meta { name } }"}
    get = client.get("/graphql", params=params)
    head = client.head("/graphql", params=params)
    assert get.status_code == head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"] == "application/json; charset=utf-8"
    assert int(head.headers["content-length"]) == len(get.content)
    browser = client.head("/graphql", headers={"accept": "text/html"})
    assert browser.status_code == 200 and browser.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    "requested",
    ["authorization", "apollo-require-preflight", "x-apollo-operation-name", "content-type, x-any"],
)
def test_a_preflight_allows_the_headers_real_clients_send(client: Any, requested: str) -> None:
    response = client.options(
        "/graphql",
        headers={
            "origin": "http://127.0.0.1:9999",
            "access-control-request-method": "POST",
            "access-control-request-headers": requested,
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-allow-headers"] == requested
    assert "Access-Control-Request-Headers" in response.headers["vary"]
    assert "credentials" not in " ".join(response.headers.keys()).lower()
