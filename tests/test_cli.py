"""The `parley` command: --help on every subcommand, export-schema, and serve refusing bad fixtures."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from api_client import FIXTURES, REPO, SEEDS

from api.cli import main
from api.graph.schema import SDL_PATH

PARLEY = Path(sys.executable).parent / "parley"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Runs the installed `parley` console script from the repo root."""
    return subprocess.run(
        [str(PARLEY), *args], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )


def test_top_level_help_lists_the_subcommands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("serve", "validate", "coverage", "anchor", "add-source", "export-schema"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("command", "flags"),
    [
        ("serve", ["--host", "--port", "--workers", "--fixtures", "--seeds"]),
        ("validate", ["--fixtures", "--seeds"]),
        ("coverage", ["--fixtures", "--seeds", "--speech-allow-list"]),
        ("anchor", ["--fixtures", "--seeds", "--check"]),
        ("add-source", ["file", "--outlet", "--id", "--fixtures", "--seeds"]),
        ("validate", ["--vocabulary"]),
        ("export-schema", ["output"]),
    ],
)
def test_each_subcommand_has_help(command: str, flags: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: parley {command}")
    for flag in flags:
        assert flag in out


def test_serve_defaults_to_localhost_8000(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = capsys.readouterr().out
    assert "(default 127.0.0.1)" in out
    assert "(default 8000)" in out


def test_an_unknown_command_prints_usage_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err


def test_export_schema_writes_the_sdl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "schema.graphql"
    assert main(["export-schema", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == SDL_PATH.read_text(encoding="utf-8")
    assert main(["export-schema", "-"]) == 0
    assert capsys.readouterr().out.endswith(SDL_PATH.read_text(encoding="utf-8"))


def test_validate_passes_on_the_real_fixtures() -> None:
    result = run("validate", "--fixtures", str(FIXTURES), "--seeds", str(SEEDS))
    assert result.returncode == 0, result.stderr
    assert "claims" in result.stdout


def test_serve_refuses_invalid_fixtures_with_the_loader_report(tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, fixtures)
    claims = fixtures / "claims.json"
    claims.write_text(claims.read_text(encoding="utf-8").replace('"donald-trump"', '"donald-trumpp"', 1))
    result = run("serve", "--port", "1", "--fixtures", str(fixtures), "--seeds", str(SEEDS))
    assert result.returncode == 1
    assert result.stderr.startswith("parley serve: refusing to start, the fixtures are invalid:")
    assert "claims.json" in result.stderr
    assert "donald-trumpp" in result.stderr
    assert "Traceback" not in result.stderr
