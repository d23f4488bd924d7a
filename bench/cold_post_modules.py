"""Which project modules one cold POST /graphql runs through (the in-process app over the snapshot).

Run: .venv/bin/python -m bench.cold_post_modules
Not a test: it prints the count of modules under api/ and schema/ whose code runs while the app
answers one never-seen query, and their names.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import warnings
from pathlib import Path
from types import FrameType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
QUERY = "{ claims(first: 2) { nodes { summary } } }"


def main() -> int:
    """Builds the app over a fresh snapshot, traces one cold POST, prints the modules it ran."""
    from api.http.app import create_app

    roots = [f"{REPO / 'api'}/", f"{REPO / 'schema'}/"]
    seen: set[str] = set()

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        name = frame.f_code.co_filename
        if event == "call" and any(name.startswith(root) for root in roots):
            seen.add(str(Path(name).relative_to(REPO)))

    with tempfile.TemporaryDirectory(prefix="parley-cold-post-") as folder:
        app = create_app(snapshot=Path(folder) / "parley.db")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from starlette.testclient import TestClient

            client = TestClient(app)
            threading.setprofile(profile)  # type: ignore[arg-type]
            sys.setprofile(profile)  # type: ignore[arg-type]
            response = client.post("/graphql", json={"query": QUERY})
            sys.setprofile(None)
            threading.setprofile(None)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    print(f"{len(seen)} modules under api/ and schema/ ran for one cold POST /graphql:")
    for name in sorted(seen):
        print(f"  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
