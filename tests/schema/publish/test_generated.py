"""Checked-in generated artefacts: JSON Schemas and datapackage.json match what the code generates."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from schema.curate.settings import dataset_version
from schema.model.dataset import FIXTURE_MODELS
from schema.publish.generate import expected_artefacts, out_of_date, write_artefacts
from schema.publish.jsonschema import JSON_SCHEMA_DIR, fixture_schema
from tests.datafiles import FIXTURES, SCHEMAS, SEEDS, copy_fixtures, edit_records, run_schema


def package() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "datapackage.json").read_text(encoding="utf-8"))
    return data


def test_checked_in_artefacts_are_what_the_code_generates() -> None:
    assert out_of_date(expected_artefacts(FIXTURES, SEEDS)) == []
    assert sorted(p.name for p in JSON_SCHEMA_DIR.iterdir()) == sorted(
        f"{stem}.schema.json" for stem in FIXTURE_MODELS
    )


def test_generate_check_command_passes_on_the_checked_in_tree() -> None:
    result = run_schema("generate", "--check")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_json_schemas_describe_arrays_of_the_models() -> None:
    for stem, model in FIXTURE_MODELS.items():
        schema = json.loads((JSON_SCHEMA_DIR / f"{stem}.schema.json").read_text(encoding="utf-8"))
        assert schema == fixture_schema(stem)
        assert schema["type"] == "array"
        assert schema["items"] == {"$ref": f"#/$defs/{model.__name__}"}
        definition = schema["$defs"][model.__name__]
        assert definition["additionalProperties"] is False
        required = {name for name, field in model.model_fields.items() if field.is_required()}
        assert set(definition["required"]) == required
        assert "id" in required and "verification" in required


def test_datapackage_bytes_and_hashes_match_the_files() -> None:
    listed = package()["resources"]
    resources, (table,) = listed[: len(FIXTURE_MODELS)], listed[len(FIXTURE_MODELS) : len(FIXTURE_MODELS) + 1]
    assert [r["name"] for r in resources] == list(FIXTURE_MODELS)
    changes = FIXTURES / "changes.json"  # generated from git history by make refresh, when present
    rest = listed[len(FIXTURE_MODELS) + 1 :]
    assert [r["name"] for r in rest] == (["changes"] if changes.is_file() else [])
    if changes.is_file():
        described = listed[-1]
        assert (described["bytes"], described["hash"]) == (
            len(changes.read_bytes()), "sha256:" + hashlib.sha256(changes.read_bytes()).hexdigest()
        )
    assert (table["name"], table["path"], table["format"]) == ("claims-table", "claims.csv", "csv")
    csv_bytes = (FIXTURES / "claims.csv").read_bytes()
    assert table["hash"] == "sha256:" + hashlib.sha256(csv_bytes).hexdigest()
    assert table["bytes"] == len(csv_bytes)
    for resource in resources:
        content = (FIXTURES / resource["path"]).read_bytes()
        assert resource["bytes"] == len(content)
        assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
        assert (resource["format"], resource["mediatype"]) == ("json", "application/json")
        linked = (FIXTURES / resource["jsonSchema"]).resolve()
        assert linked == SCHEMAS / f"{resource['name']}.schema.json"
        assert linked.read_bytes() == (JSON_SCHEMA_DIR / linked.name).read_bytes()


def test_datapackage_metadata() -> None:
    data = package()
    expected = ("parley", dataset_version(FIXTURES), "data-package")
    assert (data["name"], data["version"], data["profile"]) == expected
    assert [licence["name"] for licence in data["licenses"]] == ["CC-BY-4.0"]
    assert "fair use" in data["description"] and "third-party" in data["description"]
    assert len(data["sources"]) == len(list(SEEDS.glob("*.txt")))
    assert all("/" not in r["path"] and not r["path"].startswith(".") for r in data["resources"])
    assert (FIXTURES / "datapackage.json").read_bytes().endswith(b"}\n")


def test_generate_rewrites_a_stale_datapackage_and_check_catches_it(tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    edit_records(fixtures, "parties", lambda records: records.reverse())
    result = run_schema("generate", "--check", "--fixtures", str(fixtures))
    assert result.returncode == 1
    assert result.stderr == f"out of date: {fixtures / 'datapackage.json'} (run: python -m schema generate)\n"
    assert write_artefacts(expected_artefacts(fixtures, SEEDS)) == [fixtures / "datapackage.json"]
    assert out_of_date(expected_artefacts(fixtures, SEEDS)) == []
    assert run_schema("validate", "--fixtures", str(fixtures)).returncode == 0


def test_obsolete_schema_files_are_removed(tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    schema_dir = tmp_path / "json"
    schema_dir.mkdir()
    (schema_dir / "treaties.schema.json").write_text("{}\n", encoding="utf-8")
    artefacts = expected_artefacts(fixtures, SEEDS, schema_dir)
    assert schema_dir / "treaties.schema.json" in out_of_date(artefacts)
    write_artefacts(artefacts)
    assert sorted(p.name for p in schema_dir.iterdir()) == sorted(f"{s}.schema.json" for s in FIXTURE_MODELS)
    assert out_of_date(artefacts) == []


def test_real_fixtures_satisfy_their_json_schemas() -> None:
    for stem in FIXTURE_MODELS:
        schema = json.loads((JSON_SCHEMA_DIR / f"{stem}.schema.json").read_text(encoding="utf-8"))
        validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        records = json.loads((FIXTURES / f"{stem}.json").read_text(encoding="utf-8"))
        assert [error.message for error in validator.iter_errors(records)] == [], stem
        assert not validator.is_valid([{**records[0], "unexpected": 1}])
        assert not validator.is_valid([{k: v for k, v in records[0].items() if k != "verification"}])
