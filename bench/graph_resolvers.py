"""Resolvers that used to walk a whole table, timed in-process on a synthetic dataset (not a test).

Run: .venv/bin/python bench/graph_resolvers.py [--claims 5000]. It executes each query on the
direct-resolver schema, 5 rounds of 20, and prints the fastest round's time per execution.
To compare with an older tree: `git archive <rev> | tar -x -C /tmp/base` and run the same command
with PYTHONPATH=/tmp/base (that tree's api/ is imported; the synthetic data is shared).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from graphql import execute_sync, parse

import api
from api.graph.context import Context
from api.graph.schema import graphql_schema
from api.http.app import open_snapshot
from api.synth.generator import generate, write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=5000, help="synthetic dataset size (claims)")
    args = parser.parse_args()
    root = Path(f"/tmp/parley-bench-graph-{args.claims}")
    if not (root / "fixtures").exists():
        write(generate(args.claims, seed=7), root)
    data, _ = open_snapshot(root / "parley.db", root / "fixtures", root / "seeds")
    context, schema = Context.for_dataset(data), graphql_schema()
    party, claim = next(iter(data.parties)), next(iter(data.claims))
    person = next(iter(data.people.values())).name
    one = "{ negotiations(first: 20) { nodes { discrepancies { slug } successors { slug } } } }"
    queries: dict[str, tuple[str, dict[str, str]]] = {
        "Claim.sources x20": ("{ claims(first: 20) { nodes { sources { slug } } } }", {}),
        "Party.delegates": ("{ parties { nodes { delegates { slug } } } }", {}),
        "Negotiation.discrepancies": (one, {}),
        "delegates(party)": (
            "query($p: ID!) { delegates(filter: {party: $p}) { totalCount } }",
            {"p": party},
        ),
        "citations(claim)": (
            "query($c: ID!) { citations(filter: {claim: $c}) { totalCount } }",
            {"c": claim},
        ),
        "resolvePerson": ("query($n: String!) { resolvePerson(name: $n) { matched } }", {"n": person}),
    }
    print(f"api from {Path(api.__file__).parent}; {args.claims} claims, {len(data.citations)} citations")
    for name, (query, variables) in queries.items():
        document = parse(query)
        result = execute_sync(schema, document, context_value=context, variable_values=variables)
        assert not result.errors, result.errors
        rounds = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(20):
                execute_sync(schema, document, context_value=context, variable_values=variables)
            rounds.append((time.perf_counter() - start) / 20 * 1e6)
        print(f"{name:28s} {min(rounds):10.0f} us per execution (fastest of 5 rounds of 20)")


if __name__ == "__main__":
    main()
