"""Claim selection on indexes: a filter starts from the smallest index list that can hold its answer.

`Dataset` keeps claims by speaker, negotiation, source and outlet, each list in file order. A filter
naming one of those starts from that list instead of every claim; when it names nothing else, the
list *is* the answer and no claim is checked at all, so a page costs O(page), not O(claims).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields

from api.graph.claim_filter import ClaimFilter, filter_claims
from api.graph.context import Context
from api.graph.refs import slug_of
from schema.dataset import Dataset
from schema.models import Claim

# Filter field -> (the type its reference names, the dataset index holding its claims).
_INDEXED: dict[str, tuple[str, Callable[[Dataset], Mapping[str, list[Claim]]]]] = {
    "speaker": ("Person", lambda d: d.claims_by_speaker),
    "negotiation": ("Negotiation", lambda d: d.claims_by_negotiation),
    "source": ("Source", lambda d: d.claims_by_source),
    "outlet": ("Outlet", lambda d: d.claims_by_outlet),
}


def _given(where: ClaimFilter) -> list[str]:
    return [f.name for f in fields(where) if getattr(where, f.name) is not None]


def all_claims(context: Context) -> Sequence[Claim]:
    """Returns every claim in file order, as one list built once per dataset (never copied)."""
    cached: Sequence[Claim] | None = getattr(context, "_all_claims", None)
    if cached is None:
        values = context.dataset.claims.values()  # a snapshot's is a lazy Sequence: not copied
        cached = values if isinstance(values, Sequence) else list(values)
        object.__setattr__(context, "_all_claims", cached)  # Context is frozen; this is derived data
    return cached


def select_claims(context: Context, where: ClaimFilter | None) -> Sequence[Claim]:
    """Takes a claim filter (or None) and returns the claims it keeps, in file order.

    The result may be a shared index list: callers must not change it.
    """
    if where is None:
        return all_claims(context)
    given = _given(where)
    indexed = [name for name in given if name in _INDEXED]
    if not indexed:
        return filter_claims(context, all_claims(context), where)
    candidates: list[Sequence[Claim]] = []
    for name in indexed:
        type_name, index = _INDEXED[name]
        candidates.append(index(context.dataset).get(slug_of(getattr(where, name), type_name), []))
    smallest = min(candidates, key=len)
    if len(given) == 1:
        return smallest  # the index list is exactly the answer
    return filter_claims(context, smallest, where)
