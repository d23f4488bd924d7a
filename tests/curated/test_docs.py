"""The docs are run: every examples/*.graphql executes cleanly, and every README query gives its answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.api_client import client
from tests.datafiles import EXAMPLES as EXAMPLE_DIR
from tests.datafiles import README
from tools.refresh import readme_answers

EXAMPLES = sorted(EXAMPLE_DIR.glob("*.graphql"))


def readme_examples() -> list[tuple[str, str]]:
    """Returns (query, expected answer) for each ```graphql block, paired with the ```json block after it."""
    readme = README.read_text(encoding="utf-8")
    assert readme.count("```graphql") == len(readme_answers(readme)), "a README query has no json answer"
    return [(query, answer) for query, answer, _ in readme_answers(readme)]


def test_there_are_examples_and_readme_queries() -> None:
    assert len(EXAMPLES) >= 10
    assert len(readme_examples()) >= 10


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_file_runs_without_errors(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# "), "an example opens with a comment saying what it asks"
    response = client().post("/graphql", json={"query": text})
    body = response.json()
    assert response.status_code == 200
    assert "errors" not in body, body
    assert all(value not in (None, [], {}) for value in body["data"].values())


@pytest.mark.parametrize(("query", "answer"), readme_examples())
def test_readme_query_gives_the_answer_printed_under_it(query: str, answer: str) -> None:
    response = client().post("/graphql", json={"query": query})
    assert response.json() == json.loads(answer)


def test_every_readme_query_is_also_an_example_file() -> None:
    files = {p.read_text(encoding="utf-8").strip() for p in EXAMPLES}
    for query, _ in readme_examples():
        assert query.strip() in files
