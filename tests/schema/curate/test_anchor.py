"""`parley anchor`: selectors computed from source + exact, ambiguity refused, the Greer fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from schema.commands import anchor, validate
from schema.load.loader import load_dataset, selector_count
from tests.datafiles import FIXTURES, SEEDS, copy_fixtures, edit_records, read_records

ASEAN = "asean-now-fragile-progress"


def _greer_title(records: list[dict[str, Any]]) -> dict[str, Any]:
    greer = next(r for r in records if r["id"] == "london-2025--jamieson-greer")
    citation: dict[str, Any] = greer["titles"][0]["citations"][0]
    return citation


def test_the_real_fixtures_are_already_anchored(capsys: pytest.CaptureFixture[str]) -> None:
    assert anchor(["--check", "--fixtures", str(FIXTURES), "--seeds", str(SEEDS)]) == 0
    count = selector_count(load_dataset(FIXTURES, SEEDS))
    assert f"{count} selectors anchored, 0 would change" in capsys.readouterr().out


def test_words_alone_are_anchored_and_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fixtures = copy_fixtures(tmp_path)
    before = read_records(fixtures, "citations")

    def strip(records: list[dict[str, Any]]) -> None:
        for key in ("prefix", "suffix", "start", "end"):
            del records[0]["evidence"][key]  # "We are doing well with China." occurs once

    edit_records(fixtures, "citations", strip)
    args = ["--fixtures", str(fixtures), "--seeds", str(SEEDS)]
    assert anchor(args) == 0
    out = capsys.readouterr().out
    assert "changed 1 selector" in out
    assert "wrote" not in out  # the file is byte for byte the original again, so is datapackage.json
    assert read_records(fixtures, "citations") == before
    assert validate(args) == 0


def test_an_ambiguous_exact_is_refused_naming_record_field_and_every_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixtures = copy_fixtures(tmp_path)

    def strip(records: list[dict[str, Any]]) -> None:
        for key in ("prefix", "suffix", "start", "end"):
            del _greer_title(records)[key]

    edit_records(fixtures, "delegates", strip)
    written = (fixtures / "delegates.json").read_bytes()
    assert anchor(["--fixtures", str(fixtures), "--seeds", str(SEEDS)]) == 1
    err = capsys.readouterr().err
    assert "record 'london-2025--jamieson-greer' field 'titles[0].citations[0]'" in err
    assert "exact occurs 2 times" in err
    assert "[727:747]" in err and "China International [Trade Representative] Li Chenggang" in err
    assert "[872:892]" in err and "and [Trade Representative] Jamieson Greer" in err
    assert (fixtures / "delegates.json").read_bytes() == written  # nothing written


def _greer_title_to_anchor(tmp_path: Path, given: dict[str, Any]) -> Path:
    """Copies the fixtures with Greer's title's selector reduced to its words plus `given` (a hint,
    or a change to test); returns the copy's fixtures folder."""
    fixtures = copy_fixtures(tmp_path)

    def rewrite(records: list[dict[str, Any]]) -> None:
        citation = _greer_title(records)
        for key in ("prefix", "suffix", "start", "end"):
            del citation[key]
        citation.update(given)

    edit_records(fixtures, "delegates", rewrite)
    return fixtures


@pytest.mark.parametrize(
    ("hint", "start"),
    [({"occurrence": 2}, 872), ({"prefix": "and "}, 872), ({"occurrence": 1}, 727), ({"suffix": " Li"}, 727)],
)
def test_a_hint_or_occurrence_disambiguates(tmp_path: Path, hint: dict[str, Any], start: int) -> None:
    fixtures = _greer_title_to_anchor(tmp_path, hint)
    assert anchor(["--fixtures", str(fixtures), "--seeds", str(SEEDS)]) == 0
    citation = _greer_title(read_records(fixtures, "delegates"))
    assert (citation["start"], citation["end"]) == (start, start + len("Trade Representative"))
    assert "occurrence" not in citation
    assert list(citation) == ["source", "exact", "prefix", "suffix", "start", "end"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"exact": "Trade Representatives"}, "does not occur in the seed text"),
        ({"occurrence": 3}, "occurrence 3 asked for, but exact occurs 2 time(s)"),
        ({"occurrence": 0}, "occurrence must be a whole number >= 1"),
        ({"prefix": "the "}, 'the prefix hint "the " matches none of the 2 occurrence(s)'),
        ({"source": "no-such-source"}, "unknown source 'no-such-source'"),
    ],
)
def test_bad_selectors_get_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict[str, Any], message: str
) -> None:
    fixtures = _greer_title_to_anchor(tmp_path, change)
    assert anchor(["--fixtures", str(fixtures), "--seeds", str(SEEDS)]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_greers_title_and_affiliation_cite_his_own_sentence() -> None:
    dataset = load_dataset(FIXTURES, SEEDS)
    text = dataset.seed_texts[ASEAN]
    title = dataset.delegates["london-2025--jamieson-greer"].titles[0].citations[0]
    affiliation = dataset.people["jamieson-greer"].affiliations[0].evidence[0]
    for evidence in (title, affiliation):
        assert evidence.source == ASEAN
        assert (evidence.start, evidence.end) == (872, 892)
        assert text[evidence.start - 4 : evidence.end + 15] == "and Trade Representative Jamieson Greer"


def test_validate_before_anchor_says_to_run_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fixtures = copy_fixtures(tmp_path)

    def unanchored(records: list[dict[str, Any]]) -> None:
        evidence = records[0]["evidence"]
        for key in ("prefix", "suffix", "start", "end"):
            del evidence[key]
        evidence["occurrence"] = 1

    edit_records(fixtures, "citations", unanchored)
    assert validate(["--fixtures", str(fixtures), "--seeds", str(SEEDS)]) == 1
    err = capsys.readouterr().err
    assert "field 'evidence.start': Field required (write source and exact, then run: parley anchor)" in err
    assert "field 'evidence.occurrence': Extra inputs are not permitted (an anchoring hint" in err
    assert anchor(["--fixtures", str(fixtures), "--seeds", str(SEEDS)]) == 0
    assert validate(["--fixtures", str(fixtures), "--seeds", str(SEEDS)]) == 0
