"""parley's pipeline with compiled plans: cached documents run as plans, anything else as before."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from graphql import DocumentNode, ExecutionResult

from api.compiled import Plan, Timeout, compile_operation
from api.deadline import QueryTimeout, timeout_result
from api.pipeline import GraphQLPipeline, GraphQLRequest


class FastPipeline(GraphQLPipeline):
    """Executes each (document, operation) through its compiled plan, falling back to graphql-core.

    The fallback covers every error: a plan stops at the first surprise and the request is run
    again by graphql-core, so errors, paths and partial data are exactly graphql-core's.
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        self._plans: OrderedDict[tuple[int, str | None], tuple[DocumentNode, Plan | None]] = OrderedDict()
        self._lock = threading.Lock()
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
        with self._lock:
            self._plans[key] = (document, plan)  # the document is kept, so its id stays its own
            while len(self._plans) > self.cache_size:
                self._plans.popitem(last=False)
        return plan

    def execute(self, document: DocumentNode, request: GraphQLRequest) -> ExecutionResult:
        plan = self.plan_for(document, request.operation_name)
        if plan is not None:
            try:
                data: Any = plan.run(self.context, request.variables, self.limits.timeout_seconds)
            except Timeout:
                timed_out = timeout_result(self.limits.timeout_seconds)
                timed_out.errors[0].original_error = QueryTimeout()  # type: ignore[index]
                return timed_out
            except Exception:  # any surprise: graphql-core runs it again and reports it
                self.fallback_runs += 1
            else:
                self.compiled_runs += 1
                return ExecutionResult(data, None)
        return super().execute(document, request)
