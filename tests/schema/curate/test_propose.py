"""`parley propose`: the drafting rules on small synthetic texts (each kind of quotation, each cue,
aliases, titles, unnamed speakers, new names), its records (anchored as `parley anchor` anchors,
refused by `parley validate` until a curator confirms them), its score, and its bad input.

Every expectation is computed from the synthetic text the test writes: no curated value here
(the recall figures on the real seeds are pinned in tests/curated/test_propose_recall.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from schema.curate.anchor import anchor_selector
from schema.curate.propose import Curated, Person, Proposal, draft_source, records, score
from schema.model.values import DRAFT_METHOD
from tests.datafiles import copy_inputs, edit_records, read_records
from tests.walkthrough import parley

SOURCE = "example-source"
PEOPLE = [
    Person("ana-lima", "Ana Lima", True, ("Ana Lima", "Lima"), ("spokesperson",), frozenset({SOURCE})),
    Person("rui-costa", "Rui Costa", True, ("Rui Costa", "Costa"), ("Finance Minister",), frozenset()),
    Person("analysts-here", "Analysts (here)", False, ("analysts",), (), frozenset({SOURCE})),
    Person("analysts-elsewhere", "Analysts (elsewhere)", False, ("analysts",), (), frozenset({"other"})),
]


def _draft(text: str) -> Proposal:
    return draft_source(text, SOURCE, "000_example.txt", PEOPLE)


def _found(text: str) -> list[tuple[str, str, str, str | None]]:
    """(mode, speaker, evidence words, cue words) of each draft."""
    proposal = _draft(text)
    return [
        (d.mode, d.speaker, text[d.start : d.end], text[d.cue[0] : d.cue[1]] if d.cue else None)
        for d in proposal.drafts
    ]


# ---------------------------------------------------------------- quotations


@pytest.mark.parametrize(("opening", "closing"), [("\u201c", "\u201d"), ('"', '"')])
def test_a_wholly_quoted_sentence_is_direct_with_its_attribution(opening: str, closing: str) -> None:
    words = "We made good progress today,"
    text = f"Talks went on.\n\n{opening}{words}{closing} said Ana Lima, a spokesperson.\n"
    assert _found(text) == [("direct", "ana-lima", words, "said")]


def test_a_quotation_of_two_sentences_is_two_drafts_and_a_quotation_without_attribution_continues() -> None:
    first, second, third = "We are close.", "It is not easy,", "I expect a deal."
    text = f"\u201c{first} {second}\u201d Costa told reporters on Friday. \u201c{third}\u201d\n"
    assert _found(text) == [
        ("direct", "rui-costa", first, "told reporters"),
        ("direct", "rui-costa", second, "told reporters"),
        ("direct", "rui-costa", third, "told reporters"),
    ]


def test_an_attribution_before_the_quotation_is_read_too() -> None:
    words = "The rules will change."
    assert _found(f"Costa said: \u201c{words}\u201d\n") == [("direct", "rui-costa", words, "said")]


def test_a_quotation_interrupted_by_its_attribution_is_one_draft_across_the_interruption() -> None:
    words = 'Our hope is that after the meeting," Lima said, "the rules will be eased.'
    text = f'"{words}"\n'
    assert _found(text) == [("direct", "ana-lima", words, "said")]


def test_a_nested_quotation_stays_inside_the_outer_one() -> None:
    words = "Exports have slowed since the \u2018Example Day\u2019 tariffs,"
    text = f"\u201c{words}\u201d noted Rui Costa.\n"
    assert _found(text) == [("direct", "rui-costa", words, "noted")]


def test_a_quoted_fragment_in_reported_speech_is_partial() -> None:
    text = (
        'Finance Minister Rui Costa said it was a "good meeting," '
        'while Ana Lima called the talks "fruitful."\n'
    )
    assert _found(text) == [
        ("partial", "rui-costa", 'it was a "good meeting,"', "said"),
        ("partial", "ana-lima", 'the talks "fruitful."', "called"),
    ]


def test_a_clause_that_is_only_a_quotation_is_cited_by_its_words() -> None:
    text = 'Costa said he heard "good reports" but added that "it is not easy."\n'
    assert _found(text) == [
        ("partial", "rui-costa", 'he heard "good reports"', "said"),
        ("partial", "rui-costa", "it is not easy.", "added"),
    ]


# ---------------------------------------------------------------- cues


@pytest.mark.parametrize(
    "cue", ["said", "told reporters", "noted", "warned", "confirmed", "stated", "revealed", "added"]
)
def test_each_clause_cue_drafts_a_paraphrase_of_what_follows(cue: str) -> None:
    clause = "the rules would be eased within a month"
    text = f"On Friday, Rui Costa {cue} that {clause}.\n"
    assert _found(text) == [("paraphrase", "rui-costa", clause, cue)]


def test_according_to_before_and_after_the_clause() -> None:
    clause = "the talks will go on"
    before = f"According to Costa, {clause}.\n"
    after = f"{clause.capitalize()}, according to Costa.\n"
    assert _found(before) == [("paraphrase", "rui-costa", clause, "According to Costa")]
    assert _found(after) == [("paraphrase", "rui-costa", clause.capitalize(), "according to Costa")]


def test_described_as_and_a_second_verb_of_the_same_speaker() -> None:
    text = "Lima described the talks as positive and confirmed that a draft would follow.\n"
    assert _found(text) == [
        ("paraphrase", "ana-lima", "the talks as positive", "described"),
        ("paraphrase", "ana-lima", "a draft would follow", "confirmed"),
    ]


def test_an_accusation_is_cited_with_its_subject() -> None:
    words = "Costa accused the other side of breaking the deal"
    assert _found(f"Last week, {words}.\n") == [("paraphrase", "rui-costa", words, "accused")]


def test_a_pronoun_speaks_for_the_speaker_before_it() -> None:
    text = (
        "\u201cWe are ready,\u201d said Ana Lima. She added that a deal was near, "
        "highlighting the progress made.\n"
    )
    assert _found(text) == [
        ("direct", "ana-lima", "We are ready,", "said"),
        ("paraphrase", "ana-lima", "a deal was near", "She added"),
    ]


def test_no_speaker_no_draft_and_a_possessive_is_not_a_speaker() -> None:
    text = "Costa's remarks suggest the rules may change. The delay indicates that nobody is ready.\n"
    assert _found(text) == []


# ---------------------------------------------------------------- speakers


def test_a_title_only_one_person_holds_names_them() -> None:
    text = "The Finance Minister said that the budget was fixed.\n"
    assert _found(text) == [("paraphrase", "rui-costa", "the budget was fixed", "said")]


def test_an_unnamed_speaker_is_the_record_of_this_source_and_a_new_one_is_proposed() -> None:
    text = "Analysts warn that the deal is fragile. Sources close to the talks revealed that a draft exists."
    proposal = _draft(text)
    speakers = [d.speaker for d in proposal.drafts]
    assert speakers[0] == "analysts-here"  # not the analysts of another source
    assert speakers[1] == f"sources-close-to-the-talks-{SOURCE}"
    people = records(proposal)["people"]
    assert [(p["id"], p["name"], p["named"]) for p in people] == [
        (f"sources-close-to-the-talks-{SOURCE}", "Sources close to the talks", False)
    ]


def test_a_new_capitalised_name_is_proposed_as_a_person_with_its_title_left_out() -> None:
    text = "\u201cWe will sign,\u201d said Deputy Minister Maria Sousa.\n"
    proposal = _draft(text)
    assert [d.speaker for d in proposal.drafts] == ["maria-sousa"]
    (person,) = records(proposal)["people"]
    assert (person["name"], person["named"], person["kind"]) == ("Maria Sousa", True, "individual")
    assert person["aliases"][0]["evidence"][0]["exact"] == "Maria Sousa"


# ---------------------------------------------------------------- records


def test_records_are_fixture_records_anchored_as_parley_anchor_anchors_them() -> None:
    text = "Costa said that the rules would be eased. Later, Costa said that the rules would be eased.\n"
    proposal = _draft(text)
    drafted = records(proposal, taken_ids=["rui-costa-the-rules-would-be-eased"])
    claims, citations = drafted["claims"], drafted["citations"]
    assert len({c["id"] for c in claims}) == 2 and "rui-costa-the-rules-would-be-eased" not in {
        c["id"] for c in claims
    }
    for citation, draft in zip(citations, proposal.drafts, strict=True):
        evidence = citation["evidence"]
        assert (evidence["start"], evidence["end"]) == (draft.start, draft.end)  # the second occurrence too
        assert anchor_selector(evidence, text) == (evidence, None)  # `parley anchor` would change nothing
        assert citation["verification"]["methods"] == [DRAFT_METHOD]
    assert [c["claim"] for c in citations] == [c["id"] for c in claims]


def test_score_pairs_drafts_one_to_one_and_counts_false_drafts() -> None:
    text = "Costa said that the rules would be eased. Lima warned that prices would rise.\n"
    proposal = _draft(text)
    first, second = proposal.drafts
    curated = [
        Curated("a", first.start, first.end, "rui-costa", "paraphrase"),  # all right
        Curated("b", second.start + 7, second.end, "rui-costa", "partial"),  # inside it; wrong speaker, mode
        Curated("c", 0, 5, "rui-costa", "paraphrase"),  # no draft overlaps it
    ]
    result = score(proposal, curated)
    assert (result.paired, result.spans_exact, result.spans, result.speakers, result.modes) == (2, 1, 2, 1, 1)
    assert (result.all_right, result.false_drafts, result.missed) == (1, 0, ["c"])
    assert score(proposal, curated[:1]).false_drafts == 1


# ---------------------------------------------------------------- the command


ARTICLE = (
    "Ministers meet again\n\n"
    "\u201cWe made good progress today,\u201d said Kathleen Brooks, in an example sentence.\n"
)


def _with_article(tmp_path: Path) -> tuple[Path, str]:
    """A copy of the data with a synthetic article added by `parley add-source`; (root, source id)."""
    copy_inputs(tmp_path)
    (tmp_path / "article.txt").write_text(ARTICLE, encoding="utf-8")
    added = parley("parley add-source article.txt --id example-article", tmp_path)
    assert added.returncode == 0, added.stderr
    return tmp_path, "example-article"


def test_the_command_prints_a_review_list_and_json_records(tmp_path: Path) -> None:
    root, source_id = _with_article(tmp_path)
    review = parley(f"parley propose {source_id}", root)
    assert review.returncode == 0, review.stderr
    assert "We made good progress today," in review.stdout and "kathleen-brooks" in review.stdout
    as_json = parley(f"parley propose {source_id} --json", root)
    drafted = json.loads(as_json.stdout)
    assert set(drafted) == {"claims", "citations", "people"}
    (citation,) = drafted["citations"]
    assert (citation["mode"], citation["evidence"]["exact"]) == ("direct", "We made good progress today,")
    assert drafted["claims"][0]["speaker"] == "kathleen-brooks"  # a known person, by alias


def test_validate_refuses_a_draft_until_a_curator_confirms_it(tmp_path: Path) -> None:
    root, source_id = _with_article(tmp_path)
    drafted = json.loads(parley(f"parley propose {source_id} --json", root).stdout)
    fixtures = root / "fixtures"
    edit_records(fixtures, "claims", lambda records: records.extend(drafted["claims"]))
    edit_records(fixtures, "citations", lambda records: records.extend(drafted["citations"]))
    assert parley("parley anchor", root).returncode == 0  # anchored already: only datapackage.json changes
    refused = parley("parley validate", root)
    assert refused.returncode == 1
    claim_id = drafted["claims"][0]["id"]
    assert f"claims.json: record '{claim_id}' field 'verification.methods': " in refused.stderr
    assert DRAFT_METHOD in refused.stderr and "Traceback" not in refused.stderr

    def confirm(records: list[dict[str, object]]) -> None:
        for record in records:
            if record["id"] in {claim_id, drafted["citations"][0]["id"]}:
                record["verification"] = {"by": "curator", "on": "2026-12-01", "methods": ["read-in-context"]}
            if record["id"] == claim_id:
                record["summary"] = "Brooks said good progress was made today."

    edit_records(fixtures, "claims", confirm)
    edit_records(fixtures, "citations", confirm)
    assert parley("parley anchor", root).returncode == 0
    confirmed = parley("parley validate", root)
    assert confirmed.returncode == 0, confirmed.stderr
    assert [r["id"] for r in read_records(fixtures, "claims")][-1] == claim_id


def test_score_prints_a_table_with_every_source_and_a_total(tmp_path: Path) -> None:
    copy_inputs(tmp_path)
    result = parley("parley propose --score", tmp_path)
    assert result.returncode == 0, result.stderr
    rows = [line.split()[0] for line in result.stdout.splitlines()[1:-1]]
    assert rows == [*[s["id"] for s in read_records(tmp_path / "fixtures", "sources")], "total"]


def _no_traceback(result: subprocess.CompletedProcess[str], *words: str) -> None:
    stderr = result.stderr
    assert result.returncode != 0
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr
    for word in words:
        assert word in stderr, stderr


def test_an_unknown_source_id_is_one_message(tmp_path: Path) -> None:
    copy_inputs(tmp_path)
    _no_traceback(parley("parley propose no-such-source", tmp_path), "sources.json", "'no-such-source'")


def test_a_missing_seed_file_is_one_message(tmp_path: Path) -> None:
    fixtures, seeds = copy_inputs(tmp_path)
    source = read_records(fixtures, "sources")[0]
    (seeds / source["seed"]).unlink()
    _no_traceback(parley(f"parley propose {source['id']}", tmp_path), source["seed"], "missing", "'seed'")


@pytest.mark.parametrize("stem", ["sources", "people", "claims", "citations"])
def test_malformed_fixtures_json_is_one_message(tmp_path: Path, stem: str) -> None:
    fixtures, _ = copy_inputs(tmp_path)
    source_id = read_records(fixtures, "sources")[0]["id"]
    (fixtures / f"{stem}.json").write_text('[{"id": ', encoding="utf-8")
    _no_traceback(parley(f"parley propose {source_id}", tmp_path), f"{stem}.json", "not valid JSON")


def test_the_command_has_help_naming_its_options(tmp_path: Path) -> None:
    result = parley("parley propose --help", tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("usage: parley propose")
    for flag in ("SOURCE_ID", "--json", "--score", "--fixtures", "--seeds"):
        assert flag in result.stdout


def test_without_a_source_id_it_says_what_is_missing(tmp_path: Path) -> None:
    copy_inputs(tmp_path)
    _no_traceback(parley("parley propose", tmp_path), "SOURCE_ID is required")
