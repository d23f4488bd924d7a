"""fixtures/datapackage.json: the Frictionless Data Package (v1) describing the fixture files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from schema.load.seeds import sha256_hex
from schema.model.catalogue import BY_STEM, ENTITIES
from schema.publish.jsonschema import dump_json, schema_file_name
from schema.publish.tabular import CLAIMS_CSV, claims_csv, table_schema

DATAPACKAGE = "datapackage.json"

TITLE = "Parley: who said what at the June 2025 US\u2013China trade talks in London"
DESCRIPTION = (
    "A hand-verified record of who said what, when, in which negotiation, and which outlet reported it, "
    "built from five news articles. Every record points at the exact words of a seed article (a W3C Web "
    "Annotation text quote and position selector). The curated records are licensed CC-BY-4.0. The seed "
    "articles themselves are third-party news texts, not covered by that licence: the short passages "
    "quoted in the records are quoted under fair use for verification and commentary. Each resource's "
    "`jsonSchema` property gives the path, relative to this file, of the JSON Schema its records follow "
    "(the same path resolves on disk and on a parley server). claims.csv is one row per citation, described "
    "by its Table Schema, for spreadsheets and data-frame tools."
)
LICENSES = [
    {
        "name": "CC-BY-4.0",
        "path": "https://creativecommons.org/licenses/by/4.0/",
        "title": "Creative Commons Attribution 4.0 International",
    }
]


def _resource(stem: str, content: bytes) -> dict[str, Any]:
    model = BY_STEM[stem].model
    doc = (model.__doc__ or "").strip().splitlines()[0]
    return {
        "name": stem,
        "path": f"{stem}.json",
        "profile": "data-resource",
        "title": f"{model.__name__} records",
        "description": doc,
        "format": "json",
        "mediatype": "application/json",
        "encoding": "utf-8",
        "bytes": len(content),
        "hash": "sha256:" + sha256_hex(content),
        # Not `schema`: in a Data Package that key means a Frictionless Table Schema.
        "jsonSchema": f"../schema/json/{schema_file_name(stem)}",
    }


def _table_resource(content: bytes) -> dict[str, Any]:
    return {
        "name": "claims-table",
        "path": CLAIMS_CSV,
        "profile": "tabular-data-resource",
        "title": "Claims as reported, one row per citation",
        "description": "Every citation with its claim, speaker, summary, source and the exact words.",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": len(content),
        "hash": "sha256:" + sha256_hex(content),
        "dialect": {"delimiter": ",", "doubleQuote": True, "header": True, "lineTerminator": "\r\n"},
        "schema": table_schema(),
    }


def build_datapackage(
    files: Mapping[str, bytes], seed_names: Iterable[str], table: bytes | None = None, *, version: str
) -> bytes:
    """Takes fixture file name -> bytes, the seed file names and the dataset's version
    (`schema.curate.settings.dataset_version`) and returns datapackage.json's bytes. claims.csv is
    described from `table` (schema.publish.tabular.claims_csv of these files, built when not given)."""
    package = {
        "profile": "data-package",
        "name": "parley",
        "title": TITLE,
        "description": DESCRIPTION,
        "version": version,
        "licenses": LICENSES,
        "keywords": ["trade talks", "quotations", "provenance", "US-China", "London 2025"],
        "sources": [
            {"title": f"Seed article seeds/{name} (third-party news text, quoted under fair use)"}
            for name in sorted(seed_names)
        ],
        "resources": [
            *(_resource(e.stem, files[e.file]) for e in ENTITIES),
            _table_resource(claims_csv(files) if table is None else table),
        ],
    }
    return dump_json(package)


def stale_resources(package: object, files: Mapping[str, bytes]) -> list[tuple[str, str, str]]:
    """Takes parsed datapackage.json and fixture file name -> bytes; returns (resource, field, message)
    for each fixture file whose resource is missing or whose bytes or hash differ from the file."""
    hint = " (run: python -m schema generate)"
    resources = package.get("resources") if isinstance(package, dict) else None
    if not isinstance(resources, list):
        return [("", "resources", "expected a list of resources" + hint)]
    by_path = {r.get("path"): (i, r) for i, r in enumerate(resources) if isinstance(r, dict)}
    stale: list[tuple[str, str, str]] = []
    for entry in ENTITIES:
        stem, name = entry.stem, entry.file
        if name not in files:
            continue
        if name not in by_path:
            stale.append((stem, "resources", f"no resource has path {name!r}" + hint))
            continue
        index, resource = by_path[name]
        expected = _resource(stem, files[name])
        for key in ("bytes", "hash"):
            if resource.get(key) != expected[key]:
                message = f"is {resource.get(key)!r} but {name} has {expected[key]!r}" + hint
                stale.append((stem, f"resources[{index}].{key}", message))
    return stale
