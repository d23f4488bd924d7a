"""The GraphQL request pipeline: parse the HTTP request -> parse+validate (cached) -> execute -> serialize.

Each step is one method of `GraphQLPipeline`, so later layers (query limits, a response cache) can add
validation rules or wrap `run` without touching the HTTP routes.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    Location,
    OperationDefinitionNode,
    OperationType,
    Token,
    execute_sync,
    get_operation_ast,
    validate,
)

from api.context import Context
from api.deadline import deadline_middleware, timed_out, timeout_result
from api.errors import (
    BAD_USER_INPUT,
    INTERNAL,
    METHOD_NOT_ALLOWED,
    PARSE_FAILED,
    TIMEOUT,
    VALIDATION_FAILED,
    RequestError,
    UserInputError,
)
from api.limits import Limits
from api.query_cost import check_cost
from api.query_shape import check_field_merging, parse_query

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
    cache_tokens: int = 16_384
    """Tokens the prepared-query cache holds in all: its documents (tokens, nodes, locations) are
    objects the garbage collector walks on every full collection, so distinct large queries must
    not pile up there (512 of 1000 tokens made each full collection take seconds)."""
    limits: Limits = field(default_factory=Limits)
    """Tokens (at parse), cost (before execution) and the execution timeout; see api/limits.py."""
    _prepared: OrderedDict[str, tuple[Prepared, int]] = field(init=False, repr=False)
    _prepared_tokens: int = field(init=False, repr=False, default=0)
    _prepared_lock: threading.Lock = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._prepared = OrderedDict()
        self._prepared_lock = threading.Lock()

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
        """Takes query text and returns its parsed, validated document (from the LRU cache when seen).

        The cache keeps at most `cache_size` queries and `cache_tokens` tokens of documents.
        """
        with self._prepared_lock:
            found = self._prepared.get(query)
            if found is not None:
                self._prepared.move_to_end(query)
                return found[0]
        prepared = self._prepare_uncached(query)
        weight = _tokens_held(prepared)
        with self._prepared_lock:
            if query not in self._prepared and weight <= self.cache_tokens:
                self._prepared[query] = (prepared, weight)
                self._prepared_tokens += weight
                while len(self._prepared) > self.cache_size or self._prepared_tokens > self.cache_tokens:
                    _, (_, dropped) = self._prepared.popitem(last=False)
                    self._prepared_tokens -= dropped
        return prepared

    def _prepare_uncached(self, query: str) -> Prepared:
        try:
            document = parse_query(query, self.limits)
        except GraphQLError as error:
            return Prepared(None, (error,), PARSE_FAILED)
        # Bounded before graphql-core's field-merging rule, which is quadratic in repeated fields.
        too_many = check_field_merging(document, self.limits)
        if too_many is not None:
            return Prepared(None, (too_many,), VALIDATION_FAILED)
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
            middleware=[deadline_middleware(self.limits.timeout_seconds)],
        )

    def run(self, request: GraphQLRequest, *, method: str = "POST") -> tuple[int, bytes]:
        """Takes a request and returns (HTTP status, JSON body): 400 when nothing could execute."""
        prepared = self.prepare(request.query)
        if method == "GET" and self._is_non_query(prepared, request.query):
            message = "Only query operations may be sent with GET; use POST."
            error = RequestError(message, 405, METHOD_NOT_ALLOWED)
            return error.status, orjson.dumps(error.payload())
        if prepared.document is None:
            return 400, self.serialize(ExecutionResult(None, list(prepared.errors)), prepared.code)
        operation = get_operation_ast(prepared.document, request.operation_name)
        if operation is not None:
            variables = request.variables or {}
            limited = check_cost(self.schema, prepared.document, operation, variables, self.limits)
            if limited:
                return 400, self.serialize(ExecutionResult(None, limited), BAD_USER_INPUT)
        result = self.execute(prepared.document, request)
        if timed_out(result):
            return 503, self.serialize(timeout_result(self.limits.timeout_seconds), TIMEOUT)
        if result.data is None and result.errors and all(e.path is None for e in result.errors):
            # Nothing ran: the variables or operationName did not fit the document.
            return 400, self.serialize(result, BAD_USER_INPUT)
        return 200, self.serialize(result, INTERNAL)

    def _is_non_query(self, prepared: Prepared, query: str) -> bool:
        """Whether a GET asks for a mutation or subscription (405), even if the document is also invalid."""
        document = prepared.document
        if document is None and prepared.code == VALIDATION_FAILED:
            document = parse_query(query, self.limits)  # rare: only invalid documents sent by GET
        return document is not None and _has_non_query(document)

    def serialize(self, result: ExecutionResult, default_code: str) -> bytes:
        """Returns the JSON body: `data` and/or `errors`, each error with `extensions.code`."""
        body: dict[str, Any] = {}
        if result.errors:
            body["errors"] = [_format_error(e, default_code) for e in result.errors]
        # A field error that nulls the root keeps `data: null`; errors before execution have no path.
        if result.data is not None or not result.errors or any(e.path for e in result.errors):
            body["data"] = result.data
        return orjson.dumps(body)


def _tokens_held(prepared: Prepared) -> int:
    """Returns how many tokens a prepared query keeps alive: its document's, or those its errors'
    nodes reach (tokens are linked, so one node reaches every token of its document); at least 1."""
    location: Location | None = prepared.document.loc if prepared.document is not None else None
    for error in prepared.errors:
        if location is None and error.nodes:
            location = error.nodes[0].loc
    return tokens_reached(location)


def tokens_reached(location: Location | None) -> int:
    """Returns how many tokens a node's location keeps alive (all of its document's); at least 1."""
    if location is None:
        return 1
    first = location.start_token
    while first.prev is not None:
        first = first.prev
    count = 0
    token: Token | None = first
    while token is not None:
        count += 1
        token = token.next
    return count


def _has_non_query(document: DocumentNode) -> bool:
    return any(
        isinstance(d, OperationDefinitionNode) and d.operation is not OperationType.QUERY
        for d in document.definitions
    )


def _format_error(error: GraphQLError, default_code: str) -> dict[str, Any]:
    """Formats one error; an unexpected exception in a resolver is logged and masked."""
    original = error.original_error
    if original is not None and not isinstance(original, UserInputError | GraphQLError):
        request_id = uuid.uuid4().hex  # the client quotes it; the log line with the traceback carries it
        logger.error("resolver failed at %s (request %s)", error.path, request_id, exc_info=original)
        masked_extensions = {"code": INTERNAL, "requestId": request_id}
        masked = GraphQLError("Internal server error.", path=error.path, extensions=masked_extensions)
        masked.locations = error.locations
        return dict(masked.formatted)
    formatted = dict(error.formatted)
    extensions: dict[str, Any] = dict(error.extensions or {})
    extensions.setdefault("code", default_code)
    formatted["extensions"] = extensions
    return formatted
