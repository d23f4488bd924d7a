"""One version story: the software's version (the package metadata, from pyproject.toml) and the
dataset's (fixtures/curation/version.json), each defined once and each shown, labelled, by
`parley --version`, GraphQL `meta`, the home page and the data package /downloads/ serves."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

from schema.curate.settings import dataset_version
from tests.api_client import client
from tests.datafiles import FIXTURES, REPO

PARLEY = Path(sys.executable).parent / "parley"


def graphql(query: str) -> dict[str, Any]:
    response = client().post("/graphql", json={"query": query})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def software() -> str:
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert installed_version("parley") == declared  # the metadata is pyproject.toml's
    return str(declared)


def test_the_two_versions_differ_so_a_mix_up_shows() -> None:
    assert software() != dataset_version(FIXTURES)


def test_parley_version_labels_both(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(PARLEY), "--version"], capture_output=True, text=True, timeout=60, check=False, cwd=REPO
    )
    expected = f"parley {software()} (software), dataset {dataset_version(REPO / 'fixtures')}\n"
    assert (result.returncode, result.stdout, result.stderr) == (0, expected, "")


def test_meta_labels_both() -> None:
    meta = graphql("{ meta { datasetVersion softwareVersion version } }")["meta"]
    assert meta == {
        "datasetVersion": dataset_version(FIXTURES),
        "softwareVersion": software(),
        "version": dataset_version(FIXTURES),
    }


def test_the_home_page_labels_both() -> None:
    body = client().get("/", headers={"accept": "application/json"}).json()
    assert (body["datasetVersion"], body["softwareVersion"]) == (dataset_version(FIXTURES), software())
    page = client().get("/", headers={"accept": "text/html"}).text
    assert f"Dataset <b>parley</b>, version <b>{dataset_version(FIXTURES)}</b>" in page
    assert f'served by parley\n<span class="software-version">{software()}</span> (software)' in page
    assert f"(dataset version {dataset_version(FIXTURES)})" in body["cite"]


def test_the_data_package_labels_both() -> None:
    package = client().get("/downloads/datapackage.json").json()
    assert package["version"] == dataset_version(FIXTURES)
    assert package["parley"] == {"datasetVersion": dataset_version(FIXTURES), "softwareVersion": software()}
