"""Imports go one way: the import graph of api/ and schema/ has no cycle and no upward edge.

Layers, lowest first: schema < api.errors/api.settings < api.graph < api.engine < api.http
< api.cli/api.server.
A module may import its own layer or a lower one, never a higher one. Every import counts: at module
level, inside functions and classes, under `if TYPE_CHECKING:`, and `from package import module`.
Third-party imports: schema/ uses only stdlib + pydantic; api/ only schema, strawberry, graphql-core,
starlette, jinja2 (the pages' templates), orjson, rapidfuzz and cachetools; only api/cli.py and
api/server.py (the HTTP server under uvicorn) import uvicorn.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from tests.datafiles import REPO

STDLIB = set(sys.stdlib_module_names) | {"__future__"}
SCHEMA_MAY_IMPORT = STDLIB | {"pydantic", "schema"}
# graphql is graphql-core, the engine strawberry runs on (validation rules, AST for query limits).
# rapidfuzz: edit distances for fuzzy names; rich (cli only): progress of long snapshot builds;
# cachetools: the byte-bounded LRU of the caches keyed by what clients send (api/budget.py).
API_MAY_IMPORT = STDLIB | {
    "schema", "api", "strawberry", "graphql", "starlette", "jinja2", "orjson", "rapidfuzz", "cachetools"
}
CLI = REPO / "api" / "cli.py"
SERVER = REPO / "api" / "server.py"

# Lowest first; a module belongs to the longest prefix that names it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("schema",),
    ("api", "api.errors", "api.settings"),
    ("api.graph",),
    ("api.engine",),
    ("api.http",),
    ("api.cli", "api.server"),
)

def module_name(path: Path, root: Path = REPO) -> str:
    """Takes a .py file under root and returns its dotted module name (a package is its __init__)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules(root: Path = REPO) -> dict[str, Path]:
    """Returns module name -> file for every module under api/ and schema/."""
    files = [p for top in ("api", "schema") for p in sorted((root / top).rglob("*.py"))]
    return {module_name(p, root): p for p in files}


def _absolute(module: str, level: int, importer: str, is_package: bool) -> str:
    """Resolves a relative `from ... import` against the importing module."""
    if level == 0:
        return module
    package = importer.split(".") if is_package else importer.split(".")[:-1]
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, module] if module else base)


def imports_of(path: Path, name: str, modules: set[str]) -> set[str]:
    """Returns the project modules a file imports anywhere in it (functions, classes, TYPE_CHECKING).

    `import a.b.c` and `from a.b import c` name a.b.c when that is a module, else the nearest module
    above it that the project has.
    """

    def nearest(dotted: str) -> str | None:
        parts = dotted.split(".")
        while parts:
            candidate = ".".join(parts)
            if candidate in modules:
                return candidate
            parts.pop()
        return None

    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module or "", node.level, name, path.name == "__init__.py")
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            hit = nearest(target)
            if hit is not None and hit != name:
                found.add(hit)
    return found


def import_graph(root: Path = REPO) -> dict[str, set[str]]:
    """Returns module -> the project modules it imports, for every module under api/ and schema/."""
    modules = project_modules(root)
    return {name: imports_of(path, name, set(modules)) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Returns the strongly connected components with more than one module (each one sorted)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:  # Tarjan's algorithm, iterative
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return sorted(found)


def layer_of(module: str) -> int:
    """Returns the position of the module's layer (the longest matching prefix wins)."""
    best, best_length = -1, -1
    for position, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or module.startswith(prefix + ".")
            if matches and len(prefix) > best_length:
                best, best_length = position, len(prefix)
    assert best >= 0, f"{module} is in no layer; add it to LAYERS"
    return best


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Returns 'a -> b' for every import of a module from a higher layer."""
    return sorted(f"{a} -> {b}" for a, targets in graph.items() for b in targets if layer_of(b) > layer_of(a))


def third_party(path: Path) -> set[str]:
    """Returns the top-level names of every absolute import in the file, nested ones included."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


# --- the checker itself, on a small made-up tree --------------------------------------------


def _tree(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def test_the_graph_sees_every_form_of_import(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "schema/__init__.py": "",
            "schema/model/models.py": "import os\n",
            "api/__init__.py": "",
            "api/errors.py": "",
            "api/graph/__init__.py": "",
            "api/graph/a.py": (
                "from typing import TYPE_CHECKING\nfrom api.graph import b\nfrom . import c\n"
                "if TYPE_CHECKING:\n    from api.graph.d import D\n"
                "def f():\n    import schema.model.models\n    from ..errors import E\n"
            ),
            "api/graph/b.py": "",
            "api/graph/c.py": "",
            "api/graph/d.py": "",
        },
    )
    graph = import_graph(tmp_path)
    assert graph["api.graph.a"] == {
        "api.graph",
        "api.graph.b",
        "api.graph.c",
        "api.graph.d",
        "schema.model.models",
        "api.errors",
    }
    assert graph["schema.model.models"] == set()


def test_cycles_and_upward_imports_are_found(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "schema/__init__.py": "",
            "schema/x.py": "from api.graph import a\n",  # upward
            "api/__init__.py": "",
            "api/graph/__init__.py": "",
            "api/graph/a.py": "def f():\n    from api.graph import b\n",
            "api/graph/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import api.graph.c\n",
            "api/graph/c.py": "from api.graph.a import thing\n",
            "api/graph/d.py": "import api.graph.b\n",
        },
    )
    graph = import_graph(tmp_path)
    assert cycles(graph) == [["api.graph.a", "api.graph.b", "api.graph.c"]]
    assert upward_imports(graph) == ["schema.x -> api.graph", "schema.x -> api.graph.a"]
    assert cycles({"p": {"q"}, "q": set()}) == []


def test_layers_follow_the_longest_prefix() -> None:
    assert layer_of("schema.model.models") < layer_of("api.errors") < layer_of("api.graph.claims")
    assert layer_of("api.graph.claims") < layer_of("api.engine.compiled") < layer_of("api.http.app")
    assert layer_of("api.http.app") < layer_of("api.cli")
    assert layer_of("api.settings") == layer_of("api") == layer_of("api.errors")


def test_third_party_sees_every_form(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os.path, json\nfrom pydantic import BaseModel\nfrom . import sibling\n"
        "def f():\n    import uvicorn\n",
        encoding="utf-8",
    )
    assert third_party(sample) == {"os", "json", "pydantic", "uvicorn"}


# --- the real tree ------------------------------------------------------------------------


def test_the_real_graph_covers_every_module() -> None:
    graph = import_graph()
    expected = {"schema.model.models", "api.graph.claims", "api.engine.compiled", "api.http.app", "api.cli"}
    assert expected <= set(graph)
    assert "api.engine.compiled" in graph["api.engine.pipeline"]
    assert "api.engine.plan_fields" in graph["api.engine.compiled"]


def test_no_import_cycle_in_api_or_schema() -> None:
    assert cycles(import_graph()) == []


def test_no_upward_import() -> None:
    assert upward_imports(import_graph()) == []


def test_schema_imports_only_stdlib_and_pydantic() -> None:
    files = sorted((REPO / "schema").rglob("*.py"))
    assert REPO / "schema" / "load" / "loader.py" in files
    offences = {str(p.relative_to(REPO)): sorted(third_party(p) - SCHEMA_MAY_IMPORT) for p in files}
    assert {name: bad for name, bad in offences.items() if bad} == {}


def test_api_imports_only_schema_graphql_and_web_libraries() -> None:
    files = sorted((REPO / "api").rglob("*.py"))
    assert files, "api/ has no modules"
    offences = {}
    for path in files:
        allowed = API_MAY_IMPORT | ({"uvicorn", "rich"} if path in (CLI, SERVER) else set())
        bad = sorted(third_party(path) - allowed)
        if bad:
            offences[str(path.relative_to(REPO))] = bad
    assert offences == {}
