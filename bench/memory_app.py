"""A baseline, not a way to serve: the app over the loader's in-memory Dataset, as parley served
before the SQLite store, so the benchmarks can say what the store costs or saves in the same run.

`parley serve` always serves the verified snapshot; this process loads the fixtures into memory
and serves the same app code over them, on 127.0.0.1, with the same server settings.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def main() -> None:
    """Loads the directories into memory and serves them with uvicorn."""
    import uvicorn

    from api.http.app import create_app
    from api.server import HTTP_PROTOCOL, access_log_config
    from api.settings import ServerSettings
    from schema.load.loader import load_dataset

    parser = argparse.ArgumentParser(prog="python -m bench.memory_app")
    parser.add_argument("--fixtures", type=Path, required=True)
    parser.add_argument("--seeds", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = create_app(load_dataset(args.fixtures, args.seeds))  # type: ignore[arg-type]
    log = access_log_config(ServerSettings.from_env().log_query_chars)
    uvicorn.run(app, host="127.0.0.1", port=args.port, http=HTTP_PROTOCOL, log_config=log)


if __name__ == "__main__":
    main()
