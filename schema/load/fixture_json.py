"""Reading one fixture file's JSON: a parse that rejects repeated keys, and whole-file validation."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from schema.load.problems import Problem
from schema.model.models import Verified

_ID_KEY = re.compile(r'"id"\s*:\s*"([^"\\]*)"')


def parse_json(content: bytes, where: str, problems: list[Problem]) -> Any:
    """Takes a file's bytes and returns its JSON (None, with a Problem, when it is not UTF-8 JSON).

    Every object whose keys repeat adds a Problem naming them.
    """
    duplicates: list[str] = []

    def no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        unique = dict(pairs)
        if len(unique) != len(pairs):  # a key repeats: name every key that does
            keys = [key for key, _ in pairs]
            duplicates.extend(sorted({key for key in keys if keys.count(key) > 1}))
        return unique

    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        problems.append(Problem(where, "", "", f"not UTF-8: {error}"))
        return None
    try:
        data = json.loads(text, object_pairs_hook=no_duplicate_keys)
    except json.JSONDecodeError as error:
        # Only records carry an "id", so the last one before the error names the record it is in.
        ids = _ID_KEY.findall(text, 0, error.pos)
        record = ids[-1] if ids else ""
        message = f"malformed JSON at line {error.lineno} column {error.colno}: {error.msg}"
        message += " (in or just after this record)" if record else ""
        problems.append(Problem(where, record, "", message))
        return None
    problems.extend(Problem(where, "", "", f"an object repeats the key {key!r}") for key in duplicates)
    return data


def parse_json_unchecked(content: bytes, where: str, problems: list[Problem]) -> Any:
    """`parse_json` without its check for repeated keys, for bytes that `parse_json` checks elsewhere
    (the record process of a snapshot build): the same decoding and parser, so the same values for
    any file `parse_json` passes, without a Python call per object. Bytes it cannot parse go to
    `parse_json`, which reports them.
    """
    try:
        return json.loads(content.decode("utf-8"))
    except ValueError:  # not UTF-8, not JSON
        return parse_json(content, where, problems)


def record_key(raw: object, index: int) -> str:
    """Takes a raw record and its position and returns its id, or "#<position>" when it has none."""
    raw_id = raw.get("id") if isinstance(raw, dict) else None
    return raw_id if isinstance(raw_id, str) and raw_id else f"#{index}"


@cache
def _list_adapter(model: type[Verified]) -> TypeAdapter[list[Verified]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def validate_whole(model: type[Verified], data: list[Any]) -> tuple[list[Verified], set[str]] | None:
    """Validates a whole parsed file in one pydantic call: returns (records, their ids).

    `data` is what `parse_json` gave for the file, which reported no problem. The JSON is parsed
    once: validation reads the parsed values (as the record-by-record pass does, `model_validate`).
    Returns None when anything is wrong at all (a record that is not an object, lacks or repeats
    an id, or fails validation): then the caller's record-by-record pass finds and names every
    problem exactly as it always has.
    """
    if not all(type(raw) is dict for raw in data):
        return None
    ids: set[Any] = {raw.get("id") for raw in data}
    if len(ids) != len(data) or not all(type(key) is str and key and key[0] != "#" for key in ids):
        return None
    try:
        records = _list_adapter(model).validate_python(data)
    except ValidationError:
        return None
    return records, ids
