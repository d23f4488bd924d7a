"""Response-cache memory (issue 9, defect 3): server RSS after POSTs with distinct, huge unused variables.

Starts a real `parley serve` on 127.0.0.1 (a free port), reads its RSS, POSTs `{meta{version}}`
`--requests` times, each with a distinct `--pad`-byte variable the query never uses, then reads
the RSS again. Before the fix every such request was remembered (its whole canonical variables)
in the cache's "seen" list, outside the byte budget. Bounded: one request at a time, 10 s each.
Not a test (figures are reported, never asserted).

    .venv/bin/python -m bench.cache_memory                       # 8200 requests of 95 kB
    .venv/bin/python -m bench.cache_memory --requests 2000 --out bench/results/cache_memory.json
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import time
from pathlib import Path
from typing import Any

from bench.servers import Server


def run(requests: int, pad: int) -> dict[str, Any]:
    """Starts the server, sends the requests, stops the server; returns RSS before and after."""
    server = Server("cache-memory", [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1"])
    server.start(timeout=120)
    try:
        rss_start = server.rss_mb()
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        began, answered = time.perf_counter(), 0
        filler = "x" * pad
        for n in range(requests):
            body = json.dumps({"query": "{meta{version}}", "variables": {"pad": f"{n:08d}{filler}"}})
            connection.request("POST", "/graphql", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            answered += response.status == 200 and b'"version"' in response.read()
        seconds = time.perf_counter() - began
        connection.close()
        rss_end = server.rss_mb()
    finally:
        server.stop()
    return {
        "requests": requests,
        "variable_bytes": pad,
        "answered_with_data": answered,
        "seconds": round(seconds, 1),
        "rss_mb": {"start": rss_start, "end": rss_end, "growth": round(rss_end - rss_start, 1)},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=8200, help="POSTs to send, one at a time")
    parser.add_argument("--pad", type=int, default=95_000, help="bytes of the unused variable")
    parser.add_argument("--out", type=Path, help="also write the figures here as JSON")
    args = parser.parse_args(argv)
    text = json.dumps(run(args.requests, args.pad), indent=2)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
