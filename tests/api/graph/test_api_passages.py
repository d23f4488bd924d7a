"""`passages(text:)` over GraphQL: the pasted words' place in a source and the claims recorded there."""

from __future__ import annotations

from typing import Any

from api.settings import Limits
from schema.text.passages import MAX_PASSAGE_LENGTH
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


def test_a_blank_passage_is_bad_user_input() -> None:
    error = passages("   ")["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("`text`: the passage is blank")


def test_an_overlong_passage_is_text_too_long_as_every_text_argument() -> None:
    """Passages' own cap is the default length limit of every text input (tests/api/test_text_limits.py)."""
    assert Limits().max_text_chars == MAX_PASSAGE_LENGTH
    assert "errors" not in passages("x" * MAX_PASSAGE_LENGTH)
    error = passages("x" * (MAX_PASSAGE_LENGTH + 1))["errors"][0]
    assert error["extensions"]["code"] == "TEXT_TOO_LONG"


def test_words_no_source_prints_find_nothing() -> None:
    assert passages("tariffs were abolished forever")["data"]["passages"] == []
