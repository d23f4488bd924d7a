"""The engine: a GraphQL request is prepared (parsed, validated, limited; cached) and then run.

A prepared query runs one of two ways here — its compiled plan, or graphql-core with strawberry's
resolvers when it has no plan or the plan meets anything unusual (the third way, a replayed answer,
is the response cache in front of the HTTP app). `Engine.run` is the one place that decides where a
request runs: a plan first runs inline on the event loop for at most INLINE_SECONDS, then (if it
needs longer) in a worker thread; graphql-core always runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import sys
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
import strawberry
from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutionResult,
    FragmentDefinitionNode,
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
from starlette.concurrency import run_in_threadpool

from api.budget import ByteLRU
from api.engine.compiled import Fallback, Plan, compile_operation
from api.engine.deadline import QueryTimeout, deadline_middleware, timed_out, timeout_result
from api.engine.persisted import PersistedQueries
from api.engine.plan_fields import Memo
from api.engine.query_cost import CostMemo, check_cost
from api.engine.query_shape import check_field_merging, fragments_of, parse_query
from api.engine.request import GraphQLRequest, request_from
from api.engine.text_limits import long_text_in_document, long_text_in_variables, skim
from api.errors import (
    BAD_USER_INPUT,
    INTERNAL,
    METHOD_NOT_ALLOWED,
    PARSE_FAILED,
    TEXT_TOO_LONG,
    TIMEOUT,
    VALIDATION_FAILED,
    RequestError,
    UserInputError,
    bounded,
)
from api.graph.context import Pricing
from api.graph.deadline import running_until
from api.settings import Limits

logger = logging.getLogger("parley.graphql")


INLINE_SECONDS = 0.02
"""How long a plan may hold the event loop before the request is handed to a worker thread."""
SLICE_SECONDS = 0.002
"""Inline engine work one turn of the event loop does before the next requests wait for the next
turn, so a turn stays short whatever the number of connections and /healthz is answered soon."""


class _Turns:
    """Inline engine work per turn of one event loop: `wait` defers a request to a later turn once
    this turn's SLICE_SECONDS are used.

    asyncio runs, in one turn, every callback ready when it began: without this, each turn ran every
    ready request's plan (one per connection), and /healthz waited behind all of them, twice. The
    deferred requests wait in order, asleep; each turn wakes as many as its slice is likely to fit
    (by the mean inline time so far), so waiting costs no wake-ups.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop, self.used, self.mean = loop, 0.0, SLICE_SECONDS / 4
        self.waiting: collections.deque[asyncio.Future[None]] = collections.deque()
        self.renewing = False

    async def wait(self) -> None:
        if self.used < SLICE_SECONDS and not self.waiting:
            return
        turn: asyncio.Future[None] = self.loop.create_future()
        self.waiting.append(turn)
        self._renew_soon()
        await turn

    def ran(self, seconds: float) -> None:
        """Counts an inline run against this turn's slice."""
        self.used += seconds
        self.mean += (seconds - self.mean) / 8

    def _renew_soon(self) -> None:
        if not self.renewing:
            self.renewing = True
            self.loop.call_soon(self._renew)

    def _renew(self) -> None:
        """First in a new turn: the slice is renewed, and the next waiters woken for the turn after."""
        self.used, self.renewing = 0.0, False
        fits = max(1, int(SLICE_SECONDS / max(self.mean, 1e-5)))
        while self.waiting and fits:
            turn = self.waiting.popleft()
            if not turn.done():  # a cancelled request's turn goes to the next one
                turn.set_result(None)
                fits -= 1
        if self.waiting:
            self._renew_soon()


@dataclass(frozen=True)
class Prepared:
    """A parsed and validated document, or the errors that stopped it (cached per query text).

    The document's fragments and its compiled plans (per operation name) are kept with it, so they
    are built once and leave the cache together.
    """

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...] = ()
    code: str = ""
    fragments: dict[str, FragmentDefinitionNode] = field(default_factory=dict, compare=False)
    plans: dict[str | None, Plan | None] = field(default_factory=dict, compare=False)
    costs: CostMemo = field(default_factory=CostMemo, compare=False)


@dataclass
class Engine:
    """Runs GraphQL requests against one schema and one context (the dataset, read-only)."""

    api: strawberry.Schema
    """The strawberry schema: its field definitions tell plans which resolvers to call directly."""
    schema: GraphQLSchema
    """The graphql-core schema behind `api`, which validation, plans and graphql-core run against."""
    context: Any
    validation_rules: Sequence[type[ASTValidationRule]] = ()
    """Extra validation rules, run after the standard ones (e.g. depth or cost limits)."""
    limits: Limits = field(default_factory=Limits)
    """Tokens (at parse), cost (before execution) and the execution timeout; see api/settings.py."""
    persisted: PersistedQueries = field(default_factory=PersistedQueries)
    """Persisted-query hashes (Apollo's protocol) and, with `persisted_only`, the trusted documents."""
    memo: Memo = field(default_factory=Memo)
    """Completed sub-selections without variables, per record, shared by this engine's plans (bounded)."""
    _prepared: ByteLRU[str, Prepared] = field(init=False, repr=False)
    """Prepared queries by text, bounded in bytes (`limits.query_cache_bytes`): the text, its tokens
    (comments included) and what they reach: documents are objects the garbage collector walks on
    every full collection, so distinct large queries must not pile up here. The plans compiled for
    a document are kept with it, so this bounds them too."""
    _gate: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore, _Turns] | None = field(
        init=False, repr=False, default=None
    )
    compiled_runs: int = field(default=0, init=False)
    fallback_runs: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self._prepared = ByteLRU(self.limits.query_cache_bytes)
        pricing = getattr(self.context, "pricing", None)
        if isinstance(pricing, Pricing):  # `queryCost` reads this engine's estimate and limit
            pricing.estimate, pricing.limit = self.cost_of, self.limits.max_cost

    def cost_of(self, query: str, operation_name: str | None, variables: Mapping[str, Any]) -> int:
        """The cost this engine admits an operation by (`queryCost.cost`), from its prepared
        document's cost memo, so a query asking for its own cost is priced once."""
        prepared = self.prepare(query)
        document = prepared.document
        operation = None if document is None else get_operation_ast(document, operation_name)
        if document is None or operation is None:
            raise ValueError("a cost is asked only while a valid operation runs")
        return prepared.costs.cost(self.schema, document, operation, variables, prepared.fragments)

    request_from = staticmethod(request_from)

    def prepare(self, query: str) -> Prepared:
        """Takes query text and returns its parsed, validated document (from the LRU cache when seen).

        The cache keeps at most `limits.query_cache_bytes` of query texts and what they hold.
        """
        found = self._prepared.get(query)
        if found is not None:
            return found
        prepared = self._prepare_uncached(query)
        self._prepared.put(query, prepared, bytes_held(prepared, query))
        return prepared

    def _prepare_uncached(self, query: str) -> Prepared:
        text, too_long = skim(query, self.limits)  # comments emptied; a long string refused unread
        if too_long is not None:
            return Prepared(None, (too_long,), TEXT_TOO_LONG)
        try:
            document = parse_query(text, self.limits)
        except GraphQLError as error:
            return Prepared(None, (error,), PARSE_FAILED)
        too_long = long_text_in_document(document, self.limits.max_text_chars)
        if too_long is not None:
            return Prepared(None, (too_long,), TEXT_TOO_LONG)
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
        fragments = fragments_of(document)
        return Prepared(document, fragments=fragments)

    def plan_for(self, prepared: Prepared, operation_name: str | None) -> Plan | None:
        """Returns the plan of a prepared document's operation (compiled on first use), or None."""
        if operation_name in prepared.plans:
            return prepared.plans[operation_name]
        assert prepared.document is not None
        plan = compile_operation(
            self.schema, self.api, prepared.document, operation_name, prepared.fragments, self.memo
        )
        prepared.plans[operation_name] = plan  # a race only compiles the same plan twice
        return plan

    async def run(self, request: GraphQLRequest, method: str = "POST") -> tuple[int, bytes]:
        """Takes a request and returns (HTTP status, JSON body); decides where it runs (see above).

        A plan runs at most once to the end, and graphql-core at most once: a plan that fails (Fallback)
        hands the request to graphql-core; one that takes longer than INLINE_SECONDS inline is stopped
        and run again in a worker thread, where that plan then runs until a run of it takes under half
        the budget. Inline, a plan waits for a turn of the event loop with room left (`_Turns`); in a
        thread, for one of `limits.engine_threads` places (`_in_line`). The query text must be known
        (`resolve` a persisted-query hash first).
        """
        assert request.query is not None
        prepared = self.prepare(request.query)
        refused = self.refusal(prepared, request, method)
        if refused is not None:
            return refused
        plan = self.plan_for(prepared, request.operation_name)
        if plan is None:
            return await self._in_line(self.execute_core, prepared, request)
        if not plan.inline:
            return await self._in_line(self._in_thread, prepared, plan, request)
        turns = self._loop_state()[2]
        await turns.wait()
        started = time.perf_counter()
        try:
            try:
                return self._run_plan(plan, request, min(self.limits.timeout_seconds, INLINE_SECONDS))
            finally:
                turns.ran(time.perf_counter() - started)
        except QueryTimeout:
            if self.limits.timeout_seconds <= INLINE_SECONDS:
                return self._timed_out()
            plan.inline = False  # this document's next requests go straight to a worker thread
            return await self._in_line(self._in_thread, prepared, plan, request)
        except Fallback:
            return await self._in_line(self.execute_core, prepared, request)

    def _loop_state(self) -> tuple[asyncio.AbstractEventLoop, asyncio.Semaphore, _Turns]:
        """The thread places and the turns of the running event loop (tests run several loops)."""
        loop = asyncio.get_running_loop()
        if self._gate is None or self._gate[0] is not loop:
            self._gate = (loop, asyncio.Semaphore(self.limits.engine_threads), _Turns(loop))
        return self._gate

    async def _in_line(self, work: Callable[..., tuple[int, bytes]], *args: Any) -> tuple[int, bytes]:
        """Runs engine work in a worker thread once one of `limits.engine_threads` places is free.

        The others wait in line on the event loop, which costs it nothing: a few threads take turns
        with the GIL instead of every large answer at once (whose tail then grew with the
        connections). A request that waits out its time budget in line answers TIMEOUT.
        """
        gate = self._loop_state()[1]
        try:
            async with asyncio.timeout(self.limits.timeout_seconds):
                await gate.acquire()
        except TimeoutError:
            return self._timed_out()
        try:
            return await run_in_threadpool(work, *args)
        finally:
            gate.release()

    def run_sync(self, request: GraphQLRequest, method: str = "POST") -> tuple[int, bytes]:
        """`run` on the calling thread, with the whole time budget (for scripts and tests)."""
        assert request.query is not None
        prepared = self.prepare(request.query)
        refused = self.refusal(prepared, request, method)
        if refused is not None:
            return refused
        return self._finish(prepared, self.plan_for(prepared, request.operation_name), request)

    def _in_thread(self, prepared: Prepared, plan: Plan, request: GraphQLRequest) -> tuple[int, bytes]:
        """Runs a plan in a worker thread; one that ran well inside the inline budget goes back inline."""
        started = time.monotonic()
        answer = self._finish(prepared, plan, request)
        if time.monotonic() - started < INLINE_SECONDS / 2:
            plan.inline = True
        return answer

    def _finish(self, prepared: Prepared, plan: Plan | None, request: GraphQLRequest) -> tuple[int, bytes]:
        if plan is not None:
            try:
                return self._run_plan(plan, request, self.limits.timeout_seconds)
            except QueryTimeout:
                return self._timed_out()
            except Fallback:
                pass
        return self.execute_core(prepared, request)

    def _run_plan(self, plan: Plan, request: GraphQLRequest, seconds: float) -> tuple[int, bytes]:
        """Runs a plan; raises QueryTimeout past `seconds`, Fallback on anything graphql-core must
        report (the data is immutable and resolvers are pure, so running it again is safe)."""
        try:
            data = plan.run(self.context, request.variables, seconds)
        except (QueryTimeout, Fallback):
            raise
        except Exception:
            self.fallback_runs += 1
            raise Fallback from None
        self.compiled_runs += 1
        return 200, orjson.dumps({"data": data})

    def _timed_out(self) -> tuple[int, bytes]:
        return 503, self.serialize(timeout_result(self.limits.timeout_seconds), TIMEOUT)

    def refusal(self, prepared: Prepared, request: GraphQLRequest, method: str) -> tuple[int, bytes] | None:
        """Returns the answer to a request that must not execute (405, 400), or None if it may."""
        if method == "GET" and self._is_non_query(prepared, request.query):
            message = "Only query operations may be sent with GET; use POST."
            error = RequestError(message, 405, METHOD_NOT_ALLOWED)
            return error.status, orjson.dumps(error.payload())
        if prepared.document is None:
            return 400, self.serialize(ExecutionResult(None, list(prepared.errors)), prepared.code)
        operation = get_operation_ast(prepared.document, request.operation_name)
        definitions = (operation.variable_definitions or ()) if operation is not None else ()
        declared = {d.variable.name.value for d in definitions}
        variables = {k: v for k, v in (request.variables or {}).items() if k in declared}  # others unread
        too_long = long_text_in_variables(variables, request.operation_name, self.limits.max_text_chars)
        if too_long is not None:
            return 400, self.serialize(ExecutionResult(None, [too_long]), TEXT_TOO_LONG)
        if operation is not None:
            limited = check_cost(
                self.schema, prepared.document, operation, variables, self.limits, prepared.fragments,
                prepared.costs,
            )
            if limited:
                return 400, self.serialize(ExecutionResult(None, limited), BAD_USER_INPUT)
        return None

    def execute_core(self, prepared: Prepared, request: GraphQLRequest) -> tuple[int, bytes]:
        """Executes a prepared request with graphql-core and strawberry's resolvers."""
        assert prepared.document is not None
        deadline = time.monotonic() + self.limits.timeout_seconds
        with running_until(deadline):
            result = execute_sync(
                self.schema,
                prepared.document,
                context_value=self.context,
                variable_values=request.variables,
                operation_name=request.operation_name,
                middleware=[deadline_middleware(deadline)],
            )
        if timed_out(result):
            return self._timed_out()
        if result.data is None and result.errors and all(e.path is None for e in result.errors):
            # Nothing ran: the variables or operationName did not fit the document.
            return 400, self.serialize(result, BAD_USER_INPUT)
        return 200, self.serialize(result, INTERNAL)

    def _is_non_query(self, prepared: Prepared, query: str | None) -> bool:
        """Whether a GET asks for a mutation or subscription (405), even if the document is also invalid."""
        document = prepared.document
        if document is None and prepared.code == VALIDATION_FAILED:
            document = parse_query(skim(query or "", self.limits)[0], self.limits)  # rare: invalid GETs
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


DOCUMENT_BYTES = 12_288
"""Bytes counted per prepared query whatever its size: the Prepared, its source, plan and cost dicts."""
TOKEN_BYTES = 1024
"""Bytes counted per token a prepared query keeps alive, beyond its text: the token, its share of the
AST and of the compiled plans. tests/api/test_budgets.py checks the total against tracemalloc."""


def bytes_held(prepared: Prepared, query: str) -> int:
    """Returns the bytes a prepared query keeps alive beyond its query text (the cache's key): the
    text it was parsed from when that is another string (its comments emptied), its tokens,
    comments included, with their own text."""
    location: Location | None = prepared.document.loc if prepared.document is not None else None
    sources = {}
    for error in prepared.errors:
        if location is None and error.nodes:
            location = error.nodes[0].loc
        if error.source is not None:
            sources[id(error.source)] = error.source
    if location is not None:
        sources[id(location.source)] = location.source
    total = DOCUMENT_BYTES + TOKEN_BYTES * len(prepared.errors)
    total += sum(sys.getsizeof(source.body) for source in sources.values() if source.body is not query)
    if location is None:
        return total
    first = location.start_token
    while first.prev is not None:
        first = first.prev
    token: Token | None = first
    while token is not None:
        total += TOKEN_BYTES + (sys.getsizeof(token.value) if token.value is not None else 0)
        token = token.next
    return total


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
    formatted["message"] = bounded(error.message)  # graphql-core's messages quote names and values
    extensions: dict[str, Any] = dict(error.extensions or {})
    extensions.setdefault("code", default_code)
    formatted["extensions"] = extensions
    return formatted
