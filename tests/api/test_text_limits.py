"""Every text input of the schema has a length limit (TEXT_TOO_LONG), and errors quote at most an excerpt.

The inputs are enumerated from the served schema (every root field's String and ID arguments, and
the String and ID fields of its input objects, at any depth), not listed by hand, so an argument
added later is covered too.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from api.errors import EXCERPT_CHARS, MAX_MESSAGE_CHARS
from api.http.app import create_app
from api.settings import Limits
from tests.api_client import client, dataset, make_client
from tests.text_inputs import TextInput, query_with, text_inputs

LIMIT = Limits().max_text_chars
HUGE = 95_000
PERSON_ID = base64.b64encode(b"Person:" + b"p" * (HUGE * 3 // 4)).decode("ascii")


def post(query: str, variables: dict[str, Any], test_client: Any = None) -> Any:
    response = (test_client or client()).post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text[:300]  # application/json: request errors are 200
    return response.json()


def test_the_schema_has_the_text_inputs_the_issue_names() -> None:
    """The enumeration finds them (so the tests below cover them), and more besides."""
    names = {str(place) for place in text_inputs()}
    assert {"resolvePerson.name", "search.text", "passages.text", "people.filter.name"} <= names
    assert {"claims.after", "claims.before", "node.id", "nodes.ids"} <= names
    assert len(names) > 30


@pytest.mark.parametrize("place", text_inputs(), ids=str)
@pytest.mark.parametrize("as_variable", [False, True], ids=["literal", "variable"])
def test_every_text_input_over_the_limit_is_text_too_long(place: TextInput, as_variable: bool) -> None:
    at_limit = post(*query_with(place, "x" * LIMIT, as_variable))
    assert all(e["extensions"]["code"] != "TEXT_TOO_LONG" for e in at_limit.get("errors", [])), at_limit
    answer = post(*query_with(place, "y" * HUGE, as_variable))
    (error,) = answer["errors"]
    assert error["extensions"] == {"code": "TEXT_TOO_LONG", "limit": LIMIT}
    assert f"has {HUGE:,} characters; at most {LIMIT} are accepted" in error["message"]
    named = f"`$v{'.' + '.'.join(place.path) if place.path else ''}" if as_variable else f"`{place.field}`"
    assert named in error["message"], error["message"]
    assert "data" not in answer
    assert len(str(answer)) < 1000


def test_names_numbers_and_enum_values_are_limited_too() -> None:
    for query in (
        "{ " + "a" * HUGE + ": meta { version } }",  # an alias
        "{ claims(first: " + "1" * HUGE + ") { totalCount } }",
        "{ claims(orderBy: {field: " + "S" * HUGE + "}) { totalCount } }",
    ):
        (error,) = post(query, {})["errors"]
        assert error["extensions"]["code"] == "TEXT_TOO_LONG"
        assert len(error["message"]) < 200


def test_a_comment_is_not_a_text_input() -> None:
    answer = post("{ meta { version } } # " + "c" * HUGE, {})
    assert "errors" not in answer and answer["data"]["meta"]["version"]


def test_the_limit_is_configurable() -> None:
    place = TextInput("search", "text", ())
    raised = make_client(create_app(dataset(), limits=Limits(max_text_chars=LIMIT * 2)))
    assert "errors" not in post(*query_with(place, "z" * (LIMIT + 1), True), raised)
    lowered = make_client(create_app(dataset(), limits=Limits(max_text_chars=10)))
    (error,) = post(*query_with(place, "z" * 11, True), lowered)["errors"]
    assert error["extensions"]["code"] == "TEXT_TOO_LONG"


@pytest.fixture(scope="module")
def unlimited() -> Any:
    """An app whose text limit lets 95 kB through, to see what the other errors quote."""
    return make_client(create_app(dataset(), limits=Limits(max_text_chars=10 * HUGE)))


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("query ($c: String) { claims(after: $c) { totalCount } }", {"c": "q" * HUGE}),
        ("query ($c: String) { claims(before: $c) { totalCount } }", {"c": "q" * HUGE}),
        ("query ($id: ID!) { node(id: $id) { id } }", {"id": "Q" * HUGE}),
        ("{ claims(filter: {source: \"" + PERSON_ID + "\"}) { totalCount } }", {}),  # a Person's id
        ("{ " + "x" * HUGE + " }", {}),  # graphql-core quotes the unknown field
        ("{ claims(orderBy: {field: " + "S" * HUGE + "}) { totalCount } }", {}),  # and the enum value
        ("{ meta { version } } " + "n" * HUGE, {}),  # a syntax error quoting the name
        ("query ($n: Int) { claims(first: $n) { totalCount } }", {"n": "9" * HUGE}),
    ],
    ids=["after", "before", "node-id", "global-id-filter", "field", "enum", "syntax", "int-variable"],
)
def test_errors_quote_at_most_an_excerpt_of_the_input(
    unlimited: Any, query: str, variables: dict[str, Any]
) -> None:
    response = unlimited.post("/graphql", json={"query": query, "variables": variables})
    errors = response.json()["errors"]
    assert errors
    for error in errors:
        assert len(error["message"]) <= MAX_MESSAGE_CHARS + 60, error["message"][:200]
    assert len(response.content) < 2 * MAX_MESSAGE_CHARS + 500


def test_a_bad_cursor_is_quoted_by_its_start_and_length(unlimited: Any) -> None:
    cursor = "c" * HUGE
    query = "query ($c: String) { claims(after: $c) { totalCount } }"
    (error,) = post(query, {"c": cursor}, unlimited)["errors"]
    quoted = f"{cursor[:EXCERPT_CHARS]!r}... ({HUGE:,} characters)"
    assert error["message"].startswith(f"{quoted} is not a valid cursor")


def test_a_404_quotes_an_excerpt_of_the_path() -> None:
    response = client().get("/sources/" + "s" * 20_000)
    assert response.status_code == 404
    assert len(response.content) < 1000 and "20,000 characters" in response.text


def test_comments_are_emptied_before_parsing_and_locations_do_not_move() -> None:
    """graphql-core's lexer reads a comment a character at a time; parley empties comments first
    (to the line's end, so no line or column moves) and a `#` inside a string stays in the string."""
    comment = "# " + "c" * HUGE
    invalid = "{\n  meta { version } " + comment + "\n  nope\n}"
    (error,) = post(invalid, {})["errors"]
    assert error["locations"] == [{"line": 3, "column": 3}] and "nope" in error["message"]
    prepared = client().app.state.engine.prepare("{ meta { version } } " + comment)
    token = prepared.document.loc.start_token
    while token.kind.value != "Comment":
        token = token.next
    assert token.value == ""  # the lexer never read the comment's text
    quoted = '{ search(text: "Lutnick # said") { __typename } }'
    as_variable = "query ($t: String!) { search(text: $t) { __typename } }"
    assert post(quoted, {}) == post(as_variable, {"t": "Lutnick # said"})


def test_escaped_strings_are_measured_by_their_value() -> None:
    query = '{ search(text: "' + "\\u0041" * LIMIT + '") { __typename } }'  # 6,000 written, 1000 read
    assert "errors" not in post(query, {})
    longer = '{ search(text: "' + "\\u0041" * (LIMIT + 1) + '") { __typename } }'
    (error,) = post(longer, {})["errors"]
    assert error["extensions"]["code"] == "TEXT_TOO_LONG"
    assert f"has {LIMIT + 1:,} characters" in error["message"]
    block = '{ search(text: """' + "b" * (LIMIT + 1) + '""") { __typename } }'
    assert post(block, {})["errors"][0]["extensions"]["code"] == "TEXT_TOO_LONG"


def test_a_long_string_is_located_as_graphql_counts_lines() -> None:
    query = '# a comment\r\n{\r  search(text: "' + "t" * HUGE + '") { __typename }\n}'
    (error,) = post(query, {})["errors"]
    assert error["locations"] == [{"line": 3, "column": 16}]
    assert "`text` of `search`" in error["message"]
