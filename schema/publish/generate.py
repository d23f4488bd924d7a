"""Writes (or checks) the generated artefacts: schema/json/*.schema.json, fixtures/datapackage.json and
fixtures/claims.csv."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from schema.curate.settings import dataset_version
from schema.load.seeds import MANIFEST, parse_manifest
from schema.model.catalogue import ENTITIES
from schema.publish.changes import CHANGES
from schema.publish.datapackage import DATAPACKAGE, build_datapackage
from schema.publish.jsonschema import JSON_SCHEMA_DIR, generated_schemas
from schema.publish.tabular import CLAIMS_CSV, claims_csv


@dataclass(frozen=True)
class Artefacts:
    """Path -> the bytes that should be there, and generated files that should not exist."""

    expected: dict[Path, bytes]
    obsolete: list[Path]


def expected_artefacts(fixtures_dir: Path, seeds_dir: Path, schema_dir: Path = JSON_SCHEMA_DIR) -> Artefacts:
    """Takes the fixtures and seeds directories and returns what the generated files should hold.

    Raises FileNotFoundError when a fixture file or the seed manifest is missing, SettingsError when
    the dataset version (curation/version.json) is missing or malformed.
    """
    expected = {schema_dir / name: content for name, content in generated_schemas().items()}
    files = {e.file: (fixtures_dir / e.file).read_bytes() for e in ENTITIES}
    if (fixtures_dir / CHANGES).is_file():  # generated from git history by make refresh (tools/refresh.py)
        files[CHANGES] = (fixtures_dir / CHANGES).read_bytes()
    manifest = (seeds_dir / MANIFEST).read_bytes().decode("utf-8")
    seed_names = parse_manifest(manifest, str(seeds_dir / MANIFEST))[0]
    table, version = claims_csv(files), dataset_version(fixtures_dir)
    expected[fixtures_dir / DATAPACKAGE] = build_datapackage(files, seed_names, table, version=version)
    expected[fixtures_dir / CLAIMS_CSV] = table
    obsolete = sorted(p for p in schema_dir.glob("*.schema.json") if p not in expected)
    return Artefacts(expected, obsolete)


def out_of_date(artefacts: Artefacts) -> list[Path]:
    """Returns the generated files that are missing, differ from what the code generates, or are obsolete."""
    stale = [p for p, content in artefacts.expected.items() if not p.is_file() or p.read_bytes() != content]
    return stale + [p for p in artefacts.obsolete if p.exists()]


def write_artefacts(artefacts: Artefacts) -> list[Path]:
    """Writes every out-of-date file, removes obsolete ones, and returns the paths it changed."""
    changed = out_of_date(artefacts)
    for path in changed:
        if path in artefacts.expected:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(artefacts.expected[path])
        else:
            path.unlink()
    return changed


def refresh_datapackage(fixtures_dir: Path, seeds_dir: Path) -> list[Path]:
    """Rewrites fixtures_dir/datapackage.json and fixtures_dir/claims.csv where the fixture files or
    seed list changed them; returns the paths it wrote. Only the files the data makes: the JSON
    Schemas depend on the models, not on the data.

    Raises OSError (FileNotFoundError) when a fixture file or the seed manifest is missing,
    SettingsError when the dataset version is, TableError when the files do not make claims.csv.
    """
    expected = expected_artefacts(fixtures_dir, seeds_dir).expected
    written = []
    for path in (fixtures_dir / DATAPACKAGE, fixtures_dir / CLAIMS_CSV):
        if not (path.is_file() and path.read_bytes() == expected[path]):
            path.write_bytes(expected[path])
            written.append(path)
    return written
