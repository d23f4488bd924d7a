"""JSON Schemas for the fixture files, generated from the pydantic models and checked in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from schema.model.dataset import FIXTURE_MODELS

JSON_SCHEMA_DIR = Path(__file__).parents[1] / "json"
"""Where the generated schemas are checked in: schema/json/<stem>.schema.json."""

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_file_name(stem: str) -> str:
    """Returns the file name of the JSON Schema for one fixture file, e.g. claims.schema.json."""
    return f"{stem}.schema.json"


def dump_json(data: Any) -> bytes:
    """Returns data as deterministic JSON: sorted keys, 2-space indent, UTF-8, trailing newline."""
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def fixture_schema(stem: str) -> dict[str, Any]:
    """Takes a fixture stem and returns the JSON Schema of its file: an array of that model's records."""
    model = FIXTURE_MODELS[stem]
    schema = TypeAdapter(list[model]).json_schema(mode="validation")  # type: ignore[valid-type]
    schema["$schema"] = DIALECT
    schema["title"] = f"{stem}.json"
    schema["description"] = (
        f"The fixture file fixtures/{stem}.json: a JSON array of {model.__name__} records."
    )
    return schema


def generated_schemas() -> dict[str, bytes]:
    """Returns file name -> bytes for every fixture file's JSON Schema."""
    return {schema_file_name(stem): dump_json(fixture_schema(stem)) for stem in FIXTURE_MODELS}
