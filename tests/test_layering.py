"""Imports go one way: schema -> stdlib + pydantic; api -> schema, strawberry, starlette; uvicorn in cli."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from datafiles import REPO

STDLIB = set(sys.stdlib_module_names) | {"__future__"}
SCHEMA_MAY_IMPORT = STDLIB | {"pydantic", "schema"}
# graphql is graphql-core, the engine strawberry runs on (validation rules, AST for query limits).
# rapidfuzz: edit distances for fuzzy names; rich (cli only): progress of long snapshot builds.
API_MAY_IMPORT = STDLIB | {"schema", "api", "strawberry", "graphql", "starlette", "orjson", "rapidfuzz"}
CLI = REPO / "api" / "cli.py"


def imported_modules(path: Path) -> set[str]:
    """Returns the top-level names of every absolute import in the file, nested ones included."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_imported_modules_sees_every_form(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os.path, json\nfrom pydantic import BaseModel\nfrom . import sibling\n"
        "def f():\n    import uvicorn\n",
        encoding="utf-8",
    )
    assert imported_modules(sample) == {"os", "json", "pydantic", "uvicorn"}


def test_schema_imports_only_stdlib_and_pydantic() -> None:
    files = sorted((REPO / "schema").rglob("*.py"))
    assert REPO / "schema" / "loader.py" in files
    offences = {str(p.relative_to(REPO)): sorted(imported_modules(p) - SCHEMA_MAY_IMPORT) for p in files}
    assert {name: bad for name, bad in offences.items() if bad} == {}


def test_api_imports_only_schema_graphql_and_web_libraries() -> None:
    files = sorted((REPO / "api").rglob("*.py"))
    assert files, "api/ has no modules"
    offences = {}
    for path in files:
        allowed = API_MAY_IMPORT | ({"uvicorn", "rich"} if path == CLI else set())
        bad = sorted(imported_modules(path) - allowed)
        if bad:
            offences[str(path.relative_to(REPO))] = bad
    assert offences == {}
