"""The GraphQL request pipeline: parse the HTTP request -> parse+validate (cached) -> execute -> serialize.

Each step is one method of `GraphQLPipeline`, so later layers (query limits, a response cache) can add
validation rules or wrap `run` without touching the HTTP routes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson
from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    execute_sync,
    parse,
    validate,
)

from api.context import Context
from api.errors import BAD_USER_INPUT, INTERNAL, PARSE_FAILED, VALIDATION_FAILED, RequestError, UserInputError

logger = logging.getLogger("parley.graphql")


@dataclass(frozen=True)
class GraphQLRequest:
    """One GraphQL operation request, from a GET query string or a POST JSON body."""

    query: str
    variables: dict[str, Any] | None = None
    operation_name: str | None = None


@dataclass(frozen=True)
class Prepared:
    """A parsed and validated document, or the errors that stopped it (cached per query text)."""

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...] = ()
    code: str = ""


@dataclass
class GraphQLPipeline:
    """Runs GraphQL requests against one schema and one context."""

    schema: GraphQLSchema
    context: Context
    validation_rules: Sequence[type[ASTValidationRule]] = ()
    """Extra validation rules, run after the standard ones (e.g. depth or cost limits)."""
    cache_size: int = 512
    _prepare_cached: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._prepare_cached = lru_cache(maxsize=self.cache_size)(self._prepare_uncached)

    @staticmethod
    def request_from(params: Mapping[str, Any]) -> GraphQLRequest:
        """Takes decoded GET params or a POST JSON body and returns the request; RequestError if malformed."""
        query = params.get("query")
        if not isinstance(query, str) or not query.strip():
            raise RequestError("Provide a GraphQL query in `query` (a non-empty string).")
        variables = params.get("variables")
        if isinstance(variables, str):
            try:
                variables = orjson.loads(variables) if variables.strip() else None
            except orjson.JSONDecodeError:
                raise RequestError("`variables` is not valid JSON.") from None
        if variables is not None and not isinstance(variables, dict):
            raise RequestError("`variables` must be a JSON object.")
        operation_name = params.get("operationName")
        if operation_name is not None and not isinstance(operation_name, str):
            raise RequestError("`operationName` must be a string.")
        return GraphQLRequest(query=query, variables=variables, operation_name=operation_name or None)

    def prepare(self, query: str) -> Prepared:
        """Takes query text and returns its parsed, validated document (from the LRU cache when seen)."""
        prepared: Prepared = self._prepare_cached(query)
        return prepared

    def _prepare_uncached(self, query: str) -> Prepared:
        try:
            document = parse(query)
        except GraphQLError as error:
            return Prepared(None, (error,), PARSE_FAILED)
        rules = None
        if self.validation_rules:
            from graphql import specified_rules

            rules = [*specified_rules, *self.validation_rules]
        errors = validate(self.schema, document, rules)
        if errors:
            return Prepared(None, tuple(errors), VALIDATION_FAILED)
        return Prepared(document)

    def execute(self, document: DocumentNode, request: GraphQLRequest) -> ExecutionResult:
        """Executes a validated document synchronously against the in-memory dataset."""
        return execute_sync(
            self.schema,
            document,
            context_value=self.context,
            variable_values=request.variables,
            operation_name=request.operation_name,
        )

    def run(self, request: GraphQLRequest, *, method: str = "POST") -> tuple[int, bytes]:
        """Takes a request and returns (HTTP status, JSON body): 400 when nothing could execute."""
        prepared = self.prepare(request.query)
        if prepared.document is None:
            return 400, self.serialize(ExecutionResult(None, list(prepared.errors)), prepared.code)
        if method == "GET" and _has_non_query(prepared.document):
            error = RequestError("Only query operations may be sent with GET; use POST.", 405)
            return error.status, orjson.dumps(error.payload())
        result = self.execute(prepared.document, request)
        if result.data is None and result.errors:
            # Nothing ran: the variables or operationName did not fit the document.
            return 400, self.serialize(result, BAD_USER_INPUT)
        return 200, self.serialize(result, INTERNAL)

    def serialize(self, result: ExecutionResult, default_code: str) -> bytes:
        """Returns the JSON body: `data` and/or `errors`, each error with `extensions.code`."""
        body: dict[str, Any] = {}
        if result.errors:
            body["errors"] = [_format_error(e, default_code) for e in result.errors]
        if result.data is not None or not result.errors:
            body["data"] = result.data
        return orjson.dumps(body)


def _has_non_query(document: DocumentNode) -> bool:
    return any(
        isinstance(d, OperationDefinitionNode) and d.operation is not OperationType.QUERY
        for d in document.definitions
    )


def _format_error(error: GraphQLError, default_code: str) -> dict[str, Any]:
    """Formats one error; an unexpected exception in a resolver is logged and masked."""
    original = error.original_error
    if original is not None and not isinstance(original, UserInputError | GraphQLError):
        logger.error("resolver failed at %s", error.path, exc_info=original)
        masked = GraphQLError("Internal server error.", path=error.path, extensions={"code": INTERNAL})
        masked.locations = error.locations
        return dict(masked.formatted)
    formatted = dict(error.formatted)
    extensions: dict[str, Any] = dict(error.extensions or {})
    extensions.setdefault("code", default_code)
    formatted["extensions"] = extensions
    return formatted
