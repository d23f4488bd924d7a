"""Typed clients generated from the checked-in SDL and every example, as a client's build would make
them: a Python package by ariadne-codegen (checked with mypy --strict) and TypeScript operations by
graphql-codegen (checked with tsc --strict); each then calls a live `parley serve` and gets the same
answers the API gives the example queries with their variables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.http.views.playground import load_examples
from tests.datafiles import EXAMPLES, REPO
from tests.nodejs import NODE, NODE_TESTS

SDL = REPO / "schema" / "schema.graphql"
ARIADNE_CODEGEN = Path(sys.executable).parent.parent / "codegen" / "bin" / "ariadne-codegen"
CALL_CLIENT = REPO / "tests" / "codegen" / "call_client.py"
TYPED_CLIENT = NODE_TESTS / "typed_client.ts"
NODE_BIN = NODE_TESTS / "node_modules" / ".bin"


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"{command} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _served(endpoint: str) -> dict[str, Any]:
    """Each example's answer from the live server (raw HTTP), with its variables."""
    answers = {}
    for example in load_examples(EXAMPLES):
        body = httpx.post(endpoint, json={"query": example.query, "variables": example.variables}, timeout=30)
        answers[example.name] = body.json()["data"]
    return answers


@pytest.fixture(scope="module")
def endpoint(live_server: str) -> str:
    return f"{live_server}/graphql"


@pytest.mark.e2e
def test_an_ariadne_codegen_client_type_checks_strictly_and_answers_every_example(
    endpoint: str, tmp_path: Path
) -> None:
    if not ARIADNE_CODEGEN.is_file():
        pytest.fail(f"{ARIADNE_CODEGEN} is missing: run `make test` (tests/codegen/requirements.txt)")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.ariadne-codegen]\n"
        f"schema_path = {json.dumps(str(SDL))}\n"
        f"queries_path = {json.dumps(str(EXAMPLES))}\n"
        'target_package_name = "parley_client"\n'
        f"target_package_path = {json.dumps(str(tmp_path))}\n"
        "async_client = false\n",
        encoding="utf-8",
    )
    _run([str(ARIADNE_CODEGEN)], tmp_path)
    package = tmp_path / "parley_client"
    methods = (package / "client.py").read_text(encoding="utf-8")
    assert methods.count("    def ") == len(load_examples(EXAMPLES)), methods  # one method per example
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    mypy = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", os.devnull]
    (tmp_path / CALL_CLIENT.name).write_bytes(CALL_CLIENT.read_bytes())
    _run([*mypy, "parley_client", CALL_CLIENT.name], tmp_path, env)
    answers = json.loads(_run([sys.executable, CALL_CLIENT.name, endpoint, str(EXAMPLES)], tmp_path, env))
    assert answers.pop("typed") == "Donald Trump"
    assert answers == _served(endpoint)


@pytest.mark.e2e
def test_a_graphql_codegen_typescript_client_type_checks_strictly_and_answers(
    endpoint: str, tmp_path: Path
) -> None:
    if not (NODE_BIN / "graphql-codegen").exists():
        pytest.fail("graphql-codegen is not installed: run `make test` (npm ci --prefix tests/node)")
    (tmp_path / "node_modules").symlink_to(NODE_TESTS / "node_modules")
    (tmp_path / "package.json").write_text('{"type": "module"}\n', encoding="utf-8")
    config = {
        "schema": str(SDL),
        "documents": str(EXAMPLES / "*.graphql"),
        "generates": {
            "generated.ts": {
                "plugins": ["typescript", "typescript-operations", "typed-document-node"],
                "config": {"useTypeImports": True},
            }
        },
    }
    (tmp_path / "codegen.json").write_text(json.dumps(config), encoding="utf-8")
    node = [str(NODE)]
    env = {**os.environ, "PATH": os.pathsep.join([str(NODE.parent), os.environ.get("PATH", "")])}
    _run([*node, str(NODE_BIN / "graphql-codegen"), "--config", "codegen.json", "--silent"], tmp_path, env)
    generated = (tmp_path / "generated.ts").read_text(encoding="utf-8")
    for example in load_examples(EXAMPLES):
        operation = example.query.split("query ", 1)[1].split("(", 1)[0].split()[0]
        assert f"export const {operation}Document" in generated, operation
    (tmp_path / "typed_client.ts").write_bytes(TYPED_CLIENT.read_bytes())
    tsc = [
        *node, str(NODE_BIN / "tsc"), "--strict", "--noEmitOnError", "--target", "es2022",
        "--module", "nodenext", "--moduleResolution", "nodenext", "--lib", "es2022,dom", "--outDir", "out",
        "generated.ts", "typed_client.ts",
    ]
    _run(tsc, tmp_path, env)
    first = load_examples(EXAMPLES)[0]
    call = [*node, "out/typed_client.js", endpoint, json.dumps(first.variables)]
    printed = json.loads(_run(call, tmp_path, env))
    assert printed == {"data": _served(endpoint)[first.name], "speaker": "Donald Trump"}
