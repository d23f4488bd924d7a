"""The outside-knowledge check in `parley validate`: curator texts bring in no name, number or date."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from schema.commands import validate
from schema.curate.knowledge import Allowed, knowledge_check, read_vocabulary
from schema.curate.settings import VOCABULARY, setting
from schema.load.loader import load_dataset
from schema.publish.generate import refresh_datapackage
from tests.datafiles import FIXTURES, SEEDS, copy_fixtures, edit_records


def _run(fixtures: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    refresh_datapackage(fixtures, SEEDS)
    code = validate(["--fixtures", str(fixtures), "--seeds", str(SEEDS), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_real_fixtures_say_nothing_the_seeds_do_not() -> None:
    vocabulary = read_vocabulary(setting(FIXTURES, VOCABULARY))
    report = knowledge_check(load_dataset(FIXTURES, SEEDS), vocabulary)
    assert report.findings == []
    assert report.unused == []
    assert report.texts > 100
    assert len(vocabulary) <= 12  # short, and every entry reviewed: each has a reason
    assert all(len(entry.reason) > 20 for entry in vocabulary)


def _set_claim(records: list[dict[str, Any]], claim_id: str, key: str, value: str) -> None:
    claim = next(r for r in records if r["id"] == claim_id)
    if key == "said_on.note":
        claim["said_on"]["note"] = value
    else:
        claim[key] = value


@pytest.mark.parametrize(
    ("key", "text", "kind", "word"),
    [
        (
            "said_on.note",
            "ASEAN Now, dated Wednesday 2025-06-11, says Trump spoke 'on Monday': 9 June 2025.",
            "weekday",
            "Wednesday",
        ),
        ("summary", "Trump said the US is doing well with China, as Biden did.", "name", "Biden"),
        ("summary", "Trump said the US is doing well with China, 146 times.", "number", "146"),
        ("summary", "Trump said in March the US is doing well with China.", "month", "March"),
        ("summary", "Trump said the US is doing well with China, four times.", "number word", "four"),
    ],
)
def test_a_word_from_outside_the_seeds_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str, text: str, kind: str, word: str
) -> None:
    fixtures = copy_fixtures(tmp_path)
    edit_records(
        fixtures, "claims", lambda records: _set_claim(records, "trump-doing-well-with-china", key, text)
    )
    code, out, err = _run(fixtures, capsys)
    assert code == 1
    assert "1 findings" in out
    assert (
        f"{fixtures}/claims.json: record 'trump-doing-well-with-china' field '{key}': {kind} {word!r} "
        f"occurs in no seed: {text!r}"
    ) in err


def test_words_the_seeds_print_pass_however_they_are_cased(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixtures = copy_fixtures(tmp_path)
    text = "Reports say Lutnick's talks may run on Tuesday, 10 June, past 55% and the May truce."
    edit_records(
        fixtures,
        "claims",
        lambda records: _set_claim(records, "trump-doing-well-with-china", "summary", text),
    )
    assert _run(fixtures, capsys)[0] == 0


def test_a_stale_vocabulary_entry_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vocabulary = [entry.model_dump() for entry in read_vocabulary(setting(FIXTURES, VOCABULARY))]
    vocabulary.append(Allowed(word="Zanzibar", reason="never used by any text here").model_dump())
    path = tmp_path / "vocabulary.json"
    path.write_text(json.dumps(vocabulary), encoding="utf-8")
    code, _, err = _run(copy_fixtures(tmp_path), capsys, "--vocabulary", str(path))
    assert code == 0  # a warning: the data is fine, the list wants pruning (the test above keeps it pruned)
    assert "STALE vocabulary entry 'Zanzibar': no text needs it (remove it)" in err


def test_a_malformed_vocabulary_is_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "vocabulary.json"
    path.write_text('[{"word": "x"}]', encoding="utf-8")
    code, _, err = _run(copy_fixtures(tmp_path), capsys, "--vocabulary", str(path))
    assert code == 1
    assert "cannot read the vocabulary" in err and "reason" in err and "Traceback" not in err
