"""Times load_dataset (seconds, RSS) in a fresh process and the server's start-up to its first 200.

Run: .venv/bin/python -m bench.measure_load /tmp/synth100k [--server]. The load runs with the
collector off, as the app loads; RSS is read right after load_dataset returns, peak from ru_maxrss.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from bench.servers import parley

_CHILD = """
import gc, json, resource, sys, time
from pathlib import Path
from schema.load.loader import load_dataset
root = Path(sys.argv[1])
gc.disable()
began = time.perf_counter()
dataset = load_dataset(root / "fixtures", root / "seeds")
seconds = time.perf_counter() - began
status = Path("/proc/self/status").read_text()
rss = int(next(x.split()[1] for x in status.splitlines() if x.startswith("VmRSS:"))) / 1024
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"load_s": round(seconds, 2), "rss_mb": round(rss), "peak_mb": round(peak)}))
"""


def measure_load(root: Path) -> dict[str, float]:
    """Loads the dataset under root (fixtures/, seeds/) in a new interpreter; returns its numbers."""
    out = subprocess.run([sys.executable, "-c", _CHILD, str(root)], check=True, capture_output=True)
    result: dict[str, float] = json.loads(out.stdout)
    return result


def measure_server(root: Path) -> dict[str, float]:
    """Starts the shipped server on the dataset; returns seconds to its first 200 and its RSS."""
    server = parley("measure-load", root / "fixtures", root / "seeds").start()
    try:
        return {"startup_s": server.startup_s, "server_rss_mb": server.rss_mb()}
    finally:
        server.stop()


def main() -> None:
    """Prints one JSON line of measurements."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--server", action="store_true", help="also time the server's start-up")
    args = parser.parse_args()
    result = measure_load(args.root)
    if args.server:
        result |= measure_server(args.root)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
