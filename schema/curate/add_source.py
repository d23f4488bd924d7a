"""`parley add-source FILE`: bring a new article into seeds/ with a source record for it.

It copies the file byte for byte to seeds/NNN_<first 16 hex digits of its sha256>.txt, adds it to
seeds/SHA256SUMS, appends a Source record to fixtures/sources.json and refreshes
fixtures/datapackage.json and claims.csv. The record says only what the text shows: the headline
when the first non-empty line looks like one (else null with a note); the outlet given by `--outlet
ID` only if its name or an alias is printed in the text (else the command refuses); author and
publication date null, each noted as not yet read for. Its verification is `selector-checked` only:
a curator still reads the article in context. Nothing is written when anything is wrong.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schema.curate.anchor import dump_fixture, occurrences
from schema.curate.settings import SettingsError
from schema.load.seeds import MANIFEST, parse_manifest, sha256_hex
from schema.load.selectors import make_evidence
from schema.model.models import SLUG_PATTERN, Source
from schema.publish.generate import expected_artefacts, refresh_datapackage
from schema.publish.tabular import TableError

HEADLINE_MAX = 200
"""A first line longer than this (code points) is not taken for a headline."""


class AddSourceError(Exception):
    """The article cannot be added; the message says what and where."""


@dataclass
class Added:
    """What add-source wrote."""

    seed: Path
    source_id: str
    record: dict[str, Any]
    steps: list[str] = field(default_factory=list)


def _read_json_list(path: Path) -> list[Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise AddSourceError(f"{path}: cannot read: {error}") from error
    if not isinstance(data, list):
        raise AddSourceError(f"{path}: expected a JSON array of records")
    return data


def _slug(words: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", words.lower())[:5])


def _headline(text: str) -> str | None:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if first and len(first) <= HEADLINE_MAX and not first.endswith("."):
        return first
    return None


def _outlet_evidence(outlet_id: str, fixtures_dir: Path, source_id: str, text: str) -> list[dict[str, Any]]:
    outlets = _read_json_list(fixtures_dir / "outlets.json")
    outlet = next((o for o in outlets if isinstance(o, dict) and o.get("id") == outlet_id), None)
    if outlet is None:
        known = ", ".join(str(o.get("id")) for o in outlets if isinstance(o, dict))
        raise AddSourceError(
            f"--outlet {outlet_id!r} is not in {fixtures_dir / 'outlets.json'} (known: {known})"
        )
    names = [outlet.get("name"), *(a.get("name") for a in outlet.get("aliases", []) if isinstance(a, dict))]
    for name in names:
        if not isinstance(name, str) or not name:
            continue
        word = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)  # "AP", not the AP in "APEC"
        if word is not None:
            occurrence = 1 + sum(1 for at in occurrences(text, name) if at < word.start())
            return [make_evidence(source_id, text, name, occurrence=occurrence).model_dump(mode="json")]
    spellings = ", ".join(repr(name) for name in names if name)
    raise AddSourceError(
        f"the text never prints the name of outlet {outlet_id!r} ({spellings}), "
        "so nothing can evidence it: add the outlet's spelling as an alias first, or leave out --outlet"
    )


def add_source(
    article: Path,
    fixtures_dir: Path,
    seeds_dir: Path,
    *,
    outlet: str | None = None,
    source_id: str | None = None,
    today: dt.date | None = None,
) -> Added:
    """Adds the article as a seed and a source record; returns what was written.

    Raises AddSourceError (nothing written) when the file is unreadable, empty, not UTF-8, already a
    seed, the id is taken or malformed, the outlet is unknown or not named in the text, or the other
    fixture files cannot make datapackage.json (a malformed file, a reference to no record).
    """
    try:
        data = article.read_bytes()
    except OSError as error:
        raise AddSourceError(f"{article}: cannot read: {error}") from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise AddSourceError(f"{article}: not UTF-8: {error}") from error
    if not text.strip():
        raise AddSourceError(f"{article}: the file is empty")
    manifest = seeds_dir / MANIFEST
    try:
        hashes, problems = parse_manifest(manifest.read_text(encoding="utf-8"), str(manifest))
    except OSError as error:
        raise AddSourceError(f"{manifest}: cannot read the seed manifest: {error}") from error
    if problems:
        raise AddSourceError("; ".join(map(str, problems)))
    digest = sha256_hex(data)
    for name, known in hashes.items():
        if known == digest:
            raise AddSourceError(f"{article}: this text is already seed {name}")
    numbers = [int(name[:3]) for name in hashes if re.match(r"^\d{3}_", name)]
    seed_name = f"{max(numbers, default=-1) + 1:03d}_{digest[:16]}.txt"

    sources = _read_json_list(fixtures_dir / "sources.json")
    taken = {s.get("id") for s in sources if isinstance(s, dict)}
    headline = _headline(text)
    if source_id is None:
        source_id = f"{outlet or 'unattributed'}-{_slug(headline or text)}"
    if not re.match(SLUG_PATTERN, source_id):
        raise AddSourceError(f"source id {source_id!r} is not lowercase kebab-case (pass --id)")
    if source_id in taken:
        raise AddSourceError(
            f"source id {source_id!r} is already in {fixtures_dir / 'sources.json'} (pass --id)"
        )

    notes = []
    record: dict[str, Any] = {"id": source_id, "seed": seed_name, "sha256": digest}
    if outlet is not None:
        record["outlet"] = outlet
        record["outlet_evidence"] = _outlet_evidence(outlet, fixtures_dir, source_id, text)
        notes.append(
            {"field": "outlet", "note": "Set by add-source from --outlet; the text prints the outlet's name."}
        )
    else:
        record["outlet"] = None
        record["outlet_evidence"] = []
        notes.append({"field": "outlet", "note": "Not yet read for: add-source was given no outlet."})
    if headline is not None:
        evidence = make_evidence(source_id, text, headline).model_dump(mode="json")
        record["headline"] = {"value": headline, "evidence": [evidence]}
        note = "The first line of the text, as add-source found it: check that it is the headline."
        notes.append({"field": "headline", "note": note})
    else:
        record["headline"] = None
        notes.append(
            {"field": "headline", "note": "add-source found no first line that looks like a headline."}
        )
    record["author"] = None
    notes.append({"field": "author", "note": "Not yet read for: add-source does not look for a byline."})
    record["published_on"] = None
    notes.append({"field": "published_on", "note": "Not yet read for: add-source does not look for a date."})
    record["notes"] = notes
    record["verification"] = {
        "by": "curator",
        "on": (today or dt.datetime.now(dt.UTC).date()).isoformat(),
        "methods": ["selector-checked"],
    }
    Source.model_validate(record)  # the record is valid before anything is written
    try:  # and datapackage.json can be refreshed afterwards: the other fixture files make one
        expected_artefacts(fixtures_dir, seeds_dir)
    except (OSError, SettingsError, TableError) as error:
        raise AddSourceError(f"cannot refresh datapackage.json, so nothing is added: {error}") from error

    seed_path = seeds_dir / seed_name
    seed_path.write_bytes(data)
    with manifest.open("a", encoding="utf-8") as out:
        out.write(f"{digest}  {seed_name}\n")
    sources.append(record)
    (fixtures_dir / "sources.json").write_text(dump_fixture(sources), encoding="utf-8")
    refresh_datapackage(fixtures_dir, seeds_dir)
    steps = [
        f"Read {seed_path} in full, then in fixtures/sources.json record {source_id!r}: check the headline, "
        "set the outlet, author and published_on where the text prints them (with evidence), or say in "
        "the note why they stay null; add read-in-context to its verification methods.",
        'Add people, claims and citations with evidence as {"source": '
        f'"{source_id}", "exact": "words copied from the text"}}.',
        "Run: parley anchor      (computes prefix, suffix, start, end; refreshes the generated files)",
        "Run: parley validate    (records, selectors, anchoring lint, outside-knowledge check)",
        "Run: parley coverage    (every quotation and speech-verb sentence cited or explained)",
        "The walk-through is docs/curating.md.",
    ]
    return Added(seed_path, source_id, record, steps)
