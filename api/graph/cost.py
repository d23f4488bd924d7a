"""`queryCost`: what the query asking for it costs against the server's limit, and the versions that
answered it (GitHub's `rateLimit { cost limit }` way: a field a client selects, not an extension
on every answer; docs/api-limits.md says why).

The cost is the engine's own estimate (api/engine/query_cost.py), the one it refuses queries by;
the API layer cannot import the engine, so the engine binds its estimate into the context
(context.Pricing) when it is built.
"""

from __future__ import annotations

import strawberry

from api.graph.context import Context, Info
from api.version import software_version


@strawberry.type(description="What this query costs and which data answered it. The cost is estimated "
                 "before the query runs: the nodes it could return, each connection counting its "
                 "`first`/`last` (or its default page) times the pages around it; a query costing "
                 "more than `limit` is refused with QUERY_TOO_COMPLEX. Ask for it in any query: "
                 "`{ claims(first: 5) { nodes { id } } queryCost { cost limit datasetVersion } }`.")
class QueryCost:
    cost: int = strawberry.field(description="This query's estimated cost (the whole operation).")
    limit: int = strawberry.field(description="The most a query may cost on this server.")
    dataset_version: str = strawberry.field(
        description="The version of the curated data the answer comes from (meta.datasetVersion)."
    )
    software_version: str = strawberry.field(
        description="The version of the parley software answering (meta.softwareVersion)."
    )


def _dataset_version(context: Context) -> str:
    from api.graph.meta import meta_for

    return meta_for(context.dataset).dataset_version


def query_cost(info: Info) -> QueryCost:
    """What this query costs against the server's limit (the estimate it is admitted by, before it
    runs), and the dataset and software versions answering it: GitHub's `rateLimit { cost limit }`."""
    context = info.context
    pricing = context.pricing
    operation = info.operation.name.value if info.operation.name is not None else None
    query = info.query
    if pricing.estimate is None or query is None:
        raise RuntimeError("queryCost runs only under an Engine, which binds its estimate to the context")
    return QueryCost(
        cost=pricing.estimate(query, operation, info.variable_values),
        limit=pricing.limit,
        dataset_version=context.derived("dataset-version", _dataset_version),
        software_version=software_version(),
    )
