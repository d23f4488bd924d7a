"""Filters and orderBy on the root connections, and the passage index: the curated answers, written
down (the mechanism tests, which work out their answers from the data, are
tests/api/graph/test_api_filters.py and tests/schema/text/test_passages.py). A copy of the data with
an article added answers these differently, as it should.
"""

from __future__ import annotations

from schema.load.loader import load_dataset
from schema.text.passages import PassageIndex
from tests.api.graph.test_api_filters import count, slugs
from tests.api_client import gql
from tests.datafiles import FIXTURES, SEEDS


def test_claims_by_the_speakers_party() -> None:
    assert slugs('{ claims(filter: {party: "china"}) { nodes { slug } } }') == [
        "xi-call-with-trump-positive",
        "beijing-us-restrictions-breach-agreements",
        "spokesperson-approved-export-licences",
        "china-accuses-us-of-breaching-geneva-truce",
        "li-talks-positive",
        "li-framework-to-xi-for-review",
    ]


def test_outlets_filter_and_order() -> None:
    data = gql("{ outlets(orderBy: {field: NAME, direction: DESC}) { nodes { name } } }")
    assert [o["name"] for o in data["outlets"]["nodes"]] == [
        "EconoTimes",
        "Cnews Live",
        "Caliber.Az",
        "ASEAN Now",
        "AP",
    ]
    assert slugs("{ outlets(filter: {kind: WIRE_SERVICE}) { nodes { slug } } }") == ["ap"]
    assert slugs('{ outlets(filter: {text: "CALIBER"}) { nodes { slug } } }') == ["caliber-az"]


def test_negotiations_filter_and_order() -> None:
    assert slugs("{ negotiations(orderBy: {field: START_ON, direction: DESC}) { nodes { slug } } }") == [
        "london-2025",
        "geneva-2025",
    ]
    assert count('{ negotiations(filter: {party: "china"}) { totalCount } }') == 2
    assert slugs('{ negotiations(filter: {text: "lancaster house"}) { nodes { slug } } }') == ["london-2025"]


def test_delegates_filter_and_order() -> None:
    assert slugs("{ delegates(filter: {lead: true}) { nodes { slug } } }") == [
        "geneva-2025--he-lifeng",
        "london-2025--he-lifeng",
    ]
    query = (
        '{ delegates(filter: {party: "united-states"}, orderBy: {field: PERSON_NAME}) { nodes { slug } } }'
    )
    assert slugs(query) == [
        "london-2025--howard-lutnick",
        "london-2025--jamieson-greer",
        "london-2025--scott-bessent",
    ]


def test_discrepancies_filter_and_order() -> None:
    assert slugs("{ discrepancies(filter: {kind: SPELLING}) { nodes { slug } } }") == [
        "li-chenggang-name-spelling"
    ]
    assert slugs('{ discrepancies(filter: {text: "55%"}) { nodes { slug } } }') == [
        "us-tariff-on-chinese-goods"
    ]
    data = gql("{ discrepancies(orderBy: {field: SUBJECT}) { nodes { kind } } }")
    assert [d["kind"] for d in data["discrepancies"]["nodes"]] == ["TITLE", "SPELLING", "FIGURE", "STATUS"]


def test_claims_by_us_delegates_only() -> None:
    query = '{ claims(filter: {party: "united-states", delegatesOnly: true}) { nodes { slug } } }'
    assert slugs(query) == [
        "lutnick-talks-progressing-may-extend",
        "bessent-good-meeting",
        "lutnick-negotiations-fruitful",
        "lutnick-structure-agreed-for-geneva-deal",
        "lutnick-progress-rare-earths-magnets",
        "greer-call-shifted-tone",
    ]


def test_people_filter_and_order() -> None:
    assert slugs('{ people(filter: {party: "united-states"}) { nodes { slug } } }') == [
        "donald-trump",
        "howard-lutnick",
        "scott-bessent",
        "jamieson-greer",
        "kevin-hassett",
        "white-house-advisers",
        "us-government",
    ]
    data = gql('{ people(filter: {negotiation: "london-2025"}, orderBy: {field: NAME}) { nodes { name } } }')
    assert [p["name"] for p in data["people"]["nodes"]] == [
        "He Lifeng",
        "Howard Lutnick",
        "Jamieson Greer",
        "Li Chenggang",
        "Scott Bessent",
        "Wang Wentao",
    ]
    query = "{ people(orderBy: {field: CLAIM_COUNT, direction: DESC}, first: 3) { nodes { slug } } }"
    assert slugs(query) == ["donald-trump", "howard-lutnick", "kathleen-brooks"]


def test_where_the_passage_index_finds_trade_representative() -> None:
    index = PassageIndex(load_dataset(FIXTURES, SEEDS))
    assert [(m.source, m.start) for m in index.find("trade representative")] == [
        ("asean-now-fragile-progress", 727),
        ("asean-now-fragile-progress", 872),
        ("econotimes-talks-resume", 1020),
    ]
