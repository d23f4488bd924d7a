"""The docs are run: every examples/*.graphql executes cleanly with its variables, and every query the
README and docs/api.md print gives the answer printed under it (with the variables printed beside it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from api.http.views.playground import load_examples
from tests.api_client import client
from tests.datafiles import DOCS, README
from tests.datafiles import EXAMPLES as EXAMPLE_DIR
from tools.refresh import readme_answers

EXAMPLES = sorted(EXAMPLE_DIR.glob("*.graphql"))
TABS = load_examples(EXAMPLE_DIR)
"""Each example with its variables (from NN-name.variables.json), as the playground opens it."""
API_PAGE = DOCS / "api.md"
PAGES = (README, API_PAGE)


def documented(page: Path) -> list[tuple[str, dict[str, Any] | None, str]]:
    """Returns (query, variables, expected answer) for each ```graphql block of a page."""
    text = page.read_text(encoding="utf-8")
    found = readme_answers(text)
    assert text.count("```graphql") == len(found), f"a query in {page.name} has no json answer"
    return [(query, variables, answer) for query, variables, answer, _ in found]


ALL_DOCUMENTED = [(page.name, *example) for page in PAGES for example in documented(page)]


def readme_examples() -> list[tuple[str, str]]:
    """(query, printed answer) for every query the README and docs/api.md print."""
    return [(query, answer) for _, query, _, answer in ALL_DOCUMENTED]


def test_there_are_examples_and_documented_queries() -> None:
    assert len(EXAMPLES) >= 10
    assert 1 <= len(documented(README)) <= 3  # the front door shows a few; docs/api.md shows them all
    assert len(documented(API_PAGE)) == len(EXAMPLES) == len(TABS)


@pytest.mark.parametrize("example", TABS, ids=[e.name for e in TABS])
def test_example_file_runs_without_errors(example: Any) -> None:
    assert example.query.startswith("# "), "an example opens with a comment saying what it asks"
    response = client().post("/graphql", json={"query": example.query, "variables": example.variables})
    body = response.json()
    assert response.status_code == 200
    assert "errors" not in body, body
    assert all(value not in (None, [], {}) for value in body["data"].values())


@pytest.mark.parametrize(("page", "query", "variables", "answer"), ALL_DOCUMENTED)
def test_documented_query_gives_the_answer_printed_under_it(
    page: str, query: str, variables: dict[str, Any] | None, answer: str
) -> None:
    response = client().post("/graphql", json={"query": query, "variables": variables})
    assert response.json() == json.loads(answer)


def test_every_documented_query_is_an_example_file_with_the_same_variables() -> None:
    files = {example.query.strip(): example.variables for example in TABS}
    for _, query, variables, _ in ALL_DOCUMENTED:
        assert query.strip() in files, query
        assert files[query.strip()] == variables, query


def test_docs_api_prints_every_example_once() -> None:
    printed = sorted(query.strip() for query, _, _ in documented(API_PAGE))
    assert printed == sorted(example.query.strip() for example in TABS)
