"""Root connections: every entity as a filtered, ordered, paginated list."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

import strawberry

from api.graph.claim_filter import ClaimFilter
from api.graph.claim_index import select_claims
from api.graph.claims import Citation, Claim
from api.graph.context import Context, Info
from api.graph.discrepancies import Discrepancy
from api.graph.filters import (
    CitationFilter,
    DelegateFilter,
    DiscrepancyFilter,
    NegotiationFilter,
    OutletFilter,
    PartyFilter,
    PersonFilter,
    SourceFilter,
)
from api.graph.negotiations import Delegate, Negotiation
from api.graph.ordering import apply_order
from api.graph.orders import (
    KEYS,
    CitationOrder,
    ClaimOrder,
    DelegateOrder,
    DiscrepancyOrder,
    NegotiationOrder,
    OutletOrder,
    PartyOrder,
    PersonOrder,
    SourceOrder,
)
from api.graph.people import Party, Person
from api.graph.relay import After, Before, Connection, First, Last, paginate
from api.graph.sources import Outlet, Source

N = TypeVar("N")
F = TypeVar("F")
O = TypeVar("O")  # noqa: E741

Filter = Annotated[F, strawberry.argument(description="Conditions the items must meet (all of them).")]
OrderBy = Annotated[O, strawberry.argument(description="Sort order (default: file order).")]


def _connect(
    info: Info, stem: str, where: Any, order: Any, wrap: Callable[..., N], page: tuple[Any, ...]
) -> Connection[N]:
    context: Context = info.context
    records = getattr(context.dataset, stem).values()
    if where is None and isinstance(records, Sequence):
        kept: Sequence[Any] = records  # a snapshot's lazy Sequence: a page decodes only its records
    else:
        kept = [r for r in records if where is None or where.passes(context, r)]
    ordered = apply_order(order, kept, context, KEYS[stem])
    return paginate(ordered, lambda r: wrap(record=r), *page)


def outlets(
    info: Info,
    filter: Filter[OutletFilter | None] = None,
    order_by: OrderBy[OutletOrder | None] = None,
    first: First = None,
    last: Last = None,
    after: After = None,
    before: Before = None,
) -> Connection[Outlet]:
    """Publishers and wire services."""
    return _connect(info, "outlets", filter, order_by, Outlet, (first, last, after, before))


def sources(
    info: Info,
    filter: Filter[SourceFilter | None] = None,
    order_by: OrderBy[SourceOrder | None] = None,
    first: First = None,
    last: Last = None,
    after: After = None,
    before: Before = None,
) -> Connection[Source]:
    """Articles: one per seed text."""
    return _connect(info, "sources", filter, order_by, Source, (first, last, after, before))


def parties(
    info: Info,
    filter: Filter[PartyFilter | None] = None,
    order_by: OrderBy[PartyOrder | None] = None,
    first: First = None,
    last: Last = None,
    after: After = None,
    before: Before = None,
) -> Connection[Party]:
    """Sides in negotiations (governments)."""
    return _connect(info, "parties", filter, order_by, Party, (first, last, after, before))


def people(
    info: Info,
    filter: Filter[PersonFilter | None] = None,
    order_by: OrderBy[PersonOrder | None] = None,
    first: First = None,
    last: Last = None,
    after: After = None,
    before: Before = None,
) -> Connection[Person]:
    """Everyone who speaks or is named, including unnamed speakers."""
    return _connect(info, "people", filter, order_by, Person, (first, last, after, before))


def negotiations(
    info: Info,
    filter: Filter[NegotiationFilter | None] = None,
    order_by: OrderBy[NegotiationOrder | None] = None,
    first: First = None,
    last: Last = None,
    after: After = None,
    before: Before = None,
) -> Connection[Negotiation]:
    """Rounds of talks."""
    return _connect(info, "negotiations", filter, order_by, Negotiation, (first, last, after, before))


def delegates(
    info: Info,
    filter: Filter[DelegateFilter | None] = None,
    order_by: OrderBy[DelegateOrder | None] = None,
    first: First = None,
    last: Last = None,
    after: After = None,
    before: Before = None,
) -> Connection[Delegate]:
    """Delegate seats: a person in one negotiation's delegation."""
    return _connect(info, "delegates", filter, order_by, Delegate, (first, last, after, before))


def claims(
    info: Info,
    filter: Filter[ClaimFilter | None] = None,
    order_by: OrderBy[ClaimOrder | None] = None,
    first: First = None,
    last: Last = None,
    after: After = None,
    before: Before = None,
) -> Connection[Claim]:
    """Statements, one per speaker and utterance, however many articles report them."""
    context: Context = info.context
    kept = select_claims(context, filter)  # from the indexes, no copy: O(page) for indexed filters
    ordered = kept if order_by is None else apply_order(order_by, kept, context, KEYS["claims"])
    return paginate(ordered, lambda r: Claim(record=r), first, last, after, before)


def citations(
    info: Info,
    filter: Filter[CitationFilter | None] = None,
    order_by: OrderBy[CitationOrder | None] = None,
    first: First = None,
    last: Last = None,
    after: After = None,
    before: Before = None,
) -> Connection[Citation]:
    """Claims as each article reports them."""
    return _connect(info, "citations", filter, order_by, Citation, (first, last, after, before))


def discrepancies(
    info: Info,
    filter: Filter[DiscrepancyFilter | None] = None,
    order_by: OrderBy[DiscrepancyOrder | None] = None,
    first: First = None,
    last: Last = None,
    after: After = None,
    before: Before = None,
) -> Connection[Discrepancy]:
    """Points where the sources disagree."""
    return _connect(info, "discrepancies", filter, order_by, Discrepancy, (first, last, after, before))
