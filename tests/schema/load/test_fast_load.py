"""The whole-file fast path never lets through what the record-by-record pass rejects."""

from __future__ import annotations

from pathlib import Path

import pytest

from schema.load.fixture_json import parse_json, validate_whole
from schema.load.loader import FixtureError, load_dataset
from schema.load.problems import Problem
from schema.model.dataset import FIXTURE_MODELS
from schema.model.models import Verified
from tests.datafiles import SEEDS, copy_fixtures, read_records


def _fast(path: Path) -> tuple[list[Verified], set[str]] | None:
    """What the whole-file pass gives for one file (None: the record-by-record pass decides)."""
    problems: list[Problem] = []
    data = parse_json(path.read_bytes(), str(path), problems)
    return None if problems else validate_whole(FIXTURE_MODELS["claims"], data)


def _problems(fixtures: Path) -> list[str]:
    with pytest.raises(FixtureError) as caught:
        load_dataset(fixtures, SEEDS)
    return [str(problem) for problem in caught.value.problems]


def test_a_key_repeated_deep_inside_a_record_is_still_rejected(tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    path = fixtures / "claims.json"
    text = path.read_text(encoding="utf-8")
    by = '"by": "curator"'
    assert by in text
    path.write_text(text.replace(by, f'{by}, "by": "curator"', 1), encoding="utf-8")
    assert _fast(path) is None
    assert f"{path}: an object repeats the key 'by'" in _problems(fixtures)


def test_a_value_json_alone_would_accept_is_rejected_as_before(tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    path = fixtures / "claims.json"
    first = read_records(fixtures, "claims")[0]
    text = path.read_text(encoding="utf-8")
    summary = f'"summary": "{first["summary"]}"'
    assert summary in text
    path.write_text(text.replace(summary, '"summary": NaN', 1), encoding="utf-8")
    assert _fast(path) is None
    problems = _problems(fixtures)
    assert any(f"record {first['id']!r} field 'summary'" in problem for problem in problems), problems


def test_valid_files_take_the_fast_path_and_match_the_records(tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    path = fixtures / "claims.json"
    fast = _fast(path)
    assert fast is not None
    records, ids = fast
    slow = [FIXTURE_MODELS["claims"].model_validate(raw) for raw in read_records(fixtures, "claims")]
    assert records == slow
    assert ids == {record.id for record in slow}


def test_the_loader_keeps_every_selector_in_fixture_order() -> None:
    from schema.load.selectors import iter_evidence
    from tests.datafiles import FIXTURES

    dataset = load_dataset(FIXTURES, SEEDS)
    walked = [
        e for stem in FIXTURE_MODELS for r in getattr(dataset, stem).values() for _, e in iter_evidence(r)
    ]
    assert walked and [id(e) for e in dataset.selectors] == [id(e) for e in walked]
