"""Relay behaviour: global IDs, node/nodes, cursor paging in both directions, and its input errors."""

from __future__ import annotations

import base64
import re

import pytest

from tests.api_client import dataset, error_of, gql
from tests.datafiles import FIXTURES, fixture_counts, read_records

PAGE = """query ($first: Int, $last: Int, $after: String, $before: String) {
  claims(first: $first, last: $last, after: $after, before: $before) {
    totalCount edges { cursor node { slug } } nodes { slug }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""


def test_walking_first_2_with_after_visits_every_claim_once() -> None:
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = gql(PAGE, {"first": 2, "after": after})["claims"]
        assert page["totalCount"] == fixture_counts()["claims"]
        assert [e["node"]["slug"] for e in page["edges"]] == [n["slug"] for n in page["nodes"]]
        seen += [n["slug"] for n in page["nodes"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    in_file = [claim["id"] for claim in read_records(FIXTURES, "claims")]
    assert pages == (len(in_file) + 1) // 2
    assert seen == list(dataset().claims)
    assert len(set(seen)) == fixture_counts()["claims"]
    assert seen[:2] == in_file[:2]
    assert seen[-1] == in_file[-1]


def test_walking_last_2_with_before_visits_every_claim_once_backwards() -> None:
    seen: list[str] = []
    before = None
    while True:
        page = gql(PAGE, {"last": 2, "before": before})["claims"]
        seen = [n["slug"] for n in page["nodes"]] + seen
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert seen == list(dataset().claims)


def test_page_info_of_a_middle_page() -> None:
    first = gql(PAGE, {"first": 3})["claims"]
    middle = gql(PAGE, {"first": 3, "after": first["pageInfo"]["endCursor"]})["claims"]
    assert [n["slug"] for n in middle["nodes"]] == [c["id"] for c in read_records(FIXTURES, "claims")][3:6]
    assert middle["pageInfo"]["hasNextPage"] is True
    assert middle["pageInfo"]["hasPreviousPage"] is True
    assert middle["pageInfo"]["startCursor"] == middle["edges"][0]["cursor"]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"first": 0}, r"^`first`( on `claims`)? must be between 1 and 100, got 0$"),
        ({"first": 101}, r"^`first`( on `claims`)? must be between 1 and 100, got 101$"),
        ({"last": -1}, r"^`last`( on `claims`)? must be between 1 and 100, got -1$"),
        ({"first": 2, "after": "not-a-cursor"}, r"^'not-a-cursor' is not a valid cursor; pass a cursor from"),
        ({"first": 2, "after": base64.b64encode(b"offset:x").decode()}, r"is not a valid cursor"),
        ({"last": 2, "before": base64.b64encode(b"Claim:trump").decode()}, r"is not a valid cursor"),
    ],
)
def test_out_of_range_sizes_and_bad_cursors_are_clear_errors(
    variables: dict[str, object], message: str
) -> None:
    status, error = error_of(PAGE, variables)
    assert status in (200, 400)  # 200 once executed, 400 if a pre-execution check refused it
    assert re.search(message, error["message"]), error["message"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert error["locations"][0]["line"] == 2


def test_a_bad_cursor_error_names_the_field() -> None:
    status, error = error_of(PAGE, {"first": 2, "after": "bad"})
    assert (status, error["path"], error["locations"]) == (200, ["claims"], [{"line": 2, "column": 3}])


def test_global_ids_are_base64_of_type_and_slug_and_node_fetches_them() -> None:
    claim_id = base64.b64encode(b"Claim:trump-china-not-easy").decode()
    data = gql('{ claim(slug: "trump-china-not-easy") { id slug } }')
    assert data["claim"] == {"id": claim_id, "slug": "trump-china-not-easy"}
    node = gql(
        "query ($id: ID!) { node(id: $id) { __typename id ... on Claim { summary } } }", {"id": claim_id}
    )
    assert node["node"] == {"__typename": "Claim", "id": claim_id, "summary": "Trump said China is not easy."}


def test_nodes_keeps_order_and_gives_null_for_unknown_ids() -> None:
    ids = [
        base64.b64encode(raw).decode()
        for raw in (b"Person:howard-lutnick", b"Outlet:ap", b"Person:nobody", b"Planet:mars")
    ]
    data = gql(
        "query ($ids: [ID!]!) { nodes(ids: $ids) {"
        " __typename ... on Person { name } ... on Outlet { name } } }",
        {"ids": ids},
    )
    assert data["nodes"] == [
        {"__typename": "Person", "name": "Howard Lutnick"},
        {"__typename": "Outlet", "name": "AP"},
        None,
        None,
    ]


def test_a_malformed_global_id_is_a_bad_user_input_error() -> None:
    status, error = error_of('{ node(id: "%%%") { id } }')
    assert status == 200
    assert error["message"] == "'%%%' is not a valid global id"
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}


def test_every_record_type_round_trips_through_node() -> None:
    query = """{ outlets(first: 1) { nodes { id } } sources(first: 1) { nodes { id } }
      parties(first: 1) { nodes { id } } people(first: 1) { nodes { id } }
      negotiations(first: 1) { nodes { id } } delegates(first: 1) { nodes { id } }
      claims(first: 1) { nodes { id } } citations(first: 1) { nodes { id } }
      discrepancies(first: 1) { nodes { id } } }"""
    data = gql(query)
    for root, connection in data.items():
        node_id = connection["nodes"][0]["id"]
        fetched = gql("query ($id: ID!) { node(id: $id) { __typename id } }", {"id": node_id})["node"]
        assert fetched["id"] == node_id, root
        assert base64.b64decode(node_id).decode().startswith(f"{fetched['__typename']}:")


def test_slug_lookups_return_null_for_unknown_slugs() -> None:
    data = gql('{ person(slug: "howard-lutnick") { name } claim(slug: "no-such-claim") { slug } }')
    assert data == {"person": {"name": "Howard Lutnick"}, "claim": None}
