"""The anchoring lint in `parley validate`: evidence must lie where the seed names its person."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from api.synth.generator import generate, write
from schema.commands import validate
from schema.curate.knowledge import knowledge_check
from schema.curate.lint import anchoring_lint
from schema.load.loader import load_dataset, selector_count
from schema.load.selectors import make_evidence
from schema.publish.generate import refresh_datapackage
from schema.text.sentences import split_sentences
from tests.datafiles import FIXTURES, SEEDS, copy_fixtures, edit_records, read_records

ASEAN = "asean-now-fragile-progress"
ASEAN_TEXT = (SEEDS / "001_da4a70c692c9a507.txt").read_text(encoding="utf-8")
# Where tools/curate.py used to anchor Greer's title: inside "China International Trade Representative".
CORRUPT_GREER = {
    "source": ASEAN,
    "exact": "Trade Representative",
    "prefix": " Wentao and China International ",
    "suffix": " Li Chenggang. The United States",
    "start": 727,
    "end": 747,
}


def _validate(fixtures: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    refresh_datapackage(fixtures, SEEDS)
    code = validate(["--fixtures", str(fixtures), "--seeds", str(SEEDS)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_sentences_keep_abbreviations_and_split_quotes() -> None:
    text = (
        "U.S. Commerce Secretary Howard Lutnick noted it. Sgt. Mikki took it.\n"
        "\u201cWe are well. Not easy,\u201d he said."
    )
    assert [s.text for s in split_sentences(text)] == [
        "U.S. Commerce Secretary Howard Lutnick noted it.",
        "Sgt. Mikki took it.",
        "\u201cWe are well.",
        "Not easy,\u201d he said.",
    ]
    for sentence in split_sentences(text):
        assert text[sentence.start : sentence.end] == sentence.text


def _person_spans_in_the_files() -> int:
    """Selectors the lint places, counted in the JSON: people's alias and affiliation evidence,
    delegates' title, seat and lead evidence, and every citation's evidence and cue."""
    people, delegates = read_records(FIXTURES, "people"), read_records(FIXTURES, "delegates")
    return (
        sum(len(part["evidence"]) for p in people for part in [*p["aliases"], *p["affiliations"]])
        + sum(len(t["citations"]) for d in delegates for t in d["titles"])
        + sum(len(d["seat_evidence"]) + len(d["lead_evidence"] or []) for d in delegates)
        + sum(1 + (c.get("cue") is not None) for c in read_records(FIXTURES, "citations"))
    )


def test_the_real_fixtures_pass_with_their_two_reasoned_exceptions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = anchoring_lint(load_dataset(FIXTURES, SEEDS))
    assert report.findings == []
    assert report.checked == _person_spans_in_the_files()
    assert [(record, path) for record, path, _ in report.excused] == [
        ("china-accuses-us-of-breaching-geneva-truce--caliber", "cue"),
        ("china-accuses-us-of-breaching-geneva-truce--caliber", "evidence"),
    ]
    assert validate(["--fixtures", str(FIXTURES), "--seeds", str(SEEDS)]) == 0
    spans = _person_spans_in_the_files()
    assert f"anchoring lint: {spans} spans checked, 2 excused by a reasoned exception, 0 findings" in (
        capsys.readouterr().out
    )


def test_greers_title_moved_back_to_727_fails_naming_the_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixtures = copy_fixtures(tmp_path)

    def corrupt(records: list[dict[str, Any]]) -> None:
        greer = next(r for r in records if r["id"] == "london-2025--jamieson-greer")
        greer["titles"][0]["citations"][0] = dict(CORRUPT_GREER)

    edit_records(fixtures, "delegates", corrupt)
    code, out, err = _validate(fixtures, capsys)
    assert code == 1
    count = selector_count(load_dataset(FIXTURES, SEEDS))
    assert f"{count} selectors verified" in out  # the selector itself is valid: only the lint sees it
    assert "1 findings" in out
    assert (
        f"{fixtures}/delegates.json: record 'london-2025--jamieson-greer' field 'titles[0].citations[0]': "
        "lies in no sentence that names Jamieson Greer: 'Heading the Chinese delegation once again was "
        "Vice Premier He Lifeng, supported by Commerce Minister Wang Wentao and China International Trade "
        "Representative Li Chenggang.'"
    ) in err


def test_the_same_corruption_in_people_json_is_found_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixtures = copy_fixtures(tmp_path)

    def corrupt(records: list[dict[str, Any]]) -> None:
        greer = next(r for r in records if r["id"] == "jamieson-greer")
        greer["affiliations"][0]["evidence"][0] = dict(CORRUPT_GREER)

    edit_records(fixtures, "people", corrupt)
    code, _, err = _validate(fixtures, capsys)
    assert code == 1
    assert "record 'jamieson-greer' field 'affiliations[0].evidence[0]'" in err


def _move_hassett_quote_to_brooks(records: list[dict[str, Any]], note: str | None) -> None:
    citation = next(r for r in records if r["id"] == "hassett-gesture-smaller-matters--asean-now")
    exact = "essential components for a wide range of high-tech products"
    citation["evidence"] = make_evidence(ASEAN, ASEAN_TEXT, exact).model_dump(mode="json")
    if note is not None:
        citation["notes"].append({"field": "evidence", "note": note})


def test_a_citation_away_from_its_speaker_is_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixtures = copy_fixtures(tmp_path)
    edit_records(fixtures, "citations", lambda records: _move_hassett_quote_to_brooks(records, None))
    code, _, err = _validate(fixtures, capsys)
    assert code == 1
    assert "record 'hassett-gesture-smaller-matters--asean-now' field 'evidence'" in err
    assert "names Kevin Hassett" in err and "A particularly contentious issue" in err
    assert "field 'cue'" not in err  # "He added" still follows the sentence that names Hassett


@pytest.mark.parametrize(
    ("note", "findings"),
    [
        ("Anchoring exception:", 1),
        ("Anchoring exception: a reason given here.", 0),
        ("a reason, no marker", 1),
    ],
)
def test_only_a_reasoned_exception_excuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], note: str, findings: int
) -> None:
    """The anchoring lint's own count (the meaning checks refuse the moved span too, as a partial
    quote with no quotation in it: tests/schema/curate/test_meaning.py)."""
    fixtures = copy_fixtures(tmp_path)
    edit_records(fixtures, "citations", lambda records: _move_hassett_quote_to_brooks(records, note))
    out = _validate(fixtures, capsys)[1]
    line = next(line for line in out.splitlines() if line.startswith("anchoring lint:"))
    assert line.endswith(f", {findings} findings")


def test_both_lints_pass_on_synthetic_data_they_were_not_tuned_on(tmp_path: Path) -> None:
    write(generate(200), tmp_path)
    dataset = load_dataset(tmp_path / "fixtures", tmp_path / "seeds")
    lint = anchoring_lint(dataset)
    assert lint.checked > 500
    assert lint.findings == []
    assert knowledge_check(dataset, []).findings == []  # no vocabulary needed there
