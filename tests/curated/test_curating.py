"""docs/curating.md, run: the walk-through's steps on a temporary copy end with validate passing.

The test reads the page itself: each `<!-- walkthrough: ... -->` marker is followed by a fenced
block that is an article to save, records to append or fields to set, or `parley` commands to run
(from the copy's directory, each expected to succeed). Change the page and the test follows.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from schema.curate.add_source import AddSourceError, add_source
from schema.curate.anchor import dump_fixture
from schema.load.loader import load_dataset
from tests.datafiles import DOCS, FIXTURES, SEEDS, read_records

DOC = DOCS / "curating.md"
PARLEY = Path(sys.executable).parent / "parley"
STEP = re.compile(r"<!-- walkthrough: (?P<what>[^>]*?) -->\n```[a-z]*\n(?P<body>.*?)\n```", re.S)


def _steps() -> list[tuple[list[str], str]]:
    return [(m["what"].split(), m["body"]) for m in STEP.finditer(DOC.read_text(encoding="utf-8"))]


def _parley(line: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    args = shlex.split(line)
    assert args[0] == "parley", line
    return subprocess.run(
        [str(PARLEY), *args[1:]], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def _write(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text(dump_fixture(records), encoding="utf-8")


def test_the_walk_through_ends_with_validate_and_coverage_passing(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    shutil.copytree(SEEDS, tmp_path / "seeds")
    steps = _steps()
    assert [what[0] for what, _ in steps] == ["article", "run", "update", "append", "append", "append", "run"]
    ran: list[str] = []
    for what, body in steps:
        if what[0] == "article":
            (tmp_path / what[1]).write_text(body + "\n", encoding="utf-8")
        elif what[0] == "append":
            path = tmp_path / "fixtures" / what[1]
            _write(path, [*json.loads(path.read_text(encoding="utf-8")), json.loads(body)])
        elif what[0] == "update":
            path = tmp_path / "fixtures" / what[1]
            records = json.loads(path.read_text(encoding="utf-8"))
            next(r for r in records if r["id"] == what[2]).update(json.loads(body))
            _write(path, records)
        else:
            for line in body.splitlines():
                result = _parley(line, tmp_path)
                assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
                ran.append(result.stdout)
    lint, knowledge = ran[-2].splitlines()[-2:]
    assert (
        lint == "anchoring lint: 192 spans checked, 2 excused by a reasoned exception, 0 findings"
    )  # 188 + 4
    assert knowledge.startswith("outside-knowledge check: ") and knowledge.endswith(", 0 findings")
    assert (
        ran[-1].splitlines()[-1] == "41 sentences with a speech verb: 31 cited, 10 explained, 0 unexplained"
    )

    dataset = load_dataset(tmp_path / "fixtures", tmp_path / "seeds")
    citation = dataset.citations["lima-good-progress--caliber-example"]
    text = dataset.seed_texts["caliber-az-example-article"]
    assert text[citation.evidence.start : citation.evidence.end] == "We made good progress today,"
    assert dataset.sources["caliber-az-example-article"].seed.startswith("005_")
    assert dataset.sources["caliber-az-example-article"].outlet == "caliber-az"
    assert read_records(FIXTURES, "sources") != read_records(tmp_path / "fixtures", "sources")  # a copy


def test_add_source_prints_next_steps_and_writes_a_valid_record(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    shutil.copytree(SEEDS, tmp_path / "seeds")
    (tmp_path / "a.txt").write_text(
        "A long first paragraph that ends with a full stop.\nMore.\n", encoding="utf-8"
    )
    result = _parley("parley add-source a.txt", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Next steps:" in result.stdout and "parley anchor" in result.stdout
    record = read_records(tmp_path / "fixtures", "sources")[-1]
    assert (record["outlet"], record["headline"], record["author"], record["published_on"]) == (None,) * 4
    assert {n["field"] for n in record["notes"]} == {"outlet", "headline", "author", "published_on"}
    assert record["verification"]["methods"] == ["selector-checked"]  # not yet read in context
    assert _parley("parley validate", tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("", {}, "the file is empty"),
        ("Some words\n", {"outlet": "no-such-outlet"}, "--outlet 'no-such-outlet' is not in"),
        ("Some words\n", {"outlet": "econotimes"}, "the text never prints the name of outlet 'econotimes'"),
        ("Some words\n", {"source_id": "Not A Slug"}, "is not lowercase kebab-case"),
        ("Some words\n", {"source_id": "econotimes-talks-resume"}, "is already in"),
    ],
)
def test_add_source_refuses_with_a_clear_message_and_writes_nothing(
    tmp_path: Path, text: str, options: dict[str, str], message: str
) -> None:
    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    shutil.copytree(SEEDS, tmp_path / "seeds")
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    with pytest.raises(AddSourceError, match=re.escape(message)):
        add_source(tmp_path / "a.txt", tmp_path / "fixtures", tmp_path / "seeds", **options)  # type: ignore[arg-type]
    assert sorted(p.name for p in (tmp_path / "seeds").iterdir()) == sorted(p.name for p in SEEDS.iterdir())
    assert (tmp_path / "fixtures" / "sources.json").read_bytes() == (FIXTURES / "sources.json").read_bytes()


def test_a_text_already_in_the_seeds_is_refused(tmp_path: Path) -> None:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    with pytest.raises(AddSourceError, match=re.escape("already seed 003_7f228ed095719f81.txt")):
        add_source(SEEDS / "003_7f228ed095719f81.txt", FIXTURES, tmp_path / "seeds")


def test_the_outlet_name_is_found_as_a_word(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    shutil.copytree(SEEDS, tmp_path / "seeds")
    (tmp_path / "a.txt").write_text("APEC ministers meet\n\nThe APEC story, from AP.\n", encoding="utf-8")
    added = add_source(tmp_path / "a.txt", tmp_path / "fixtures", tmp_path / "seeds", outlet="ap")
    (evidence,) = added.record["outlet_evidence"]
    assert (evidence["exact"], evidence["start"], evidence["suffix"]) == ("AP", 42, ".\n")
    assert load_dataset(tmp_path / "fixtures", tmp_path / "seeds").sources[added.source_id].outlet == "ap"
