"""claims.csv: one row per citation, built from the fixture files' bytes, and its Frictionless Table Schema.

One builder for both places the table appears: `python -m schema generate` writes fixtures/claims.csv
(a resource of datapackage.json) and the server answers /exports/claims.csv and /fixtures/claims.csv
with the same bytes. It reads the fixture JSON directly (no models), so the generator needs no load.
Enum values are spelt as the GraphQL API spells them (DIRECT, DAY); a partial date is split into the
first day of its period and its precision, so every `*_on` column is a real date.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

from schema.model.catalogue import CITATIONS, CLAIMS, OUTLETS, PEOPLE, SOURCES, Entry
from schema.model.models import CitationMode
from schema.model.values import Precision

CLAIMS_CSV = "claims.csv"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8; header=present"

MODES = [mode.name for mode in CitationMode]
PRECISIONS = [precision.name for precision in Precision]

# name -> (Table Schema type, description, extra field properties)
_FIELDS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("citation_id", "string", "Id of the citation (one source reporting one claim).", {"required": True}),
    ("claim_id", "string", "Id of the claim; several rows share it when several sources report it.",
     {"required": True}),
    ("speaker_id", "string", "Id of the person (or body) who made the claim.", {"required": True}),
    ("speaker", "string", "The speaker's name.", {"required": True}),
    ("summary", "string", "The curator's one-sentence summary of the claim.", {"required": True}),
    ("said_on", "date", "When the claim was made: the first day of the period said_on_precision names; "
     "empty when unknown.", {}),
    ("said_on_precision", "string", "How much of said_on is known, as GraphQL's Precision spells it; "
     "empty when said_on is.", {"enum": PRECISIONS}),
    ("source_id", "string", "Id of the article that reports the claim.", {"required": True}),
    ("outlet", "string", "The publishing outlet's name; empty when no seed text names it.", {}),
    ("published_on", "date", "When the article was published: the first day of the period "
     "published_on_precision names; empty when the article prints no date.", {}),
    ("published_on_precision", "string", "How much of published_on is known; empty when it is.",
     {"enum": PRECISIONS}),
    ("mode", "string", "How the article reports the claim, as GraphQL's CitationMode spells it.",
     {"required": True, "enum": MODES}),
    ("exact", "string", "The article's words, byte for byte.", {"required": True}),
    ("start", "integer", "0-based code point offset of `exact` in the article's seed text.",
     {"required": True, "minimum": 0}),
    ("end", "integer", "Offset just past the last code point of `exact`.", {"required": True, "minimum": 1}),
]
CSV_COLUMNS = tuple(name for name, _, _, _ in _FIELDS)


def table_schema() -> dict[str, Any]:
    """Returns the Frictionless Table Schema of claims.csv."""
    fields = []
    for name, kind, description, extra in _FIELDS:
        field: dict[str, Any] = {"name": name, "type": kind, "description": description}
        constraints = dict(extra)
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    return {"fields": fields, "primaryKey": ["citation_id"], "missingValues": [""]}


def _date(value: Any) -> tuple[str, str]:
    """A fixture's partial date (or null) -> (first day of its period, PRECISION), or ("", "")."""
    if not isinstance(value, dict):
        return "", ""
    text = str(value["date"])
    padded = text + {4: "-01-01", 7: "-01"}.get(len(text), "")
    return padded, Precision(value["precision"]).name


class TableError(ValueError):
    """The fixture files cannot make claims.csv (unparsable, or a reference to no record); the message
    names the file, the record and the field, as the loader's problems do."""


def _parsed(files: Mapping[str, bytes], entry: Entry[Any]) -> list[dict[str, Any]]:
    try:
        records = json.loads(files[entry.file])
    except ValueError as error:
        raise TableError(f"{entry.file}: not valid JSON: {error}") from None
    if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
        raise TableError(f"{entry.file}: expected a JSON array of objects")
    return records


def _records(files: Mapping[str, bytes], entry: Entry[Any]) -> dict[str, dict[str, Any]]:
    return {record["id"]: record for record in _parsed(files, entry) if isinstance(record.get("id"), str)}


def _refer(found: dict[str, dict[str, Any]], entry: Entry[Any], where: str, key: Any) -> dict[str, Any]:
    """The record `key` names in `entry`'s file; TableError naming `where` (file, record, field) if none."""
    if isinstance(key, str) and key in found:
        return found[key]
    raise TableError(f"{where}: no record in {entry.file} has id {key!r}")


def _get(record: dict[str, Any], key: str, where: str) -> Any:
    if key not in record:
        raise TableError(f"{where} field {key!r}: missing")
    return record[key]


def claims_csv(files: Mapping[str, bytes]) -> bytes:
    """Takes fixture file name -> bytes; returns claims.csv (RFC 4180, header first, one row per citation).

    Raises TableError (naming file, record and field) when the files do not make one."""
    claims = _records(files, CLAIMS)
    people = _records(files, PEOPLE)
    sources = _records(files, SOURCES)
    outlets = _records(files, OUTLETS)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for n, citation in enumerate(_parsed(files, CITATIONS)):
        at = f"{CITATIONS.file}: record {citation.get('id', f'#{n}')!r}"
        claim = _refer(claims, CLAIMS, f"{at} field 'claim'", _get(citation, "claim", at))
        evidence = _get(citation, "evidence", at)
        if not isinstance(evidence, dict):
            raise TableError(f"{at} field 'evidence': expected an object")
        source = _refer(sources, SOURCES, f"{at} field 'evidence.source'", evidence.get("source"))
        claim_at = f"{CLAIMS.file}: record {claim.get('id')!r}"
        person = _refer(people, PEOPLE, f"{claim_at} field 'speaker'", _get(claim, "speaker", claim_at))
        outlet = ""
        if source.get("outlet"):
            source_at = f"{SOURCES.file}: record {source.get('id')!r} field 'outlet'"
            found = _refer(outlets, OUTLETS, source_at, source["outlet"])
            outlet = _get(found, "name", f"{OUTLETS.file}: record {found.get('id')!r}")
        try:
            row = (
                citation["id"],
                claim["id"],
                claim["speaker"],
                person["name"],
                claim["summary"],
                *_date(claim.get("said_on")),
                source["id"],
                outlet,
                *_date(source.get("published_on")),
                CitationMode(citation["mode"]).name,
                evidence["exact"],
                evidence["start"],
                evidence["end"],
            )
        except (KeyError, TypeError, ValueError) as error:  # a field missing or of the wrong kind
            raise TableError(f"{at}: cannot make its claims.csv row: {error!r}") from None
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")
