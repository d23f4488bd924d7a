"""The fixture loader: reads fixtures/ and seeds/, checks everything, and returns the Dataset."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from pydantic import TypeAdapter, ValidationError

from schema.load.fixture_json import parse_json, parse_json_unchecked, record_key, validate_whole
from schema.load.problems import FixtureError, Problem, validation_problems
from schema.load.references import dangling_references, rule_problems
from schema.load.seeds import Seeds, read_seeds, sha256_hex
from schema.load.selectors import (
    dataset_evidence,
    evidence_in,
    iter_evidence,
    selector_holds,
    selector_problems,
)
from schema.model.catalogue import CITATIONS, SOURCES
from schema.model.compact import Compactor
from schema.model.dataset import FIXTURE_MODELS, Dataset, FixtureFile, gc_paused
from schema.model.models import Evidence, Source, Verified
from schema.publish.datapackage import DATAPACKAGE, stale_resources

__all__ = ["FixtureError", "Problem", "load_dataset", "load_records", "read_fixture_files", "selector_count"]


@dataclass
class _Fixtures:
    """What the reading pass found: valid records, every id seen, raw files and problems."""

    records: dict[str, list[Verified]] = field(default_factory=dict)
    known_ids: dict[str, set[str]] = field(default_factory=dict)
    cited: set[object] | None = None
    """The "claim" of every citation object, valid or not (None: citations.json unread)."""
    files: dict[str, FixtureFile] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    compactor: Compactor | None = field(default_factory=Compactor)
    """Shares the records' repeated parts (None: a record process's records, dropped after the build)."""
    parse: Callable[[bytes, str, list[Problem]], Any] = parse_json
    bodies: dict[str, list[str]] | None = None
    """Stem -> each record's JSON object as its file gave it, re-serialised (None: not kept)."""
    selectors: list[Evidence] = field(default_factory=list)


def _read_stem(fixtures: _Fixtures, fixtures_dir: Path, stem: str) -> None:
    where = str(fixtures_dir / f"{stem}.json")
    model = FIXTURE_MODELS[stem]
    content = fixtures.files[f"{stem}.json"].content
    reported = len(fixtures.problems)
    data = fixtures.parse(content, where, fixtures.problems)
    if data is None:
        return
    if not isinstance(data, list):
        fixtures.problems.append(
            Problem(where, "", "", f"expected a JSON array of records, got {type(data).__name__}")
        )
        return
    if stem == CITATIONS.stem:
        fixtures.cited = {raw.get("claim") for raw in data if isinstance(raw, dict)}
    fast = validate_whole(model, data) if len(fixtures.problems) == reported else None
    if fast is not None:
        fixtures.records[stem], fixtures.known_ids[stem] = fast
        if fixtures.compactor is not None:
            fixtures.compactor.records(fixtures.records[stem])
        if fixtures.bodies is not None:
            fixtures.bodies[stem] = _bodies(data)
        return
    valid: list[Verified] = []
    first_index: dict[str, int] = {}
    for index, raw in enumerate(data):
        key = record_key(raw, index)
        if not isinstance(raw, dict):
            fixtures.problems.append(
                Problem(where, key, "", f"expected a JSON object, got {type(raw).__name__}")
            )
            continue
        if not key.startswith("#"):
            if key in first_index:
                fixtures.problems.append(
                    Problem(where, key, "id", f"duplicate id (first used by record #{first_index[key]})")
                )
                continue
            first_index[key] = index
        try:
            valid.append(model.model_validate(raw))
        except ValidationError as error:
            fixtures.problems.extend(validation_problems(where, key, error))
    fixtures.records[stem] = valid
    if fixtures.compactor is not None:
        fixtures.compactor.records(valid)
    fixtures.known_ids[stem] = set(first_index)


_JSON: TypeAdapter[Any] = TypeAdapter(Any)


def _bodies(data: list[dict[str, Any]]) -> list[str]:
    """Each record's JSON object, compact: exactly the fields its file sets (what `record_json` says
    of the validated record, in the file's key order), without serialising the validated models."""
    return [_JSON.dump_json(raw).decode() for raw in data]


def read_fixture_files(fixtures_dir: Path) -> dict[str, FixtureFile]:
    """Returns name -> bytes (and sha256) of every fixtures/*.json file, in name order; {} if the
    directory does not exist. What `load_dataset(..., files=)` parses."""
    if not fixtures_dir.is_dir():
        return {}
    files: dict[str, FixtureFile] = {}
    for path in sorted(fixtures_dir.glob("*.json")):
        content = path.read_bytes()
        files[path.name] = FixtureFile(path.name, content, sha256_hex(content))
    return files


def _read_fixtures(
    fixtures_dir: Path, for_snapshot: bool = False, files: Mapping[str, FixtureFile] | None = None
) -> _Fixtures:
    fixtures = _Fixtures()
    if for_snapshot:
        fixtures.bodies = {}
    if not fixtures_dir.is_dir():
        fixtures.problems.append(Problem(str(fixtures_dir), "", "", "fixtures directory does not exist"))
        return fixtures
    fixtures.files = dict(read_fixture_files(fixtures_dir) if files is None else files)
    for stem in FIXTURE_MODELS:
        if f"{stem}.json" not in fixtures.files:
            fixtures.problems.append(Problem(str(fixtures_dir / f"{stem}.json"), "", "", "file is missing"))
            continue
        _read_stem(fixtures, fixtures_dir, stem)
    return fixtures


def _check_datapackage(fixtures: _Fixtures, fixtures_dir: Path) -> None:
    where = str(fixtures_dir / DATAPACKAGE)
    package = fixtures.files.get(DATAPACKAGE)
    if package is None:
        fixtures.problems.append(Problem(where, "", "", "file is missing (run: python -m schema generate)"))
        return
    content = {name: f.content for name, f in fixtures.files.items()}
    data = parse_json(package.content, where, fixtures.problems)
    if data is not None:
        for resource, path, message in stale_resources(data, content):
            fixtures.problems.append(Problem(where, resource, path, message))


def _seed_texts(fixtures: _Fixtures, seeds: Seeds, fixtures_dir: Path) -> dict[str, str]:
    """Checks each Source against the manifest and returns source id -> seed text."""
    where = str(fixtures_dir / SOURCES.file)
    texts: dict[str, str] = {}
    used_by: dict[str, str] = {}
    for source in fixtures.records.get(SOURCES.stem, []):
        assert isinstance(source, Source)
        if source.seed not in seeds.hashes:
            fixtures.problems.append(Problem(where, source.id, "seed", f"unknown seed file {source.seed!r}"))
            continue
        if source.seed in used_by:
            fixtures.problems.append(
                Problem(
                    where,
                    source.id,
                    "seed",
                    f"seed {source.seed!r} is already source {used_by[source.seed]!r}",
                )
            )
        used_by[source.seed] = source.id
        if source.sha256 != seeds.hashes[source.seed]:
            fixtures.problems.append(
                Problem(
                    where, source.id, "sha256", f"does not match {source.seed} ({seeds.hashes[source.seed]})"
                )
            )
        elif source.seed in seeds.texts:
            texts[source.id] = seeds.texts[source.seed]
    return texts


def _check_records(fixtures: _Fixtures, texts: Mapping[str, str], fixtures_dir: Path) -> None:
    """Resolves every reference and verifies every selector of every valid record."""
    source_ids = fixtures.known_ids.get(SOURCES.stem)
    for stem, records in fixtures.records.items():
        where = str(fixtures_dir / f"{stem}.json")
        for record in records:
            for path, message in dangling_references(stem, record, fixtures.known_ids):
                fixtures.problems.append(Problem(where, record.id, path, message))
            found = evidence_in(record)
            fixtures.selectors += found
            paths: list[str] = []  # dotted paths, worked out only for a record with a problem
            for index, evidence in enumerate(found):
                text = texts.get(evidence.source)
                if text is not None and selector_holds(evidence, text):
                    continue  # the common case, without a list of problems
                if source_ids is not None and evidence.source not in source_ids:
                    issues = [("source", f"unknown source {evidence.source!r}")]
                elif text is not None:
                    issues = selector_problems(evidence, text)
                else:
                    continue
                if issues and not paths:
                    paths = [path for path, _ in iter_evidence(record)]
                for name, message in issues:
                    fixtures.problems.append(Problem(where, record.id, f"{paths[index]}.{name}", message))
    # Claims cited by a citation that failed validation still count as cited: no follow-on errors.
    for stem, record, path, message in rule_problems(fixtures.records, fixtures.cited):
        fixtures.problems.append(Problem(str(fixtures_dir / f"{stem}.json"), record.id, path, message))


def load_dataset(
    fixtures_dir: Path,
    seeds_dir: Path,
    *,
    for_snapshot: bool = False,
    files: Mapping[str, FixtureFile] | None = None,
) -> Dataset:
    """Takes the fixtures and seeds directories and returns the verified Dataset.

    Raises FixtureError listing every problem found (files, records, references, selectors, seed
    hashes, datapackage.json). `for_snapshot`: the same checks and records, with each record's JSON
    kept (`Dataset.bodies`) so `write_snapshot` need not serialise them again; records are still
    compacted (skipping that cost more in page faults than it saved). `files`: the fixture files
    already read (`read_fixture_files`).
    """
    with gc_paused():
        return _load(fixtures_dir, seeds_dir, for_snapshot, files)


def _load(
    fixtures_dir: Path, seeds_dir: Path, for_snapshot: bool, files: Mapping[str, FixtureFile] | None
) -> Dataset:
    fixtures = _read_fixtures(fixtures_dir, for_snapshot, files)
    seeds = read_seeds(seeds_dir)
    fixtures.problems.extend(seeds.problems)
    if fixtures.files:
        _check_datapackage(fixtures, fixtures_dir)
    texts = _seed_texts(fixtures, seeds, fixtures_dir)
    _check_records(fixtures, texts, fixtures_dir)
    if fixtures.problems:
        raise FixtureError(fixtures.problems)
    return Dataset.build(fixtures.records, texts, fixtures.files, fixtures.selectors, fixtures.bodies or {})


class _SeedTextsElsewhere(Mapping[str, str]):
    """The seed texts of a dataset loaded by `load_records`: it has none, and says so when asked."""

    def _refuse(self) -> NoReturn:
        raise LookupError(
            "this dataset was loaded without its seeds (load_records, for a snapshot's record "
            "tables): a snapshot writer that reads seed texts must be marked @runs_with_inputs "
            "(schema.store.snapshot)"
        )

    def __getitem__(self, key: str) -> str:
        self._refuse()

    def __iter__(self) -> Iterator[str]:
        self._refuse()

    def __len__(self) -> int:
        self._refuse()


def load_records(fixtures_dir: Path, files: Mapping[str, FixtureFile]) -> Dataset:
    """Parses and validates fixture files already read, as `load_dataset(for_snapshot=True)` does,
    but checks nothing across records or against the seeds, and has no seed texts (reading raises).

    Only for the record process of `build_snapshot`, whose main process runs every check on the same
    bytes before anything is written: so repeated keys are left to it (`parse_json_unchecked`) and
    the records, dropped once written, are not compacted, which saves CPU.
    Raises FixtureError if a file does not parse or validate.
    """
    with gc_paused():
        fixtures = _Fixtures(files=dict(files), bodies={}, compactor=None, parse=parse_json_unchecked)
        for stem in FIXTURE_MODELS:
            if f"{stem}.json" not in fixtures.files:
                missing = Problem(str(fixtures_dir / f"{stem}.json"), "", "", "file is missing")
                fixtures.problems.append(missing)
                continue
            _read_stem(fixtures, fixtures_dir, stem)
        if fixtures.problems:
            raise FixtureError(fixtures.problems)
        selectors = [e for records in fixtures.records.values() for r in records for e in evidence_in(r)]
        return Dataset.build(
            fixtures.records, _SeedTextsElsewhere(), fixtures.files, selectors, fixtures.bodies or {}
        )


def selector_count(dataset: Dataset) -> int:
    """Returns how many Evidence selectors the dataset holds; in a loaded dataset each was verified."""
    return sum(1 for _ in dataset_evidence(dataset))
