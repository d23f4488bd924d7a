"""The bench measures the limit as the limit (the raw server writes no access log) and its scale
rows compare equal work (search time per result when the pages differ)."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.servers import REPO, free_port
from bench.targets import CHECKS


def test_the_raw_limit_writes_no_access_log(tmp_path: Path) -> None:
    port = free_port()
    log = (tmp_path / "raw.log").open("wb")
    command = [sys.executable, "-m", "bench.raw_app", "--port", str(port)]
    process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        for _ in range(5):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/graphql", timeout=5) as answer:
                assert answer.status == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
    written = (tmp_path / "raw.log").read_text()
    assert "Uvicorn running" in written  # the server's own log is there: only the access lines are not
    assert "GET /graphql" not in written and "GET /healthz" not in written


def _scale(small_rps: float, small_results: int, large_rps: float, large_results: int) -> dict[str, object]:
    def row(rps: float, results: int) -> dict[str, object]:
        return {"targets": {"shipped": {"rps": rps}}, "results": results}

    return {"scale": [{"search": row(small_rps, small_results)}, {"search": row(large_rps, large_results)}]}


def test_the_search_row_compares_time_per_result() -> None:
    check = next(c for label, _, c in CHECKS if label.startswith("search, equal pages"))
    # Equal pages: plain time per request (100 req/s at both sizes: 1.0x).
    assert check(_scale(100.0, 5, 100.0, 5)) == (1.0, 1.2, True)
    # The large size answers 4x the results in 2x the time: half the time per result.
    value, goal, met = check(_scale(100.0, 5, 50.0, 20))
    assert (value, goal, met) == (0.5, 1.2, True)
    # Same time for a quarter of the results: 4x the time per result.
    assert check(_scale(100.0, 20, 100.0, 5))[0] == 4.0
