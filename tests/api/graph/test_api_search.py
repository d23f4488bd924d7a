"""`search(text)` across entities and `resolvePerson(name)` with fuzzy, quote- and accent-blind matching."""

from __future__ import annotations

import pytest

from tests.api_client import error_of, gql

RESOLVE = """query ($name: String!) { resolvePerson(name: $name) {
  person { slug } matched distance evidence { exact } } }"""


@pytest.mark.parametrize(
    ("name", "matched", "distance"),
    [
        ("Li Changgang", "Li Changgang", 0),
        ("Li Chenggang", "Li Chenggang", 0),
        ("li cheng gang", "Li Chenggang", 0),
        ("LI CHENGGANG", "Li Chenggang", 0),
        ("Lí Chénggang", "Li Chenggang", 0),
        ("Li Chengang", "Li Chenggang", 1),
        ("Li Chengkang", "Li Chenggang", 1),
    ],
)
def test_spellings_of_li_chenggang_resolve(name: str, matched: str, distance: int) -> None:
    candidates = gql(RESOLVE, {"name": name})["resolvePerson"]
    assert [c["person"]["slug"] for c in candidates] == ["li-chenggang"]
    assert (candidates[0]["matched"], candidates[0]["distance"]) == (matched, distance)
    assert {e["exact"] for e in candidates[0]["evidence"]} == {matched}


def test_a_surname_or_a_near_miss_resolves_to_the_canonical_name() -> None:
    assert gql(RESOLVE, {"name": "Lutnick"})["resolvePerson"] == [
        {
            "person": {"slug": "howard-lutnick"},
            "matched": "Howard Lutnick",
            "distance": 0,
            "evidence": [{"exact": "Howard Lutnick"}] * 5,
        }
    ]
    lutnik = gql(RESOLVE, {"name": "Lutnik"})["resolvePerson"]
    assert [(c["person"]["slug"], c["distance"]) for c in lutnik] == [("howard-lutnick", 1)]


def test_short_names_must_match_exactly_and_unknown_names_find_nobody() -> None:
    assert [c["person"]["slug"] for c in gql(RESOLVE, {"name": "He"})["resolvePerson"]] == ["he-lifeng"]
    assert gql(RESOLVE, {"name": "Angela Merkel"})["resolvePerson"] == []


def test_search_finds_people_and_their_claims() -> None:
    hits = gql(
        '{ search(text: "Hassett") { matched item { __typename'
        " ... on Person { slug } ... on Claim { slug } } } }"
    )["search"]
    assert [(h["item"]["__typename"], h["item"]["slug"]) for h in hits] == [
        ("Person", "kevin-hassett"),
        ("Claim", "hassett-export-controls-eased-after-handshake"),
        ("Claim", "hassett-gesture-smaller-matters"),
    ]
    assert hits[0]["matched"] == "Kevin Hassett"


def test_search_finds_outlets_sources_and_negotiations() -> None:
    query = """query ($text: String!) { search(text: $text) { matched item { __typename
      ... on Outlet { slug } ... on Source { slug }
      ... on Negotiation { slug } ... on Person { slug } } } }"""
    rows = lambda text: [  # noqa: E731
        (h["item"]["__typename"], h["item"]["slug"], h["matched"])
        for h in gql(query, {"text": text})["search"]
    ]
    assert rows("Guliyeva") == [("Source", "caliber-az-talks-conclude", "Vafa Guliyeva")]
    assert rows("lancaster house") == [("Negotiation", "london-2025", "Lancaster House")]
    assert rows("econotimes") == [("Outlet", "econotimes", "EconoTimes")]


def test_search_rejects_blank_text_and_bad_sizes() -> None:
    _, blank = error_of('{ search(text: "  ") { matched } }')
    assert (blank["message"], blank["extensions"]["code"]) == ("`text` must not be blank", "BAD_USER_INPUT")
    _, big = error_of('{ search(text: "China", first: 500) { matched } }')
    assert big["extensions"]["code"] == "BAD_USER_INPUT"
    assert "between 1 and 100" in big["message"]
