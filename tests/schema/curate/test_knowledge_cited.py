"""The outside-knowledge check reads only the seeds a record cites, and a sentence's first word is
not a name: each rule shown refusing (or accepting) one deliberate edit in a temporary copy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from schema.commands import validate
from schema.publish.generate import refresh_datapackage
from tests.datafiles import copy_inputs, edit_records, read_records

CLAIM = "hassett-gesture-smaller-matters"
"""A claim whose only citation is in ASEAN Now (seed 001)."""


def _validate(fixtures: Path, seeds: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    refresh_datapackage(fixtures, seeds)
    code = validate(["--fixtures", str(fixtures), "--seeds", str(seeds)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _summary(fixtures: Path, text: str) -> None:
    def edit(records: list[dict[str, Any]]) -> None:
        next(r for r in records if r["id"] == CLAIM)["summary"] = text

    edit_records(fixtures, "claims", edit)


def _seed_of(fixtures: Path, seeds: Path, source_id: str) -> str:
    seed = next(s for s in read_records(fixtures, "sources") if s["id"] == source_id)["seed"]
    return (seeds / seed).read_text(encoding="utf-8")


def test_a_word_only_another_article_prints_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixtures, seeds = copy_inputs(tmp_path)
    cited = {c["evidence"]["source"] for c in read_records(fixtures, "citations") if c["claim"] == CLAIM}
    assert cited == {"asean-now-fragile-progress"}
    # "Tuesday" is printed by EconoTimes (seed 004) and not by the article the claim cites
    assert "Tuesday" in _seed_of(fixtures, seeds, "econotimes-talks-resume")
    assert "Tuesday" not in _seed_of(fixtures, seeds, "asean-now-fragile-progress")
    text = "Hassett said on Tuesday such a gesture could open the way to smaller matters."
    _summary(fixtures, text)
    code, out, err = _validate(fixtures, seeds, capsys)
    assert code == 1
    assert (
        f"{fixtures}/claims.json: record {CLAIM!r} field 'summary': weekday 'Tuesday' occurs in no seed: "
        f"{text!r}"
    ) in err
    assert "outside-knowledge check:" in out


def test_a_sentences_first_word_is_not_taken_for_a_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixtures, seeds = copy_inputs(tmp_path)
    assert all("how" not in p.read_text(encoding="utf-8").casefold().split() for p in seeds.glob("*.txt"))
    _summary(fixtures, "How such a gesture could open the way to smaller matters, Hassett said.")
    assert _validate(fixtures, seeds, capsys)[0] == 0
    # but a capitalised word inside the sentence is still a name
    _summary(fixtures, "Such a gesture, Hassett said, could open the way to smaller matters, How said.")
    code, _, err = _validate(fixtures, seeds, capsys)
    assert code == 1 and "name 'How' occurs in no seed" in err
