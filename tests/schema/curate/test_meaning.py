"""The checks that read meaning in `parley validate`: each rule refuses one deliberate mistake made
in a temporary copy of the real data, naming file, record and field and quoting the sentence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from schema.commands import validate
from schema.curate.meaning import meaning_check, read_exceptions, read_topics
from schema.curate.settings import MEANING, TOPICS, setting
from schema.load.loader import load_dataset
from schema.publish.generate import refresh_datapackage
from schema.text.sentences import SentenceIndex
from tests.datafiles import FIXTURES, SEEDS, copy_inputs, edit_records, read_records


def _validate(fixtures: Path, seeds: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    refresh_datapackage(fixtures, seeds)
    code = validate(["--fixtures", str(fixtures), "--seeds", str(seeds)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _record(records: list[dict[str, Any]], record_id: str) -> dict[str, Any]:
    return next(r for r in records if r["id"] == record_id)


def _sentence(seeds: Path, source_id: str, start: int, end: int) -> str:
    """The seed sentences a span overlaps, as the refusal quotes them (computed, not written down)."""
    seed = _record(read_records(FIXTURES, "sources"), source_id)["seed"]
    index = SentenceIndex((seeds / seed).read_text(encoding="utf-8"))
    return " ".join(index.sentences[i].text for i in index.overlapping(start, end))


def _meaning_line(out: str) -> str:
    return next(line for line in out.splitlines() if line.startswith("meaning checks:"))


def test_the_real_data_passes_with_its_reasoned_exceptions(capsys: pytest.CaptureFixture[str]) -> None:
    exceptions = read_exceptions(setting(FIXTURES, MEANING))
    report = meaning_check(load_dataset(FIXTURES, SEEDS), read_topics(setting(FIXTURES, TOPICS)), exceptions)
    assert report.findings == []
    assert report.unused == []
    assert sorted((r.rule, r.record, r.field) for r, _ in report.excused) == sorted(
        (e.rule, e.record, e.field) for e in exceptions
    )
    assert all(len(e.reason) > 40 for e in exceptions)
    # every citation's mode and speaker, every date, summary, outcome/status/variant and topic
    citations, claims = read_records(FIXTURES, "citations"), read_records(FIXTURES, "claims")
    negotiations, discrepancies = (
        read_records(FIXTURES, "negotiations"),
        read_records(FIXTURES, "discrepancies"),
    )
    dates = sum(
        1
        for stem in ("sources", "negotiations", "claims")
        for record in read_records(FIXTURES, stem)
        for key in ("published_on", "start_on", "end_on", "said_on")
        if record.get(key)
    )
    facts = sum(len(n.get("outcome") or []) + len(n.get("status") or []) for n in negotiations) + sum(
        len(d["variants"]) for d in discrepancies
    )
    expected = 2 * len(citations) + dates + len(claims) + facts + sum(len(c["topics"]) for c in claims)
    assert report.checked == expected
    assert validate(["--fixtures", str(FIXTURES), "--seeds", str(SEEDS)]) == 0
    assert _meaning_line(capsys.readouterr().out) == (
        f"meaning checks: {expected} fields checked, {len(exceptions)} excused by a reasoned exception, "
        "0 findings"
    )


@pytest.mark.parametrize(
    ("citation_id", "mode", "problem"),
    [
        (  # a paraphrase marked direct
            "lutnick-talks-progressing-may-extend--cnews",
            "direct",
            "'direct' evidence must lie inside quotation marks in the seed",
        ),
        (  # a paraphrase marked partial: no quotation in it
            "li-talks-positive--econotimes",
            "partial",
            "'partial' evidence must hold a quotation",
        ),
        (  # a quotation marked paraphrase
            "trump-doing-well-with-china--asean-now",
            "paraphrase",
            "'paraphrase' evidence is wholly a quotation (mode 'direct'?)",
        ),
    ],
)
def test_a_mode_the_quotation_marks_contradict_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], citation_id: str, mode: str, problem: str
) -> None:
    fixtures, seeds = copy_inputs(tmp_path)
    records = edit_records(
        fixtures, "citations", lambda rs: _record(rs, citation_id).__setitem__("mode", mode)
    )
    evidence = _record(records, citation_id)["evidence"]
    code, out, err = _validate(fixtures, seeds, capsys)
    assert code == 1
    assert _meaning_line(out).endswith(" 1 findings")
    sentence = _sentence(seeds, evidence["source"], evidence["start"], evidence["end"])
    assert (
        f"{fixtures}/citations.json: record {citation_id!r} field 'evidence': [mode] {problem}: {sentence!r}"
        in err
    )


def test_an_interrupted_quotation_is_direct_and_a_partial_quote_holds_one() -> None:
    """The real data's Hassett quotation (split by '," Hassett said, "') passes as direct, and every
    partial citation passes; the test above shows the same rule refusing."""
    citations = {c["id"]: c for c in read_records(FIXTURES, "citations")}
    hassett = citations["hassett-export-controls-eased-after-handshake--asean-now"]
    assert hassett["mode"] == "direct" and '," Hassett said, "' in hassett["evidence"]["exact"]
    assert any(c["mode"] == "partial" for c in citations.values())
    report = meaning_check(load_dataset(FIXTURES, SEEDS), read_topics(setting(FIXTURES, TOPICS)), [])
    assert not [r for r in report.findings if r.rule == "mode"]


def test_a_speaker_named_only_in_the_neighbouring_sentence_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Lutnick's partial quote "fruitful" given to Trump, whom the next sentence names: the anchoring
    lint accepts a neighbour, this rule does not."""
    fixtures, seeds = copy_inputs(tmp_path)
    edit_records(
        fixtures,
        "claims",
        lambda rs: _record(rs, "lutnick-negotiations-fruitful").__setitem__("speaker", "donald-trump"),
    )
    citation = _record(read_records(fixtures, "citations"), "lutnick-negotiations-fruitful--caliber")
    evidence = citation["evidence"]
    code, out, err = _validate(fixtures, seeds, capsys)
    assert code == 1
    assert "anchoring lint:" in out and ", 0 findings" in next(
        line for line in out.splitlines() if line.startswith("anchoring lint:")
    )
    sentence = _sentence(seeds, evidence["source"], evidence["start"], evidence["end"])
    assert (
        f"{fixtures}/citations.json: record 'lutnick-negotiations-fruitful--caliber' field 'evidence': "
        "[speaker] neither the sentence holding the evidence nor the one holding the cue names the speaker "
        f"Donald Trump: {sentence!r}"
    ) in err


def test_a_pronoun_needs_a_reasoned_exception(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without its exception, Hassett's "He added ..." is refused; the exception is what lets it pass."""
    fixtures, seeds = copy_inputs(tmp_path)
    path = setting(fixtures, MEANING)
    entries = json.loads(path.read_text(encoding="utf-8"))
    kept = [e for e in entries if e["record"] != "hassett-gesture-smaller-matters--asean-now"]
    assert len(kept) == len(entries) - 1
    path.write_text(json.dumps(kept), encoding="utf-8")
    code, out, err = _validate(fixtures, seeds, capsys)
    assert code == 1
    assert _meaning_line(out).endswith(f"{len(kept)} excused by a reasoned exception, 1 findings")
    assert "record 'hassett-gesture-smaller-matters--asean-now' field 'evidence': [speaker]" in err
    assert "'He added that such a gesture could pave the way" in err


@pytest.mark.parametrize(
    ("stem", "record_id", "key", "note", "missing"),
    [
        (  # a day precision resting on "on Monday", with no inference label
            "claims",
            "trump-doing-well-with-china",
            "said_on",
            "ASEAN Now, dated 2025-06-11, says Trump spoke 'on Monday'.",
            "day",
        ),
        (  # a month whose year comes from another article, unlabelled
            "negotiations",
            "geneva-2025",
            "start_on",
            "Caliber.Az says the truce was reached 'in mid-May in Geneva'; ASEAN Now is dated 2025-06-11.",
            "year",
        ),
    ],
)
def test_a_precision_its_evidence_does_not_print_needs_the_inference_label(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    stem: str,
    record_id: str,
    key: str,
    note: str,
    missing: str,
) -> None:
    fixtures, seeds = copy_inputs(tmp_path)
    records = edit_records(fixtures, stem, lambda rs: _record(rs, record_id)[key].__setitem__("note", note))
    date = _record(records, record_id)[key]
    code, _, err = _validate(fixtures, seeds, capsys)
    assert code == 1
    words = " | ".join(e["exact"] for e in date["evidence"])
    assert (
        f"{fixtures}/{stem}.json: record {record_id!r} field {key!r}: [precision] precision "
        f"{date['precision']!r} of {date['date']}: no one source's evidence prints the {missing}; the note "
        f"must say it is the curator's inference and how it was computed: {words!r}"
    ) in err
    # the same note with the label passes
    labelled = f"Curator's inference: {note}"
    edit_records(fixtures, stem, lambda rs: _record(rs, record_id)[key].__setitem__("note", labelled))
    assert _validate(fixtures, seeds, capsys)[0] == 0


def test_a_summary_that_drops_a_hedge_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fixtures, seeds = copy_inputs(tmp_path)
    summary = "Lutnick said the talks were progressing positively and would extend into a third day."
    edit_records(
        fixtures,
        "claims",
        lambda rs: _record(rs, "lutnick-talks-progressing-may-extend").__setitem__("summary", summary),
    )
    code, _, err = _validate(fixtures, seeds, capsys)
    assert code == 1
    assert (
        f"{fixtures}/claims.json: record 'lutnick-talks-progressing-may-extend' field 'summary': [hedge] the "
        "summary drops the hedge 'may', 'if required' its evidence carries ('the talks were progressing "
        f"positively and may extend into a third day if required'): {summary!r}"
    ) in err


def _set_variant(records: list[dict[str, Any]], value: str, note: str | None = None) -> None:
    record = _record(records, "london-talks-concluded")
    record["variants"][0]["value"] = value
    if note is not None:
        record["notes"].append({"field": "variants", "note": note})


def test_a_fact_inside_a_claim_must_say_who_said_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The audit's D4: "possibly into a third day" is Lutnick's remark; unattributed, it is refused;
    a note on the field that names him lets it pass."""
    fixtures, seeds = copy_inputs(tmp_path)
    value = (
        "Ongoing when written: in a second day, or set to continue into tomorrow; possibly into a third day"
    )
    edit_records(fixtures, "discrepancies", lambda rs: _set_variant(rs, value))
    code, _, err = _validate(fixtures, seeds, capsys)
    assert code == 1
    assert (
        f"{fixtures}/discrepancies.json: record 'london-talks-concluded' field 'variants[0]': [attribution] "
        "its evidence 'may extend into a third day if required' lies in what Howard Lutnick is cited as "
        f"saying; the value or a note on it must say who said it: {value!r}"
    ) in err
    edit_records(
        fixtures, "discrepancies", lambda rs: _set_variant(rs, value, "The third day is Lutnick's remark.")
    )
    assert _validate(fixtures, seeds, capsys)[0] == 0


def test_a_topic_not_declared_is_refused_unless_excused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixtures, seeds = copy_inputs(tmp_path)
    edit_records(
        fixtures,
        "claims",
        lambda rs: _record(rs, "li-talks-positive").__setitem__("topics", ["talk-progress"]),
    )
    code, out, err = _validate(fixtures, seeds, capsys)
    assert code == 1
    assert (
        f"{fixtures}/claims.json: record 'li-talks-positive' field 'topics[0]': [topic] topic "
        "'talk-progress' is not declared in curation/topics.json: 'Li described the talks as positive.'"
    ) in err
    path = setting(fixtures, MEANING)
    entries = json.loads(path.read_text(encoding="utf-8"))
    reason = "a deliberate test of the exception mechanism: the topic is kept as written"
    entries.append({"rule": "topic", "record": "li-talks-positive", "field": "topics[0]", "reason": reason})
    path.write_text(json.dumps(entries), encoding="utf-8")
    code, out, err = _validate(fixtures, seeds, capsys)
    assert code == 0
    assert _meaning_line(out).endswith(f"{len(entries)} excused by a reasoned exception, 0 findings")


def test_an_exception_that_excuses_nothing_is_a_warning_and_a_malformed_one_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixtures, seeds = copy_inputs(tmp_path)
    path = setting(fixtures, MEANING)
    entries = json.loads(path.read_text(encoding="utf-8"))
    stale = {
        "rule": "hedge",
        "record": "li-talks-positive",
        "field": "summary",
        "reason": "nothing to excuse",
    }
    path.write_text(json.dumps([*entries, stale]), encoding="utf-8")
    code, _, err = _validate(fixtures, seeds, capsys)
    assert code == 0
    assert "STALE exception (hedge, li-talks-positive, summary): it excuses no finding (remove it)" in err
    path.write_text(json.dumps([{**stale, "rule": "mood"}]), encoding="utf-8")
    code, _, err = _validate(fixtures, seeds, capsys)
    assert code == 1
    assert "cannot read the meaning checks' settings" in err and "mood" in err and "Traceback" not in err
