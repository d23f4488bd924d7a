"""`queryCost`: any query can ask what it costs against the limit (the estimate the engine admits it
by) and which dataset and software versions answered it; the answer holds for cached answers too."""

from __future__ import annotations

import warnings
from typing import Any

from api.http.app import create_app
from api.http.middleware.cache import ResponseCacheMiddleware
from api.http.middleware.response_cache import ResponseCache
from api.settings import Limits
from schema.curate.settings import dataset_version
from tests.api_client import client, dataset
from tests.datafiles import FIXTURES

NESTED = """query Nested($people: Int!, $claims: Int!) {
  people(first: $people) { nodes { name claims(first: $claims) { nodes { summary } } } }
  queryCost { cost limit datasetVersion softwareVersion }
}"""


def github_cost(people: int, claims: int) -> int:
    """GitHub's formula, as docs/api-limits.md states it: each connection counts its page, times the
    pages of the connections around it."""
    return people + people * claims


def test_a_query_learns_its_cost_the_limit_and_the_versions() -> None:
    from importlib.metadata import version

    answer = client().post("/graphql", json={"query": NESTED, "variables": {"people": 4, "claims": 3}}).json()
    assert "errors" not in answer, answer
    assert answer["data"]["queryCost"] == {
        "cost": github_cost(4, 3),
        "limit": Limits().max_cost,
        "datasetVersion": dataset_version(FIXTURES),
        "softwareVersion": version("parley"),
    }
    alone = client().post("/graphql", json={"query": "{ queryCost { cost } }"}).json()
    assert alone == {"data": {"queryCost": {"cost": 0}}}


def _fresh(limits: Limits | None = None) -> tuple[Any, ResponseCache]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        app = create_app(dataset(), limits=limits)
    found = next(m for m in app.user_middleware if m.cls is ResponseCacheMiddleware)  # type: ignore[comparison-overlap]
    return TestClient(app), found.kwargs["cache"]


def test_the_cost_is_the_one_the_limit_admits_by() -> None:
    limit = github_cost(5, 4)
    http, _ = _fresh(Limits(max_cost=limit))
    at_limit = http.post("/graphql", json={"query": NESTED, "variables": {"people": 5, "claims": 4}}).json()
    assert at_limit["data"]["queryCost"]["cost"] == at_limit["data"]["queryCost"]["limit"] == limit
    over = http.post("/graphql", json={"query": NESTED, "variables": {"people": 5, "claims": 5}}).json()
    assert "data" not in over
    (error,) = over["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "cost": github_cost(5, 5), "limit": limit}


def test_cached_answers_carry_their_own_cost() -> None:
    http, cache = _fresh()

    def cost(people: int, via: str = "POST") -> int:
        variables = {"people": people, "claims": 2}
        if via == "GET":
            import json

            response = http.get("/graphql", params={"query": NESTED, "variables": json.dumps(variables)})
        else:
            response = http.post("/graphql", json={"query": NESTED, "variables": variables})
        assert response.status_code == 200, response.text
        found: int = response.json()["data"]["queryCost"]["cost"]
        return found

    assert [cost(3), cost(3)] == [github_cost(3, 2)] * 2  # a POST is stored on its second sighting
    hits = cache.hits
    assert [cost(3), cost(7), cost(3)] == [github_cost(3, 2), github_cost(7, 2), github_cost(3, 2)]
    assert [cost(7, "GET"), cost(7, "GET")] == [github_cost(7, 2)] * 2
    assert cache.hits >= hits + 3  # the repeats were answered from the cache, with their own cost


def test_the_docs_example_answers_as_printed() -> None:
    import json
    import re
    from importlib.metadata import version

    from tests.datafiles import REPO

    text = (REPO / "docs" / "api-limits.md").read_text(encoding="utf-8")
    query = re.search(r"```graphql\n(.*?)```", text, re.S)
    printed = re.search(r"```json\n(.*?)```", text, re.S)
    assert query and printed
    answer = client().post("/graphql", json={"query": query.group(1)}).json()
    shown = json.loads("{" + printed.group(1) + "}")["queryCost"]
    served = answer["data"]["queryCost"]
    assert (served["cost"], served["limit"]) == (shown["cost"], shown["limit"]) == (github_cost(4, 3), 50_000)
    # The printed versions are an example; the served ones are this data's and this software's.
    versions = (served["datasetVersion"], served["softwareVersion"])
    assert versions == (dataset_version(FIXTURES), version("parley"))
