"""The `parley` command: --help on every subcommand, export-schema, and serve refusing bad fixtures."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import main
from api.graph.schema import SDL_PATH
from tests.datafiles import DOCS, FIXTURES, REPO, SEEDS, fixture_counts

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


def test_a_bad_output_path_is_one_line_and_exit_2_not_a_traceback() -> None:
    result = run("export-schema", "/nonexistent/x.graphql")
    assert result.returncode == 2
    message = "parley export-schema: cannot write /nonexistent/x.graphql: No such file or directory\n"
    assert result.stderr == message
    assert "Traceback" not in result.stdout + result.stderr


def test_a_bad_log_level_is_refused_in_one_line() -> None:
    result = run("validate", "--log-level", "loud")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--log-level must be one of debug, info" in result.stderr


def test_an_unreadable_fixtures_directory_is_not_a_traceback(tmp_path: Path) -> None:
    result = run("synth", "--claims", "5", "--out", str(tmp_path / "x"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "at least 10 claims" in result.stderr


def test_serve_says_where_it_listens_and_what_it_loaded(tmp_path: Path) -> None:
    import re
    import select
    import time

    import httpx

    from tests.live_server import bound_socket, spawn

    # --fd: the server takes the socket bound here, and the start-up line names its address.
    sock = bound_socket()
    bound = sock.getsockname()[1]
    command = [str(PARLEY), "serve", "--fd", str(sock.fileno())]
    # the data under test (a grown copy under PARLEY_TEST_DATA), counted below, in a snapshot of its own
    command += ["--fixtures", str(FIXTURES), "--seeds", str(SEEDS), "--snapshot", str(tmp_path / "parley.db")]
    process = spawn(sock, command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        started = "Application startup complete"
        while time.monotonic() < deadline and not any(started in line for line in lines):
            ready, _, _ = select.select([process.stdout], [], [], 1)
            if ready:
                line = process.stdout.readline()
                if not line:
                    break
                lines.append(line)
        found = [line for line in lines if "playground" in line and "loaded" in line]
        assert len(found) == 1, lines
        startup = found[0]
        port = re.search(r"API http://127\.0\.0\.1:(\d+)/graphql", startup)
        assert port is not None and port[1] == str(bound), startup
        base = f"http://127.0.0.1:{port[1]}"
        assert httpx.get(f"{base}/healthz", timeout=10).json() == {"status": "ok"}
    finally:
        process.terminate()
        process.wait(timeout=20)
    counts = fixture_counts()
    loaded = f"{counts['claims']} claims, {counts['citations']} citations, {counts['sources']} sources"
    assert f"parley: loaded {loaded}, {counts['people']} people;" in startup, lines
    assert f"API {base}/graphql · playground {base}/playground · home {base}/" in startup
    # parley's own log lines are shown (logging is configured): the playground's tab list.
    assert any("parley.playground: playground tabs:" in line for line in lines), lines


def test_the_log_level_flag_hides_info_lines(tmp_path: Path) -> None:
    quiet = run("--log-level", "warning", "synth", "--claims", "50", "--out", str(tmp_path / "a"))
    assert quiet.returncode == 0, quiet.stderr
    assert "writing articles" not in quiet.stderr
    loud = run("synth", "--claims", "50", "--out", str(tmp_path / "b"), "--log-level=debug")
    assert loud.returncode == 0, loud.stderr
    assert "INFO parley: writing articles…" in loud.stderr


def test_synth_reports_each_stage_and_draws_a_rich_bar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from api.cli import progress_bar
    from api.synth.generator import STAGES, generate, write

    seen: list[str] = []
    write(generate(50, progress=seen.append), tmp_path / "synth", progress=seen.append)
    assert seen == [*STAGES, "writing files"]
    with progress_bar(len(seen), enabled=True) as step:
        for stage in seen:
            step(stage)
    drawn = capsys.readouterr().err
    assert "done" in drawn and f"{len(seen)}/{len(seen)}" in drawn and "━" in drawn
    # Without a terminal, `parley synth` logs each stage instead.
    result = run("synth", "--claims", "50", "--out", str(tmp_path / "cli"))
    assert result.returncode == 0, result.stderr
    assert "writing articles…" in result.stderr and "writing files…" in result.stderr


def test_every_command_is_in_the_command_table() -> None:
    from api.cli import COMMANDS

    readme = (DOCS / "deploying.md").read_text(encoding="utf-8")
    table = readme.split("## Command line", 1)[1].split("\n## ", 1)[0]
    for name in COMMANDS:
        assert f"| `parley {name}" in table, name


def test_the_build_progress_bar_runs_no_thread_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """A build forks only when no other thread runs (schema.store.snapshot._may_fork): the bar on a
    terminal must not start rich's refresh thread."""
    import threading

    from api.cli import build_progress

    monkeypatch.setenv("FORCE_COLOR", "1")  # rich: a terminal
    before = threading.active_count()
    update = build_progress()
    update("loading and verifying", 0, 0)
    update("records", 5, 10)
    assert threading.active_count() == before
    update("done", 1, 1)
