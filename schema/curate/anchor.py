"""`parley anchor`: fills in or repairs every selector's prefix, suffix, start and end from its words.

The curator writes `{"source": ..., "exact": ...}`; where the words occur more than once, a
`prefix` hint (text just before them; a full prefix from an earlier run is one, so re-anchoring is
stable), a `suffix` likewise, or `"occurrence": N` (1-based, removed once anchored) says which.
Stored `start`/`end` never choose: they are what gets repaired. An ambiguous `exact` is refused,
naming the record, the field and every place it occurs; so is a file that cannot be read or a
duplicate record id. Nothing is written unless every selector of every file anchors (docs/curating.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schema.load.seeds import read_seeds
from schema.load.selectors import CONTEXT
from schema.model.dataset import FIXTURE_MODELS

SELECTOR_KEYS = ("source", "exact", "prefix", "suffix", "start", "end")


def dump_fixture(records: Any) -> str:
    """Returns a fixture file's text as the fixtures are written (2-space JSON, UTF-8, final newline)."""
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


@dataclass
class AnchorResult:
    """What one anchoring pass found: problems (nothing is written if any), and what it changed."""

    problems: list[str] = field(default_factory=list)
    changed: dict[str, int] = field(default_factory=dict)
    """File name -> selectors whose prefix, suffix, start or end changed."""
    selectors: int = 0


def occurrences(text: str, exact: str) -> list[int]:
    """Returns the start offset (code points) of every occurrence of exact in text, overlapping ones too."""
    found: list[int] = []
    position = text.find(exact)
    while position >= 0:
        found.append(position)
        position = text.find(exact, position + 1)
    return found


def _context(text: str, start: int, length: int) -> str:
    before = text[max(0, start - 24) : start]
    after = text[start + length : start + length + 24]
    shown = f"…{before}[{text[start : start + length]}]{after}…"
    return json.dumps(" ".join(shown.split()), ensure_ascii=False)


def _walk(value: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yields (dotted path, selector dict) for every object with an "exact" key (only Evidence has one)."""
    if isinstance(value, dict):
        if "exact" in value and "source" in value:
            yield path, value
            return
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def anchor_selector(selector: dict[str, Any], text: str) -> tuple[dict[str, Any] | None, str | None]:
    """Takes a selector (as JSON) and its seed text; returns (anchored selector, None) or (None, why not)."""
    exact = selector.get("exact")
    if not isinstance(exact, str) or not exact:
        return None, "exact must be a non-empty string"
    starts = occurrences(text, exact)
    if not starts:
        return None, f"exact {json.dumps(exact, ensure_ascii=False)} does not occur in the seed text"
    occurrence = selector.get("occurrence")
    if occurrence is not None:
        if not isinstance(occurrence, int) or isinstance(occurrence, bool) or occurrence < 1:
            return None, f"occurrence must be a whole number >= 1, not {occurrence!r}"
        if occurrence > len(starts):
            return None, f"occurrence {occurrence} asked for, but exact occurs {len(starts)} time(s)"
        chosen = [starts[occurrence - 1]]
    else:
        prefix, suffix = selector.get("prefix"), selector.get("suffix")
        for name, hint in (("prefix", prefix), ("suffix", suffix)):
            if hint is not None and not isinstance(hint, str):
                return None, f"{name} must be a string, not {hint!r}"
        chosen = [
            s
            for s in starts
            if (not prefix or text[:s].endswith(prefix))
            and (not suffix or text.startswith(suffix, s + len(exact)))
        ]
        if not chosen or len(chosen) > 1:
            places = ", ".join(f"[{s}:{s + len(exact)}] {_context(text, s, len(exact))}" for s in starts)
            hints = " and ".join(
                f"{name} hint {json.dumps(hint, ensure_ascii=False)}"
                for name, hint in (("prefix", prefix), ("suffix", suffix))
                if hint
            )
            if not chosen:
                return None, f"the {hints} matches none of the {len(starts)} occurrence(s): {places}"
            why = f"even with the {hints}" if hints else "and nothing says which is meant"
            return None, (
                f"exact occurs {len(starts)} times {why}: {places}; add a prefix hint "
                f'(text just before it) or "occurrence": N'
            )
    start = chosen[0]
    end = start + len(exact)
    anchored = {key: selector[key] for key in selector if key not in SELECTOR_KEYS and key != "occurrence"}
    return {
        "source": selector["source"],
        "exact": exact,
        "prefix": text[max(0, start - CONTEXT) : start],
        "suffix": text[end : end + CONTEXT],
        "start": start,
        "end": end,
        **anchored,
    }, None


def _source_texts(fixtures_dir: Path, seeds_dir: Path, result: AnchorResult) -> dict[str, str]:
    """Source id -> seed text, for every source record whose seed is listed and intact."""
    seeds = read_seeds(seeds_dir)
    result.problems += [str(problem) for problem in seeds.problems]
    where = fixtures_dir / "sources.json"
    try:
        sources = json.loads(where.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        result.problems.append(f"{where}: cannot read the sources: {error}")
        return {}
    texts: dict[str, str] = {}
    for source in sources if isinstance(sources, list) else []:
        if isinstance(source, dict) and source.get("seed") in seeds.texts:
            texts[str(source.get("id"))] = seeds.texts[source["seed"]]
    return texts


def anchor_fixtures(fixtures_dir: Path, seeds_dir: Path, *, write: bool = True) -> AnchorResult:
    """Anchors every selector of every fixture file; writes the files that change (unless `write`
    is false) only when every selector anchored. Returns what it found and changed."""
    result = AnchorResult()
    if not fixtures_dir.is_dir():
        result.problems.append(f"{fixtures_dir}: fixtures directory does not exist")
        return result
    texts = _source_texts(fixtures_dir, seeds_dir, result)
    updated: dict[Path, str] = {}
    for stem in FIXTURE_MODELS:
        path = fixtures_dir / f"{stem}.json"
        try:
            original = path.read_text(encoding="utf-8")
            records = json.loads(original)
        except (OSError, ValueError) as error:
            result.problems.append(f"{path}: cannot read: {error}")
            continue
        if not isinstance(records, list):
            result.problems.append(f"{path}: expected a JSON array of records")
            continue
        changed = 0
        first_at: dict[str, int] = {}
        for index, record in enumerate(records):
            record_id = record.get("id") if isinstance(record, dict) else None
            name = repr(record_id) if isinstance(record_id, str) else f"#{index}"
            if isinstance(record_id, str) and first_at.setdefault(record_id, index) != index:
                duplicate = f"duplicate id (first used by record #{first_at[record_id]})"
                result.problems.append(f"{path}: record {name} field 'id': {duplicate}")
            for where, selector in _walk(record, ""):
                result.selectors += 1
                text = texts.get(str(selector.get("source")))
                if text is None:
                    result.problems.append(
                        f"{path}: record {name} field {where!r}: unknown source {selector.get('source')!r} "
                        "(no source record with a listed seed)"
                    )
                    continue
                anchored, problem = anchor_selector(selector, text)
                if anchored is None:
                    result.problems.append(f"{path}: record {name} field {where!r}: {problem}")
                    continue
                if anchored != selector or list(anchored) != list(selector):
                    changed += 1
                    selector.clear()
                    selector.update(anchored)
        text = dump_fixture(records)
        if text != original:
            updated[path] = text
            result.changed[path.name] = changed
    if write and not result.problems:
        for path, text in updated.items():
            path.write_text(text, encoding="utf-8")
    return result
