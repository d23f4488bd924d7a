"""The benchmark's peer (bench/peer_app.py) answers the same API as parley, with the same limits."""

from __future__ import annotations

import warnings
from functools import cache
from typing import Any

import pytest

from api.http.views.playground import ExampleTab, load_examples
from bench.peer_app import create_peer_app, mask_unexpected
from tests.api_client import client, dataset
from tests.datafiles import EXAMPLES as EXAMPLE_DIR

EXAMPLES = sorted(EXAMPLE_DIR.glob("*.graphql"))

# claims > nodes > speaker > claims > nodes > speaker > claims > nodes > citations > source > id
ELEVEN_DEEP = (
    "{ claims(first: 1) { nodes { speaker { claims(first: 1) { nodes { speaker { claims(first: 1) {"
    " nodes { citations { source { id } } } } } } } } } } }"
)
# The same without the second speaker > claims > nodes, plus one level: outlet > id (10 levels).
TEN_DEEP = (
    "{ claims(first: 1) { nodes { speaker { claims(first: 1) { nodes { citations { source {"
    " outlet { name } } } } } } } } }"
)


def _aliases(count: int) -> str:
    return "{ " + " ".join(f"a{i}: __typename" for i in range(count)) + " }"


@cache
def peer() -> Any:
    """A TestClient over the peer app serving the real dataset (built once)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        return TestClient(create_peer_app(dataset()), raise_server_exceptions=True)


def _both(query: str, variables: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    payload = {"query": query, "variables": variables}
    theirs, ours = peer().post("/graphql", json=payload), client().post("/graphql", json=payload)
    assert theirs.status_code == 200, theirs.text
    return theirs.json(), ours.json()


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize("example", load_examples(EXAMPLE_DIR), ids=lambda e: e.name)
def test_each_example_gives_the_same_data_from_the_peer(example: ExampleTab) -> None:
    theirs, ours = _both(example.query, example.variables)
    assert "errors" not in theirs, theirs
    assert "errors" not in ours, ours
    assert theirs["data"] == ours["data"]
    assert theirs["data"]  # not an empty answer agreeing with another


def test_the_benchmark_queries_give_the_same_data_from_the_peer() -> None:
    from bench import queries as q

    for query in (q.CLAIMS_20, q.NESTED):
        theirs, ours = _both(query, {"asOf": "2025-06-10"})
        assert "errors" not in theirs and "errors" not in ours
        assert theirs["data"] == ours["data"]


def test_a_bad_argument_reads_the_same_from_the_peer() -> None:
    theirs, ours = _both("{ claims(first: 101) { totalCount } }")
    assert theirs["errors"][0]["message"] == ours["errors"][0]["message"]
    assert "between 1 and 100" in theirs["errors"][0]["message"]


def test_the_peer_refuses_41_aliases_and_allows_30() -> None:
    theirs, ours = _both(_aliases(41))
    assert theirs.get("data") is None and "41 aliases" in theirs["errors"][0]["message"]
    assert ours["errors"][0]["extensions"]["code"] == "TOO_MANY_ALIASES"
    theirs, ours = _both(_aliases(30))
    assert "errors" not in theirs and theirs["data"] == ours["data"]


def test_the_peer_refuses_11_levels_and_allows_10() -> None:
    theirs, ours = _both(ELEVEN_DEEP)
    assert theirs.get("data") is None and "depth of 9" in theirs["errors"][0]["message"]
    assert ours["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"
    theirs, ours = _both(TEN_DEEP)
    assert "errors" not in theirs and "errors" not in ours
    assert theirs["data"] == ours["data"]


def test_the_peer_refuses_more_than_1000_tokens() -> None:
    many = "{ " + " ".join(["__typename"] * 1001) + " }"
    theirs, ours = _both(many)
    assert theirs.get("data") is None and "1000 tokens" in theirs["errors"][0]["message"]
    assert ours["errors"][0]["extensions"]["code"] == "TOO_MANY_TOKENS"


def test_only_unexpected_exceptions_are_masked() -> None:
    from graphql import GraphQLError

    from api.errors import UserInputError

    assert mask_unexpected(GraphQLError("boom", original_error=KeyError("x")))
    assert not mask_unexpected(GraphQLError("bad", original_error=UserInputError("bad")))
    assert not mask_unexpected(GraphQLError("Cannot query field 'x'"))


def test_the_targets_table_compares_shipped_with_the_peer_and_raw() -> None:
    from bench.targets import target_rows

    def scenario(name: str, shipped: float, peer: float, raw: float = 1000.0) -> dict[str, Any]:
        rps = {"raw": raw, "shipped": shipped, "peer": peer}
        targets = {
            k: {"rps": v, "ratio_to_raw": v / raw, "p50_ms": 1.0, "p99_ms": 4.0 if k == "shipped" else 1.0}
            for k, v in rps.items()
        }
        return {"scenario": name, "targets": targets}

    results = {
        "scenarios": [
            scenario("cold", shipped=200.0, peer=50.0),  # 0.2x raw: missed; 4x the peer
            scenario("warm", shipped=900.0, peer=50.0),  # 0.9x raw: met
            scenario("large", shipped=30.0, peer=5.0),  # 0.03x raw: met; p99 4x p50: missed
        ]
    }
    rows = {row.split(" | ")[0].lstrip("| "): row for row in target_rows(results)}
    assert rows["cold 20-claim query >= 0.30x raw"].endswith("| **missed** |")
    assert rows["warm 20-claim query >= 0.9x raw"].endswith("| met |")
    assert "| 4 x |" in rows["cold: shipped >= 3x the stock-strawberry peer"]
    assert rows["cold: shipped >= 3x the stock-strawberry peer"].endswith("| met |")
    assert rows["large (1,000 claims) >= 0.025x raw"].endswith("| met |")
    assert rows["large at 16 conn.: p99 <= 3x p50"].endswith("| **missed** |")
    assert rows["download claims.json >= 0.85x raw"].endswith("| not measured in this run |")
    assert rows["2 workers >= 1.5x one (cold)"].endswith("| not measured in this run |")


def test_the_peer_command_names_a_missing_directory(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.peer_app import main

    with pytest.raises(SystemExit) as stopped:
        main(["--fixtures", "/nonexistent/fixtures", "--port", "1"])
    assert stopped.value.code == 2
    assert "--fixtures /nonexistent/fixtures is not a directory" in capsys.readouterr().err
