"""The loader on the real fixtures, and on corrupted copies of them (in process and through the CLI)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest

from schema.load.loader import FixtureError, Problem, load_dataset, selector_count
from schema.load.selectors import iter_evidence
from schema.model.dataset import FIXTURE_MODELS, Dataset
from tests.datafiles import FIXTURES, SEEDS, copy_fixtures, edit_records, read_records, run_schema

CITATION = "trump-doing-well-with-china--asean-now"
CLAIM = "trump-doing-well-with-china"


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return load_dataset(FIXTURES, SEEDS)


def problems_of(fixtures_dir: Path, seeds_dir: Path = SEEDS) -> list[Problem]:
    with pytest.raises(FixtureError) as caught:
        load_dataset(fixtures_dir, seeds_dir)
    return caught.value.problems


def find(problems: list[Problem], file: str, record: str, field: str) -> Problem:
    """Returns the one problem for that file name, record and field; fails listing all if there is none."""
    hits = [p for p in problems if Path(p.file).name == file and p.record == record and p.field == field]
    assert len(hits) == 1, "\n".join(map(str, problems))
    return hits[0]


def assert_cli_reports(fixtures_dir: Path, expected: str) -> None:
    result = run_schema("validate", "--fixtures", str(fixtures_dir), "--seeds", str(SEEDS))
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_real_fixtures_load_and_every_selector_verifies(dataset: Dataset) -> None:
    records = [r for stem in FIXTURE_MODELS for r in getattr(dataset, stem).values()]
    total = sum(1 for r in records for _ in iter_evidence(r))
    assert selector_count(dataset) == total
    assert total > 200
    assert set(dataset.counts()) == set(FIXTURE_MODELS)
    assert all(count > 0 for count in dataset.counts().values())


def test_every_reference_resolves(dataset: Dataset) -> None:
    for source in dataset.sources.values():
        assert source.outlet is None or source.outlet in dataset.outlets
        assert source.credit is None or source.credit.origin in dataset.outlets
    for negotiation in dataset.negotiations.values():
        assert set(negotiation.parties) <= set(dataset.parties)
        assert negotiation.predecessor is None or negotiation.predecessor in dataset.negotiations
    for delegate in dataset.delegates.values():
        assert delegate.person in dataset.people and delegate.party in dataset.parties
        assert delegate.negotiation in dataset.negotiations
    for citation in dataset.citations.values():
        assert citation.claim in dataset.claims
    for stem in FIXTURE_MODELS:
        for record in getattr(dataset, stem).values():
            assert {e.source for _, e in iter_evidence(record)} <= set(dataset.sources)


def test_every_claim_has_a_speaker_and_a_citation(dataset: Dataset) -> None:
    for claim in dataset.claims.values():
        assert claim.speaker in dataset.people
        assert claim.negotiation is None or claim.negotiation in dataset.negotiations
        assert len(dataset.citations_by_claim[claim.id]) >= 1
    assert [c.evidence.exact for c in dataset.citations_by_claim[CLAIM]] == ["We are doing well with China."]


def test_every_delegate_title_has_citations(dataset: Dataset) -> None:
    for delegate in dataset.delegates.values():
        assert delegate.titles
        for title in delegate.titles:
            assert title.citations
            assert all(e.exact == dataset.seed_texts[e.source][e.start : e.end] for e in title.citations)


def test_files_and_seed_texts_are_the_bytes_on_disk(dataset: Dataset) -> None:
    assert set(dataset.files) == {p.name for p in FIXTURES.glob("*.json")}
    assert "datapackage.json" in dataset.files
    for name, file in dataset.files.items():
        assert file.content == (FIXTURES / name).read_bytes()
        assert file.sha256 == hashlib.sha256(file.content).hexdigest()
    for source in dataset.sources.values():
        assert dataset.seed_texts[source.id] == (SEEDS / source.seed).read_bytes().decode("utf-8")


def test_problem_reads_as_one_line_naming_file_record_and_field() -> None:
    problem = Problem("fixtures/claims.json", "trump-china-not-easy", "speaker", "unknown person 'x'")
    assert str(problem) == (
        "fixtures/claims.json: record 'trump-china-not-easy' field 'speaker': unknown person 'x'"
    )
    assert str(Problem("fixtures/claims.json", "#3", "", "expected a JSON object, got str")) == (
        "fixtures/claims.json: record #3: expected a JSON object, got str"
    )
    error = FixtureError([problem, problem])
    assert str(error).splitlines() == ["2 problems in the fixtures:", str(problem), str(problem)]


def by_id(records: list[dict[str, Any]], record_id: str) -> dict[str, Any]:
    """Returns the first record with that id."""
    return next(r for r in records if r["id"] == record_id)


def _shift(records: list[dict[str, Any]]) -> None:
    evidence = by_id(records, CITATION)["evidence"]
    evidence["start"] += 1
    evidence["end"] += 1


def test_shifted_offset(tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    edit_records(fixtures, "citations", _shift)
    problem = find(problems_of(fixtures), "citations.json", CITATION, "evidence.start")
    assert problem.message == (
        "offsets 915-944 hold 'e are doing well with China. ', not exact 'We are doing well with China.', "
        "which starts at 914"
    )
    assert_cli_reports(fixtures, f"record '{CITATION}' field 'evidence.start': offsets 915-944")


def test_changed_exact(tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)

    def change(records: list[dict[str, Any]]) -> None:
        by_id(records, CITATION)["evidence"]["exact"] = "We are doing WELL with China."

    edit_records(fixtures, "citations", change)
    problem = find(problems_of(fixtures), "citations.json", CITATION, "evidence.exact")
    assert problem.message == "exact 'We are doing WELL with China.' does not occur in the seed text"
    assert_cli_reports(fixtures, f"record '{CITATION}' field 'evidence.exact': exact 'We are doing WELL")


def test_unknown_speaker(tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    edit_records(fixtures, "claims", lambda records: by_id(records, CLAIM).update(speaker="nobody-at-all"))
    problem = find(problems_of(fixtures), "claims.json", CLAIM, "speaker")
    assert problem.message == "unknown person 'nobody-at-all'"
    expected = f"claims.json: record '{CLAIM}' field 'speaker': unknown person 'nobody-at-all'"
    assert_cli_reports(fixtures, expected)


def test_missing_required_field(tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    edit_records(fixtures, "claims", lambda records: by_id(records, CLAIM).pop("summary"))
    assert find(problems_of(fixtures), "claims.json", CLAIM, "summary").message == "Field required"
    assert_cli_reports(fixtures, f"claims.json: record '{CLAIM}' field 'summary': Field required")


def test_malformed_json(tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    first = read_records(fixtures, "claims")[0]["id"]  # the corrupted line is in the first record
    path = fixtures / "claims.json"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(i for i, text in enumerate(lines) if '"summary"' in text)
    lines[line] = lines[line].replace('"summary"', "summary", 1)
    path.write_text("".join(lines), encoding="utf-8")
    problems = [p for p in problems_of(fixtures) if Path(p.file).name == "claims.json"]
    assert len(problems) == 1
    assert problems[0].record == first and problems[0].field == ""
    column = lines[line].index("summary") + 1
    reason = "Expecting property name enclosed in double quotes"
    expected = f"malformed JSON at line {line + 1} column {column}: {reason}"
    assert problems[0].message.startswith(expected)
    assert_cli_reports(fixtures, f"claims.json: record '{first}': {expected}")


def test_duplicate_id(tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    records = edit_records(fixtures, "claims", lambda records: records.append(dict(by_id(records, CLAIM))))
    problem = find(problems_of(fixtures), "claims.json", CLAIM, "id")
    assert problem.message == f"duplicate id (first used by record #{records.index(by_id(records, CLAIM))})"
    assert_cli_reports(fixtures, f"claims.json: record '{CLAIM}' field 'id': duplicate id")


def test_every_problem_is_collected_before_raising(tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    edit_records(fixtures, "citations", _shift)
    edit_records(fixtures, "claims", lambda records: by_id(records, CLAIM).update(speaker="nobody-at-all"))
    edit_records(fixtures, "people", lambda r: r[0]["aliases"][0]["evidence"][0].update(source="nowhere"))
    problems = problems_of(fixtures)
    find(problems, "citations.json", CITATION, "evidence.start")
    find(problems, "claims.json", CLAIM, "speaker")
    person = read_records(fixtures, "people")[0]["id"]
    assert find(problems, "people.json", person, "aliases[0].evidence[0].source").message == (
        "unknown source 'nowhere'"
    )
    stale = [p for p in problems if Path(p.file).name == "datapackage.json"]
    assert {p.field.rsplit(".", 1)[1] for p in stale} == {"bytes", "hash"}
    assert {p.record for p in stale} == {"citations", "claims", "people"}


def test_missing_file_does_not_cascade(tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    (fixtures / "parties.json").unlink()
    problems = problems_of(fixtures)
    assert [str(p) for p in problems] == [f"{fixtures / 'parties.json'}: file is missing"]


def test_not_an_array_and_not_an_object(tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    (fixtures / "outlets.json").write_text('{"id": "x"}\n', encoding="utf-8")
    edit_records(fixtures, "parties", lambda records: records.append("china"))  # type: ignore[arg-type]
    problems = problems_of(fixtures)
    assert find(problems, "outlets.json", "", "").message == "expected a JSON array of records, got dict"
    index = len(read_records(fixtures, "parties")) - 1
    assert find(problems, "parties.json", f"#{index}", "").message == "expected a JSON object, got str"


def test_tampered_seed_is_reported_against_the_manifest(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    name = read_records(FIXTURES, "sources")[0]["seed"]
    (seeds / name).write_bytes((seeds / name).read_bytes().replace(b"London", b"Londen", 1))
    problems = problems_of(FIXTURES, seeds)
    problem = find(problems, "SHA256SUMS", name, "")
    assert problem.message.startswith(f"{seeds / name} has sha256 ")
    assert len(problems) == 1


def test_claim_without_citation_and_delegate_without_title(tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    edit_records(fixtures, "citations", lambda records: records.remove(by_id(records, CITATION)))
    delegate = read_records(fixtures, "delegates")[0]["id"]
    edit_records(fixtures, "delegates", lambda records: by_id(records, delegate).update(titles=[]))
    problems = problems_of(fixtures)
    assert find(problems, "claims.json", CLAIM, "id").message == "claim has no citation in citations.json"
    assert (
        find(problems, "delegates.json", delegate, "titles").message == "delegate has no title with citations"
    )
    assert_cli_reports(fixtures, f"claims.json: record '{CLAIM}' field 'id': claim has no citation")


def test_an_invalid_citation_still_counts_as_citing_its_claim(tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    edit_records(fixtures, "citations", lambda records: by_id(records, CITATION).update(mode="quoted"))
    problems = [p for p in problems_of(fixtures) if Path(p.file).name != "datapackage.json"]
    assert [str(p).split("/")[-1] for p in problems] == [
        f"citations.json: record '{CITATION}' field 'mode': "
        "Input should be 'direct', 'partial' or 'paraphrase' (got 'quoted')"
    ]


def test_record_level_rule_names_the_field_it_is_about(tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    source = next(r for r in read_records(fixtures, "sources") if r["author"] is None)["id"]
    edit_records(fixtures, "sources", lambda records: by_id(records, source).update(notes=[]))
    problem = find(problems_of(fixtures), "sources.json", source, "author")
    assert problem.message == "Value error, author is null but has no note saying why"
