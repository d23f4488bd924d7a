"""Filters and orderBy on every root connection, with real answers from the real fixtures.

Where the data can grow (claims, citations, sources), the expected answer is worked out from the
loader's records; the slugs and values the queries use are ones the curated data holds. Answers
written down as curated values are in tests/curated/test_api_filter_answers.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest

from schema.load.loader import load_dataset
from schema.model.dataset import Dataset
from schema.model.models import Claim
from tests.api_client import gql
from tests.datafiles import FIXTURES, SEEDS


@cache
def loaded() -> Dataset:
    """The loader's records of the data under test: what the expectations are worked out from."""
    return load_dataset(FIXTURES, SEEDS)


def claims_where(test: Callable[[Claim], bool]) -> list[str]:
    """The ids of the claims that pass test, in file order."""
    return [claim.id for claim in loaded().claims.values() if test(claim)]


def cited(claim: Claim, test: Callable[[Any], bool]) -> bool:
    """Whether one of the claim's citations passes test."""
    return any(test(citation) for citation in loaded().citations_by_claim.get(claim.id, []))


def published_within(source_id: str, start: str, end: str) -> bool:
    """Whether the source's publication date lies wholly inside [start, end]."""
    published = loaded().sources[source_id].published_on
    return published is not None and (
        dt.date.fromisoformat(start) <= published.earliest()
        and published.latest() <= dt.date.fromisoformat(end)
    )


def slugs(query: str) -> list[str]:
    """Runs a query over one root connection and returns the slugs of its nodes."""
    data: dict[str, Any] = gql(query)
    (connection,) = data.values()
    return [node["slug"] for node in connection["nodes"]]


def count(query: str) -> int:
    """Runs a query over one root connection and returns its totalCount."""
    (connection,) = gql(query).values()
    total: int = connection["totalCount"]
    return total


def test_claims_by_delegates_only() -> None:
    delegates = {seat.person for seat in loaded().delegates.values()}
    expected = claims_where(lambda claim: claim.speaker not in delegates)
    assert count("{ claims(filter: {delegatesOnly: false}) { totalCount } }") == len(expected)


def test_claims_by_citation_mode_source_and_negotiation() -> None:
    assert slugs("{ claims(filter: {mode: DIRECT}) { nodes { slug } } }") == claims_where(
        lambda claim: cited(claim, lambda citation: citation.mode == "direct")
    )
    source = "econotimes-talks-resume"
    assert slugs(f'{{ claims(filter: {{source: "{source}"}}) {{ nodes {{ slug }} }} }}') == claims_where(
        lambda claim: cited(claim, lambda citation: citation.evidence.source == source)
    )
    expected = claims_where(lambda claim: claim.negotiation == "london-2025")
    assert count('{ claims(filter: {negotiation: "london-2025"}) { totalCount } }') == len(expected)


def test_citation_conditions_must_hold_for_one_citation() -> None:
    # "China's not easy" is DIRECT in ASEAN Now and PARTIAL in Caliber.Az: never DIRECT in Caliber.Az.
    both = '{ claims(filter: {text: "not easy", outlet: "caliber-az", mode: %s}) { nodes { slug } } }'
    assert slugs(both % "PARTIAL") == ["trump-china-not-easy"]
    assert slugs(both % "DIRECT") == []


def test_claims_by_said_on_and_published_on_ranges() -> None:
    assert slugs(
        '{ claims(filter: {saidOn: {from: "2025-06-09", to: "2025-06-09"}}) { nodes { slug } } }'
    ) == [
        "trump-doing-well-with-china",
        "trump-china-not-easy",
        "trump-only-good-reports",
    ]
    # An open-ended range takes month-precision dates lying wholly inside it.
    assert slugs('{ claims(filter: {saidOn: {from: "2025-06-01"}}) { nodes { slug } } }') == [
        "trump-doing-well-with-china",
        "trump-china-not-easy",
        "trump-only-good-reports",
        "bessent-good-meeting",
        "lutnick-negotiations-fruitful",
    ]
    expected = claims_where(
        lambda claim: cited(
            claim, lambda citation: published_within(citation.evidence.source, "2025-06-11", "2025-06-11")
        )
    )
    assert count(
        '{ claims(filter: {publishedOn: {from: "2025-06-11", to: "2025-06-11"}}) { totalCount } }'
    ) == len(expected)


def test_claims_as_of_a_date_before_any_known_publication_is_empty() -> None:
    for day in ("2025-06-10", "2025-06-11"):
        expected = claims_where(
            lambda claim, day=day: cited(  # type: ignore[misc]
                claim, lambda citation: published_within(citation.evidence.source, "0001-01-01", day)
            )
        )
        assert count(f'{{ claims(filter: {{asOf: "{day}"}}) {{ totalCount }} }}') == len(expected)
        assert expected or day == "2025-06-10"  # no source is known to be published by then


def test_claims_by_topic_and_text() -> None:
    expected = claims_where(lambda claim: "rare-earths" in claim.topics)
    assert count('{ claims(filter: {topic: "rare-earths"}) { totalCount } }') == len(expected)
    assert slugs('{ claims(filter: {text: "Brooks"}) { nodes { slug } } }') == [
        "brooks-rare-earth-shipments-slowed",
        "brooks-us-pressing-china-beijing-lobbying",
        "brooks-us-wants-shipments-china-wants-curbs-eased",
    ]
    # Curly quotes in the seed ("smaller matters") match straight quotes in the filter.
    assert slugs('{ claims(filter: {text: "\\"smaller matters\\""}) { nodes { slug } } }') == [
        "hassett-gesture-smaller-matters"
    ]


def test_claims_order_by_independent_source_count_then_file_order() -> None:
    query = (
        "{ claims(orderBy: {field: INDEPENDENT_SOURCE_COUNT, direction: DESC}, first: 3) { nodes { slug } } }"
    )
    assert slugs(query) == ["trump-china-not-easy", "trump-only-good-reports", "trump-doing-well-with-china"]


def test_sources_filter_and_order() -> None:
    # Unknown dates sort last in either direction, in file order (in the curated data only ASEAN Now
    # prints a date).
    sources = list(loaded().sources.values())
    dated = sorted(
        (s for s in sources if s.published_on is not None),
        key=lambda s: s.published_on.latest(),  # type: ignore[union-attr]
        reverse=True,
    )
    undated = [s for s in sources if s.published_on is None]
    assert slugs("{ sources(orderBy: {field: PUBLISHED_ON, direction: DESC}) { nodes { slug } } }") == [
        s.id for s in [*dated, *undated]
    ]
    assert slugs('{ sources(filter: {asOf: "2025-06-30"}) { nodes { slug } } }') == [
        s.id for s in sources if published_within(s.id, "0001-01-01", "2025-06-30")
    ]
    assert slugs('{ sources(filter: {text: "Guliyeva"}) { nodes { slug } } }') == [
        "caliber-az-talks-conclude"
    ]
    assert slugs('{ sources(filter: {outlet: "econotimes"}) { nodes { slug } } }') == [
        s.id for s in sources if s.outlet == "econotimes"
    ]


def test_parties_filter_and_order() -> None:
    assert slugs("{ parties(orderBy: {field: NAME, direction: DESC}) { nodes { slug } } }") == [
        "united-states",
        "china",
    ]
    assert slugs('{ parties(filter: {text: "united"}) { nodes { slug } } }') == ["united-states"]


def test_people_filter_and_order() -> None:
    people = loaded().people.values()
    assert count("{ people(filter: {named: false}) { totalCount } }") == sum(not p.named for p in people)
    assert count("{ people(filter: {kind: GROUP}) { totalCount } }") == sum(p.kind == "group" for p in people)



def test_citations_filter_and_order() -> None:
    assert count('{ citations(filter: {outlet: "econotimes", mode: PARAPHRASE}) { totalCount } }') == 5
    query = (
        '{ citations(filter: {speaker: "donald-trump"}, first: 2,'
        " orderBy: {field: POSITION, direction: DESC}) { nodes { slug } } }"
    )
    assert slugs(query) == [
        "trump-call-with-xi-positive--caliber",
        "trump-china-not-easy--caliber",
    ]
    assert slugs('{ citations(filter: {text: "fruitful"}) { nodes { slug } } }') == [
        "lutnick-negotiations-fruitful--caliber"
    ]
    expected = [
        citation
        for citation in loaded().citations.values()
        if published_within(citation.evidence.source, "0001-01-01", "2025-06-11")
    ]
    assert count('{ citations(filter: {asOf: "2025-06-11"}) { totalCount } }') == len(expected)


def test_discrepancy_variants_as_reported_by_one_outlet() -> None:
    query = (
        '{ discrepancy(slug: "li-chenggang-name-spelling") {'
        ' variants(outlet: "econotimes") { value citations { exact } } } }'
    )
    assert gql(query) == {
        "discrepancy": {"variants": [{"value": "Li Changgang", "citations": [{"exact": "Li Changgang"}]}]}
    }


@pytest.mark.parametrize(
    ("reference", "outlet"),
    [("caliber-az", "caliber-az"), ("T3V0bGV0OmNhbGliZXItYXo=", "caliber-az"), ("Y2FsaWJlcg==", "caliber")],
)
def test_references_take_a_slug_or_a_global_id(reference: str, outlet: str) -> None:
    # base64("Outlet:caliber-az") is the outlet's global ID; base64("caliber") is taken as a slug.
    sources = loaded().sources
    expected = claims_where(lambda claim: cited(claim, lambda c: sources[c.evidence.source].outlet == outlet))
    assert count(f'{{ claims(filter: {{outlet: "{reference}"}}) {{ totalCount }} }}') == len(expected)
    assert expected or outlet == "caliber"  # no outlet has that slug


def test_a_global_id_of_the_wrong_type_is_a_bad_user_input_error() -> None:
    from tests.api_client import error_of

    person_id = "UGVyc29uOmhvd2FyZC1sdXRuaWNr"  # base64("Person:howard-lutnick")
    _, error = error_of(f'{{ claims(filter: {{outlet: "{person_id}"}}) {{ totalCount }} }}')
    assert (
        error["message"]
        == f"'{person_id}' is a Person ID, but this argument takes a slug or ID of type Outlet"
    )
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
