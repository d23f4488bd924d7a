"""The served data cannot change at run time: frozen records, and downloads stay the verified bytes."""

from __future__ import annotations

import hashlib
import json

import pytest
from pydantic import ValidationError

from api.http.views.playground import load_examples
from schema.model.dataset import FIXTURE_MODELS
from tests.api_client import client, dataset
from tests.datafiles import EXAMPLES as EXAMPLE_DIR
from tests.datafiles import FIXTURES

EXAMPLES = load_examples(EXAMPLE_DIR)  # each with its variables
MISUSE = [
    "{ claims(first: -1) { totalCount } }",
    '{ node(id: "Q2xhaW06bm9wZQ==") { id } }',
    "query ($t: String!) { search(text: $t) { __typename } }",
    "mutation { setSummary }",
    '{ claims(filter: {text: "\\u0000"}) { nodes { summary } } }',
]


def test_records_are_frozen() -> None:
    claim = next(iter(dataset().claims.values()))
    with pytest.raises(ValidationError, match="frozen"):
        claim.summary = "rewritten"  # type: ignore[misc]
    person = next(iter(dataset().people.values()))
    with pytest.raises(ValidationError, match="frozen"):
        person.name = "someone else"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        type(claim).model_validate({**claim.model_dump(), "injected": True})


def test_the_schema_has_no_way_to_write() -> None:
    query = "{ __schema { mutationType { name } subscriptionType { name } } }"
    types = client().post("/graphql", json={"query": query})
    assert types.json() == {"data": {"__schema": {"mutationType": None, "subscriptionType": None}}}


def test_downloads_after_a_run_of_queries_are_still_the_verified_bytes() -> None:
    for example in EXAMPLES:
        response = client().post("/graphql", json={"query": example.query, "variables": example.variables})
        assert response.status_code == 200 and "errors" not in response.json(), example.name
    for query in MISUSE:
        misuse = client().post("/graphql", json={"query": query, "variables": {"t": "x" * 1000}})
        assert misuse.status_code < 500, misuse.text
    package = json.loads((FIXTURES / "datapackage.json").read_bytes())
    hashes = {r["path"]: r["hash"].removeprefix("sha256:") for r in package["resources"]}
    changes = ["changes.json"] if (FIXTURES / "changes.json").is_file() else []
    assert sorted(hashes) == sorted([*(f"{stem}.json" for stem in FIXTURE_MODELS), "claims.csv", *changes])
    for name, sha256 in hashes.items():
        served = client().get(f"/fixtures/{name}")
        assert served.status_code == 200
        assert served.content == (FIXTURES / name).read_bytes(), name
        assert hashlib.sha256(served.content).hexdigest() == sha256, name
    descriptor = client().get("/fixtures/datapackage.json")
    assert descriptor.content == (FIXTURES / "datapackage.json").read_bytes()
