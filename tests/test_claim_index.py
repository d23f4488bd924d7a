"""Claim selection on indexes gives exactly what a full scan of the filter gives, without the scan."""

from __future__ import annotations

from functools import cache

import pytest
import strawberry
from api_client import dataset

from api.errors import UserInputError
from api.graph.claim_filter import ClaimFilter, filter_claims
from api.graph.claim_index import all_claims, select_claims
from api.graph.context import Context
from api.graph.relay import encode_global_id
from schema.models import CitationMode


@cache
def context() -> Context:
    return Context.for_dataset(dataset())


FILTERS = [
    ClaimFilter(speaker=strawberry.ID("howard-lutnick")),
    ClaimFilter(speaker=strawberry.ID(encode_global_id("Person", "donald-trump"))),
    ClaimFilter(negotiation=strawberry.ID("london-2025")),
    ClaimFilter(source=strawberry.ID("asean-now-fragile-progress")),
    ClaimFilter(outlet=strawberry.ID("econotimes")),
    ClaimFilter(speaker=strawberry.ID("donald-trump"), outlet=strawberry.ID("caliber-az")),
    ClaimFilter(negotiation=strawberry.ID("london-2025"), mode=CitationMode.PARAPHRASE),
    ClaimFilter(speaker=strawberry.ID("nobody-at-all")),
    ClaimFilter(text="rare earth"),
]


@pytest.mark.parametrize("where", FILTERS, ids=repr)
def test_index_selection_equals_the_full_scan(where: ClaimFilter) -> None:
    scanned = filter_claims(context(), dataset().claims.values(), where)
    assert scanned or where.speaker == "nobody-at-all"  # every other filter keeps something
    assert [c.id for c in select_claims(context(), where)] == [c.id for c in scanned]


def test_a_lone_indexed_condition_answers_with_the_index_list_itself() -> None:
    selected = select_claims(context(), ClaimFilter(speaker=strawberry.ID("howard-lutnick")))
    assert selected is dataset().claims_by_speaker["howard-lutnick"]
    assert [c.id for c in selected][:2] == [
        "lutnick-talks-progressing-may-extend",
        "lutnick-negotiations-fruitful",
    ]


def test_no_filter_means_every_claim_in_file_order_from_one_shared_list() -> None:
    assert select_claims(context(), None) is all_claims(context())
    assert [c.id for c in all_claims(context())] == list(dataset().claims)
    assert len(all_claims(context())) == 35


def test_a_reference_of_the_wrong_type_is_a_client_error() -> None:
    wrong = ClaimFilter(speaker=strawberry.ID(encode_global_id("Source", "econotimes-talks-resume")))
    with pytest.raises(
        UserInputError, match="is a Source ID, but this argument takes a slug or ID of type Person"
    ):
        select_claims(context(), wrong)
