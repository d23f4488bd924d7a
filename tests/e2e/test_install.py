"""Installs like a stranger: a wheel in a fresh venv, `make` with no Node on PATH, the committed bundle.

The `install` tests build fresh venvs (about 2 minutes together); they never skip, so CI runs them.
Deselect them locally with `-m "not install"`.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.locations import DEFAULT_FIXTURES, EXAMPLES_DIR, INSTALLED_DATA, data_root, installed_snapshot
from schema.curate.settings import dataset_version
from schema.load.loader import load_dataset, selector_count
from tests.datafiles import FIXTURES, REPO, SEEDS
from tests.live_server import free_port
from tests.nodejs import NODE, node_env

VERSION = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
VERSIONS = f"parley {VERSION} (software), dataset {dataset_version(REPO / 'fixtures')}\n"
"""`parley --version`: the software's version (pyproject.toml) and the dataset's, each labelled."""
BUNDLE = REPO / "api" / "static" / "graphiql"
# The interpreter the venvs are made from (not this venv's python).
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)
INSTALL_LIMIT_SECONDS = 600.0
QUERY = '{ claims(filter: {text: "China\'s not easy"}) { nodes { speaker { name } } } }'
ANSWER = {"data": {"claims": {"nodes": [{"speaker": {"name": "Donald Trump"}}]}}}
NO_NODE = ("node", "nodejs", "npm", "npx", "corepack")

install = pytest.mark.install


def _run(command: list[str], cwd: Path, timeout: float = 120, env: dict[str, str] | None = None) -> str:
    """Runs a command to the end; fails the test with its output unless it exits 0. Returns stdout."""
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, f"{command} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    stdout: str = result.stdout
    return stdout


def _copy_of_the_repository(target: Path) -> Path:
    """Copies the files git would commit (tracked, or new and not ignored) into target; returns it."""
    listed = _run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], REPO)
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():  # a tracked file deleted in the work tree is not copied
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(source.read_bytes())
    return target


@contextlib.contextmanager
def _serving(command: list[str], cwd: Path, port: int, env: dict[str, str] | None = None) -> Iterator[str]:
    """Starts a server command in its own process group, waits for /healthz, and stops the group after."""
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + INSTALL_LIMIT_SECONDS
        while True:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"{command} exited with {process.returncode}:\n{output}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"{command} did not answer on {base} within {INSTALL_LIMIT_SECONDS}s")
            time.sleep(0.2)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process.stdout:
            process.stdout.close()


def _check_serves_data_and_playground(base: str) -> None:
    """A query, the playground page with the example tabs, the home and a reader page, the playground's JS,
    and downloads, byte for byte."""
    answer = httpx.post(f"{base}/graphql", json={"query": QUERY}, timeout=30)
    assert answer.status_code == 200
    assert answer.json() == ANSWER
    page = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200
    assert '<script type="module" src="/playground/assets/playground.js"></script>' in page.text
    assert page.text.count('{"query": ') == len(list(EXAMPLES_DIR.glob("*.graphql"))) >= 10  # one tab each
    # The home page and a reader page: their templates (api/http/views/templates) ship in the wheel.
    home = httpx.get(f"{base}/", headers={"Accept": "text/html"}, timeout=30)
    assert home.status_code == 200 and '<ul class="cards">' in home.text
    reader_url = httpx.get(f"{base}/", timeout=30).json()["sources"][0]["reader"]
    reader = httpx.get(reader_url, headers={"Accept": "text/html"}, timeout=30)
    assert reader.status_code == 200 and '<div class="text" id="text" data-source=' in reader.text
    script = httpx.get(f"{base}/playground/assets/playground.js", timeout=30)
    assert script.status_code == 200
    assert script.content == (BUNDLE / "playground.js").read_bytes()
    downloads = {
        "/fixtures/claims.json": DEFAULT_FIXTURES / "claims.json",
        "/schema/claims.schema.json": REPO / "schema" / "json" / "claims.schema.json",
        "/schema.graphql": REPO / "schema" / "schema.graphql",
        "/exports/context.jsonld": REPO / "api" / "static" / "jsonld" / "anno.jsonld",
    }
    for url, path in downloads.items():
        download = httpx.get(base + url, timeout=30)
        assert (url, download.status_code, download.content) == (url, 200, path.read_bytes())


def test_parley_version_prints_the_package_version() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "parley"), "--version"],
        capture_output=True, text=True, timeout=60, check=False, cwd=REPO,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, VERSIONS, "")


def test_bare_parley_prints_the_help_and_exits_2() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "parley")], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("usage: parley [-h] [--version] COMMAND ...\n")
    for command in ("serve", "validate", "coverage", "export-schema", "synth"):
        assert f"\n    {command}" in result.stderr


def test_the_data_is_found_in_a_checkout_and_beside_an_installed_api(tmp_path: Path) -> None:
    assert data_root() == REPO  # this checkout (an editable install)
    assert data_root(tmp_path) == tmp_path
    (tmp_path / INSTALLED_DATA / "fixtures").mkdir(parents=True)
    assert data_root(tmp_path) == tmp_path / INSTALLED_DATA


def test_each_installation_keeps_its_own_snapshot(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, second = tmp_path / "venv-a", tmp_path / "venv-b"
    for prefix in (first, second):
        prefix.mkdir()
    # A prefix the user can write (a venv): the snapshot goes under it, one per environment.
    a = installed_snapshot(first, first / "lib" / INSTALLED_DATA, cache)
    b = installed_snapshot(second, second / "lib" / INSTALLED_DATA, cache)
    assert (a, b) == (first / "var" / "parley" / "parley.db", second / "var" / "parley" / "parley.db")
    # A prefix it cannot write (a system-wide install): the cache, in a folder keyed by the installation.
    system = Path("/usr")
    c = installed_snapshot(system, Path("/usr/lib/python3/site-packages") / INSTALLED_DATA, cache, False)
    d = installed_snapshot(system, Path("/opt/other/site-packages") / INSTALLED_DATA, cache, False)
    assert c.parent.parent == d.parent.parent == cache / "parley" and c != d and c.name == "parley.db"
    assert installed_snapshot(system, Path("/opt/other/site-packages") / INSTALLED_DATA, cache, False) == d


@install
def test_a_wheel_in_a_fresh_venv_serves_from_any_directory(tmp_path: Path) -> None:
    source = _copy_of_the_repository(tmp_path / "source")
    venv = tmp_path / "venv"
    _run([BASE_PYTHON, "-m", "venv", str(venv)], tmp_path)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(source)], tmp_path, 600)
    # Nothing may point back at a source tree: the copy it was built from is gone.
    for path in sorted(source.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    source.rmdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    parley = str(venv / "bin" / "parley")

    assert _run([parley, "--version"], elsewhere) == VERSIONS  # the installed copy's dataset
    python = str(venv / "bin" / "python")
    where = _run([python, "-c", "import api.locations as m; print(m.DATA_ROOT)"], elsewhere)
    assert Path(where.strip()) == next((venv / "lib").glob("python3*/site-packages")) / INSTALLED_DATA
    checked = load_dataset(FIXTURES, SEEDS)  # the count follows the curated data
    assert f"{selector_count(checked)} selectors verified\n" in _run([parley, "validate"], elsewhere)
    # The installed copy's snapshot is its own, under the venv (not a cache shared by every install).
    snapshot = venv / "var" / "parley" / "parley.db"
    shown = _run([parley, "serve", "--help"], elsewhere)
    assert f"(default{snapshot})" in "".join(shown.split()), shown  # argparse may wrap it at a hyphen
    port = free_port()
    with _serving([parley, "serve", "--host", "127.0.0.1", "--port", str(port)], elsewhere, port) as base:
        _check_serves_data_and_playground(base)
        changes = httpx.get(f"{base}/downloads/changes.json", timeout=30)  # no git in an installed copy
        assert changes.content == (REPO / "fixtures" / "changes.json").read_bytes()
    assert snapshot.is_file()


def _path_without_node(directory: Path) -> str:
    """Returns a PATH of one directory linking every program in /usr/bin and /bin except node, npm and npx."""
    directory.mkdir()
    for folder in (Path("/usr/bin"), Path("/bin")):
        for program in sorted(folder.iterdir()):
            link = directory / program.name
            if program.name not in NO_NODE and not link.exists() and not link.is_symlink():
                link.symlink_to(program)
    return str(directory)


@install
def test_make_serve_and_make_test_work_with_no_node_on_path(tmp_path: Path) -> None:
    checkout = _copy_of_the_repository(tmp_path / "checkout")
    path = _path_without_node(tmp_path / "bin")
    # Nothing from an outer `make test` (its MAKEFLAGS carry its command-line variables) or venv.
    outer = ("VIRTUAL_ENV", "PYTHONPATH", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")
    env = {key: value for key, value in os.environ.items() if key not in outer}
    env["PATH"] = path
    for program in NO_NODE:
        assert subprocess.run(["sh", "-c", f"command -v {program}"], env=env, check=False).returncode != 0
    make = [f"VENV={tmp_path / 'venv'}", f"PYTHON={BASE_PYTHON}"]
    port = free_port()

    # make serve bootstraps the venv (no npm anywhere) and serves the data and the playground.
    with _serving(["make", "serve", f"PORT={port}", *make], checkout, port, env) as base:
        _check_serves_data_and_playground(base)

    # The test command, short: the playground page, and the JavaScript client and graphql-inspector
    # on the venv's own node (npm ci runs with the venv's npm).
    short = "-q -p no:cacheprovider tests/api/http/test_playground.py tests/e2e/test_clients.py"
    output = _run(["make", "test", f"PYTEST_ARGS={short}", *make], checkout, INSTALL_LIMIT_SECONDS, env=env)
    # pytest's closing line when everything passed: no "failed", "skipped" or "error" in the count.
    all_passed = re.compile(r"\d+ passed(, \d+ warnings?)? in [\d.]+s.*")
    assert len([line for line in output.splitlines() if all_passed.fullmatch(line)]) == 1, output


def _files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


@install
def test_the_committed_playground_bundle_is_what_its_sources_build(tmp_path: Path) -> None:
    if not (REPO / "playground" / "node_modules" / "esbuild").is_dir():
        pytest.fail("the playground's npm packages are missing: run `make test` (npm ci --prefix playground)")
    out = tmp_path / "graphiql"
    _run([str(NODE), str(REPO / "playground" / "build.mjs"), str(out)], REPO, env=node_env())
    built, committed = _files(out), _files(BUNDLE)
    assert sorted(built) == sorted(committed)
    stale = sorted(name for name in built if built[name] != committed[name])
    assert stale == [], f"api/static/graphiql/ is stale ({', '.join(stale)}): run `make playground`"
