"""parley's pipeline with compiled plans: cached documents run as plans, anything else as before."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from graphql import DocumentNode, ExecutionResult
from starlette.concurrency import run_in_threadpool

from api.compiled import Plan, Timeout, compile_operation
from api.deadline import QueryTimeout, timeout_result
from api.pipeline import GraphQLPipeline, GraphQLRequest, tokens_reached

INLINE_SECONDS = 0.02
"""How long a request may hold the event loop before it is handed to a worker thread instead."""


class _Offload(Exception):
    """This request should run in a worker thread."""


async def run_request(pipeline: GraphQLPipeline, request: GraphQLRequest, method: str) -> tuple[int, bytes]:
    """Runs a request: inline when it is quick (no thread hand-off, no GIL contention between
    threads), else in Starlette's thread pool as before."""
    if isinstance(pipeline, FastPipeline):
        done = pipeline.run_inline(request, method)
        if done is not None:
            return done
    return await run_in_threadpool(pipeline.run, request, method=method)


class FastPipeline(GraphQLPipeline):
    """Executes each (document, operation) through its compiled plan, falling back to graphql-core.

    The fallback covers every error: a plan stops at the first surprise and the request is run
    again by graphql-core, so errors, paths and partial data are exactly graphql-core's.
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        self._plans: OrderedDict[tuple[int, str | None], tuple[DocumentNode, Plan | None, int]]
        self._plans = OrderedDict()
        self._plan_tokens = 0  # bounded by cache_tokens like the prepared queries: documents it keeps
        self._lock = threading.Lock()
        self._local = threading.local()  # `inline` is set on the event loop's thread only
        self.compiled_runs = self.fallback_runs = 0

    def plan_for(self, document: DocumentNode, operation_name: str | None) -> Plan | None:
        """Returns the document's plan (compiling it on first use), or None if it has none."""
        key = (id(document), operation_name)
        with self._lock:
            found = self._plans.get(key)
            if found is not None and found[0] is document:
                self._plans.move_to_end(key)
                return found[1]
        plan = compile_operation(self.schema, document, operation_name)
        weight = tokens_reached(document.loc)
        with self._lock:
            replaced = self._plans.pop(key, None)
            self._plan_tokens -= 0 if replaced is None else replaced[2]
            self._plans[key] = (document, plan, weight)  # the document is kept, so its id stays its own
            self._plan_tokens += weight
            while len(self._plans) > self.cache_size or self._plan_tokens > self.cache_tokens:
                self._plan_tokens -= self._plans.popitem(last=False)[1][2]
        return plan

    def run_inline(self, request: GraphQLRequest, method: str) -> tuple[int, bytes] | None:
        """Runs a request on the calling thread if its plan finishes within INLINE_SECONDS.

        Returns None, having spent at most that long, when the request has no plan, fails, or
        takes longer: the caller then runs it in a worker thread, from the start.
        """
        self._local.inline = True
        try:
            return self.run(request, method=method)
        except _Offload:
            return None
        finally:
            self._local.inline = False

    def execute(self, document: DocumentNode, request: GraphQLRequest) -> ExecutionResult:
        plan = self.plan_for(document, request.operation_name)
        inline = getattr(self._local, "inline", False)
        if inline and plan is None:
            raise _Offload
        if plan is not None:
            seconds = self.limits.timeout_seconds
            try:
                data: Any = plan.run(
                    self.context, request.variables, min(seconds, INLINE_SECONDS) if inline else seconds
                )
            except Timeout:
                if inline and seconds > INLINE_SECONDS:
                    raise _Offload from None
                timed_out = timeout_result(self.limits.timeout_seconds)
                timed_out.errors[0].original_error = QueryTimeout()  # type: ignore[index]
                return timed_out
            except Exception:  # any surprise: graphql-core runs it again and reports it
                if inline:
                    raise _Offload from None
                self.fallback_runs += 1
            else:
                self.compiled_runs += 1
                return ExecutionResult(data, None)
        return super().execute(document, request)
