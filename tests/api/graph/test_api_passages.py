"""`passages(text:)` over GraphQL: the pasted words' place in a source and the claims recorded there."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api_client import client

QUERY = """query ($text: String!) {
  passages(text: $text) { source { slug } span { exact start end prefix } claims { slug } }
}"""


def passages(text: str) -> Any:
    return client().post("/graphql", json={"query": QUERY, "variables": {"text": text}}).json()


def test_a_passage_across_two_claims_finds_both() -> None:
    assert passages("We are doing well with China. China's not easy,")["data"]["passages"] == [
        {
            "source": {"slug": "asean-now-fragile-progress"},
            "span": {
                "exact": "We are doing well with China. China's not easy,",
                "start": 914,
                "end": 961,
                "prefix": passages("We are doing well")["data"]["passages"][0]["span"]["prefix"],
            },
            "claims": [{"slug": "trump-doing-well-with-china"}, {"slug": "trump-china-not-easy"}],
        }
    ]


def test_quotes_case_and_whitespace_do_not_matter() -> None:
    exact = passages("We are doing well with China. China's not easy,")["data"]["passages"]
    messy = "  we ARE doing   well with china.\nchina\u2019s NOT easy,  "
    assert passages(messy)["data"]["passages"] == exact


def test_words_in_several_sources_are_found_in_each() -> None:
    found = passages("China's not easy")["data"]["passages"]
    assert [(m["source"]["slug"], m["span"]["exact"]) for m in found] == [
        ("asean-now-fragile-progress", "China's not easy"),
        ("caliber-az-talks-conclude", "China's not easy"),
    ]
    assert all(m["claims"] == [{"slug": "trump-china-not-easy"}] for m in found)


@pytest.mark.parametrize(
    ("text", "message"),
    [("   ", "`text`: the passage is blank"), ("x" * 1001, "`text`: the passage has 1001 characters")],
)
def test_a_blank_or_overlong_passage_is_bad_user_input(text: str, message: str) -> None:
    error = passages(text)["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith(message)


def test_words_no_source_prints_find_nothing() -> None:
    assert passages("tariffs were abolished forever")["data"]["passages"] == []
