"""One GraphQL request as GraphQL over HTTP defines its parameters: query, variables, operationName,
extensions (with Apollo's `persistedQuery`); the one place they are read and checked."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from api.errors import BAD_REQUEST, RequestError

_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class GraphQLRequest:
    """One GraphQL operation request, from a GET query string or a POST JSON body.

    `query` is None when the client sent only a persisted query's hash (see api/engine/persisted.py).
    """

    query: str | None
    variables: dict[str, Any] | None = None
    operation_name: str | None = None
    persisted_hash: str | None = None


def _json_member(params: Mapping[str, Any], name: str) -> Any:
    """Returns a member that may be a JSON object, decoding it when it came as text (GET)."""
    value = params.get(name)
    if isinstance(value, str):
        try:
            value = orjson.loads(value) if value.strip() else None
        except orjson.JSONDecodeError:
            raise RequestError(f"`{name}` is not valid JSON.") from None
    if value is not None and not isinstance(value, dict):
        raise RequestError(f"`{name}` must be a JSON object.")
    return value


def _persisted_hash(extensions: dict[str, Any] | None) -> str | None:
    persisted = None if extensions is None else extensions.get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise RequestError("`extensions.persistedQuery` must be {version: 1, sha256Hash: ...} (version 1).")
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
        raise RequestError("`extensions.persistedQuery.sha256Hash` must be 64 lowercase hex digits.")
    return digest


def request_from(params: Mapping[str, Any]) -> GraphQLRequest:
    """Takes decoded GET params or a POST JSON body and returns the request; RequestError if malformed."""
    persisted_hash = _persisted_hash(_json_member(params, "extensions"))
    query = params.get("query")
    if query is None and persisted_hash is not None:
        pass  # the hash stands for the query
    elif not isinstance(query, str) or not query.strip():
        raise RequestError("Provide a GraphQL query in `query` (a non-empty string).")
    variables = _json_member(params, "variables")
    operation_name = params.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestError("`operationName` must be a string.")
    return GraphQLRequest(query, variables, operation_name or None, persisted_hash)


def request_from_json(body: bytes) -> GraphQLRequest:
    """Takes a POST body and returns the request; RequestError unless it is one JSON object."""
    try:
        params = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise RequestError("The request body is not valid JSON.") from None
    if isinstance(params, list):
        message = "Batched requests (a JSON array) are not supported; send one operation per request."
        raise RequestError(message, 400, BAD_REQUEST)
    if not isinstance(params, dict):
        raise RequestError("The request body must be a JSON object with a `query`.")
    return request_from(params)
