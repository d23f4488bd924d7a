"""Root filters over a snapshot, in-process: time, SQLite statements and RSS per filter, cold.

Run: .venv/bin/python -m bench.filters --fixtures DIR --seeds DIR --snapshot FILE [--repeat N]
(the snapshot is built first if it does not match the files and code). Each query runs once on a
fresh engine over the already open snapshot, in the order listed, then again (warm). Prints one
JSON line per query: its name, cold and warm ms, the SQLite statements the cold run made
(`Store.queries`: one per record decoded, beside the filter's own), totalCount, and the process's RSS
after it. Not a test: it reports figures, it asserts nothing about them.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from pathlib import Path
from typing import Any

PAGE = "totalCount nodes { id }"
QUERIES: dict[str, str] = {
    "claims saidOn": '{ claims(first: 20, filter: {saidOn: {from: "2026-01-01", to: "2026-12-31"}}) { %s } }',
    "claims topic": '{ claims(first: 20, filter: {topic: "rare-earths"}) { %s } }',
    "claims delegatesOnly": "{ claims(first: 20, filter: {delegatesOnly: true}) { %s } }",
    "claims delegatesOnly false (keeps 99%)": "{ claims(first: 20, filter: {delegatesOnly: false}) { %s } }",
    "claims asOf 2100 (keeps all cited)": '{ claims(first: 20, filter: {asOf: "2100-01-01"}) { %s } }',
    "claims asOf": '{ claims(first: 20, filter: {asOf: "2027-01-01"}) { %s } }',
    "claims mode": "{ claims(first: 20, filter: {mode: PARTIAL}) { %s } }",
    "claims text": '{ claims(first: 20, filter: {text: "tariff"}) { %s } }',
    "claims topic+saidOn, SAID_ON desc": '{ claims(first: 20, orderBy: {field: SAID_ON, direction: DESC},'
    ' filter: {topic: "rare-earths", saidOn: {from: "2026-01-01"}}) { %s } }',
    "claims topic, SPEAKER_NAME": '{ claims(first: 20, orderBy: {field: SPEAKER_NAME},'
    ' filter: {topic: "rare-earths"}) { %s } }',
    "claims FIRST_PUBLISHED_ON (no filter)": "{ claims(first: 20, orderBy: {field: FIRST_PUBLISHED_ON})"
    " { %s } }",
    "claims INDEPENDENT_SOURCE_COUNT desc (no filter)": "{ claims(first: 20, orderBy: {field:"
    " INDEPENDENT_SOURCE_COUNT, direction: DESC}) { %s } }",
    "claims party": '{ claims(first: 20, filter: {party: "avalon"}) { %s } }',
    "citations mode": "{ citations(first: 20, filter: {mode: PARAPHRASE}) { %s } }",
    "citations asOf": '{ citations(first: 20, filter: {asOf: "2027-01-01"}) { %s } }',
    "citations text": '{ citations(first: 20, filter: {text: "tariff"}) { %s } }',
    "citations POSITION desc (no filter)": "{ citations(first: 20,"
    " orderBy: {field: POSITION, direction: DESC}) { %s } }",
}


def rss_mb() -> float:
    """The process's resident set size now, in MB (from /proc/self/status)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, required=True)
    parser.add_argument("--seeds", type=Path, required=True)
    parser.add_argument("--snapshot", type=Path, required=True)
    parser.add_argument("--only", nargs="*", default=None, help="names of QUERIES to run")
    args = parser.parse_args()

    from api.engine.pipeline import Engine
    from api.http.app import engine_for, open_snapshot
    from api.settings import Limits
    from schema.store.reader import StoredDataset

    gc.disable()
    dataset, _ = open_snapshot(args.snapshot, args.fixtures, args.seeds)
    assert isinstance(dataset, StoredDataset) and dataset.store is not None
    store = dataset.store
    engine = engine_for(dataset, Limits())
    gc.freeze()
    gc.enable()
    print(json.dumps({"opened": str(args.snapshot), "rss_mb": round(rss_mb(), 1)}), flush=True)

    def run(query: str) -> tuple[float, int, Any]:
        before = store.queries
        began = time.perf_counter()
        status, body = engine.run_sync(Engine.request_from({"query": query}))
        ms = (time.perf_counter() - began) * 1000
        answer = json.loads(body)
        data = answer.get("data") or {}
        total = next(iter(data.values()))["totalCount"] if data and next(iter(data.values())) else None
        return ms, store.queries - before, total if status == 200 and "errors" not in answer else answer

    for name, template in QUERIES.items():
        if args.only and name not in args.only:
            continue
        query = template % PAGE
        cold, statements, total = run(query)
        warm, warm_statements, _ = run(query)
        line = {
            "query": name, "cold_ms": round(cold, 1), "warm_ms": round(warm, 2),
            "statements": statements, "warm_statements": warm_statements,
            "totalCount": total, "rss_mb": round(rss_mb(), 1),
        }
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
