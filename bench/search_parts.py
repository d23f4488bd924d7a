"""Where a never-repeated search spends its time over a snapshot, part by part, at each size.

Run: .venv/bin/python -m bench.search_parts [--sizes 1000,100000] [--names 140] [--work DIR]
Writes bench/results/search_parts.{json,md}. Not a test: it reports figures, it asserts nothing.

In process (no HTTP), over synthetic data (`parley synth`) and its snapshot, each name searched once:
- the whole `search` through the engine, `first: 20` and `first: 2` (bench/queries.py: SEARCH);
- the parts: the FTS5 candidate query for the name over `search_people` and `search_claims` (its
  first 8 rows), asked as one phrase and as `fts_match` asks it (every third trigram, ANDed), and
  the near-miss name index's key lookup (`NameIndex`, not memoised).
Medians in microseconds, with each size's ratio to the first size's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import queries as q
from bench.run import synth_dataset
from bench.servers import REPO

RESULTS = REPO / "bench" / "results"


def _median_us(texts: list[str], run: Callable[[str], Any]) -> float:
    times = []
    for text in texts:
        began = time.perf_counter()
        run(text)
        times.append((time.perf_counter() - began) * 1e6)
    return round(statistics.median(times), 1)


def parts(size: int, work: Path, count: int) -> dict[str, Any]:
    """Every figure for one synthetic size."""
    from api.engine.request import GraphQLRequest
    from api.graph.search_index import fts_match, search_index
    from api.graph.text import compact, normalise
    from api.http.app import create_app, open_snapshot

    fixtures, seeds = synth_dataset(size, work)
    dataset, _ = open_snapshot(work / f"synth-{size}.db", fixtures, seeds)
    engine = create_app(dataset).state.engine
    index: Any = search_index(engine.context)
    people = json.loads((fixtures / "people.json").read_bytes())
    names = list(dict.fromkeys(p["name"] for p in people if p.get("named")))
    warm, texts = names[:10], names[10 : 10 + count]
    found: dict[int, list[int]] = {20: [], 2: []}

    def search(first: int, on: Any = engine) -> Callable[[str], Any]:
        def run(text: str) -> None:
            variables = {"text": text, "asOf": "2031-01-01", "first": first}
            _, body = on.run_sync(GraphQLRequest(q.SEARCH, variables))
            found[first].append(len(json.loads(body)["data"]["search"]))

        return run

    for text in warm:  # imports, the first statements, the name index read on first use
        search(20)(text)
    found[20].clear()
    row: dict[str, Any] = {"claims": size, "names": len(texts)}
    half = len(texts) // 2
    row["search_first_20_us"] = _median_us(texts[:half], search(20))
    row["search_first_2_us"] = _median_us(texts[half:], search(2))
    row["results_first_20"] = round(statistics.fmean(found[20]), 2)

    def phrase(text: str) -> str:
        return '"' + normalise(text).replace('"', '""') + '"'

    for table in ("search_people", "search_claims"):
        sql = f"SELECT rowid, text FROM {table} WHERE {table} MATCH ? ORDER BY rowid LIMIT 8"
        for name, match in (("phrase", phrase), ("fts_match", lambda t: fts_match(normalise(t)))):
            ask = lambda t, m=match, s=sql: index.store.query(s, (m(t),))  # noqa: E731
            row[f"{table}_{name}_us"] = _median_us(texts, ask)
    names_index = index.person_names
    row["name_keys"] = len(names_index.people)
    row["name_index_us"] = _median_us(texts, lambda t: names_index._keys_near(compact(t)))
    print(json.dumps(row), flush=True)
    return row


COLUMNS = [
    ("search_first_20_us", "search, `first: 20`"),
    ("search_first_2_us", "search, `first: 2`"),
    ("search_people_phrase_us", "search_people, phrase"),
    ("search_people_fts_match_us", "search_people, fts_match"),
    ("search_claims_phrase_us", "search_claims, phrase"),
    ("search_claims_fts_match_us", "search_claims, fts_match"),
    ("name_index_us", "name index keys"),
]


def markdown(rows: list[dict[str, Any]], command: str) -> str:
    first = rows[0]
    columns = COLUMNS
    head = " | ".join(f"{label} (us) | x {first['claims']:,}" for _, label in columns)
    lines = [
        "# Search over a snapshot, part by part (in process, a new name each time, medians)",
        "",
        f"Command: `{command}`.",
        "",
        f"| claims | results at `first: 20` | name keys | {head} |",
        "|---:|---:|---:|" + "---:|---:|" * len(columns),
    ]
    for r in rows:
        cells = " | ".join(f"{r[key]} | {r[key] / first[key]:.2f}" for key, _ in columns)
        lines.append(f"| {r['claims']:,} | {r['results_first_20']} | {r['name_keys']:,} | {cells} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_parts", description=__doc__)
    parser.add_argument("--sizes", default="1000,100000", help="synthetic claim counts")
    parser.add_argument("--names", type=int, default=140, help="names searched per size (each once)")
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "work", help="data and snapshots")
    args = parser.parse_args(argv)
    rows = [parts(int(size), args.work, args.names) for size in args.sizes.split(",")]
    command = "python -m bench.search_parts " + " ".join(argv if argv is not None else sys.argv[1:])
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "search_parts.json").write_text(json.dumps(rows, indent=2) + "\n")
    (RESULTS / "search_parts.md").write_text(markdown(rows, command.strip()))
    print((RESULTS / "search_parts.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
