"""`parley add-source`: a new article becomes a seed, a manifest line and a source record; bad input
is refused with one message and nothing written. Ids and seeds that exist are taken from the data."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from schema.curate.add_source import AddSourceError, add_source
from schema.load.loader import load_dataset
from tests.datafiles import FIXTURES, SEEDS, read_records
from tests.walkthrough import parley

OUTLET = read_records(FIXTURES, "outlets")[0]["id"]  # any outlet: "Some words" names none
SOURCE = read_records(FIXTURES, "sources")[0]["id"]
SEED = sorted(SEEDS.glob("*.txt"))[-1]


def test_add_source_prints_next_steps_and_writes_a_valid_record(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    shutil.copytree(SEEDS, tmp_path / "seeds")
    (tmp_path / "a.txt").write_text(
        "A long first paragraph that ends with a full stop.\nMore.\n", encoding="utf-8"
    )
    result = parley("parley add-source a.txt", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Next steps:" in result.stdout and "parley anchor" in result.stdout
    record = read_records(tmp_path / "fixtures", "sources")[-1]
    assert (record["outlet"], record["headline"], record["author"], record["published_on"]) == (None,) * 4
    assert {n["field"] for n in record["notes"]} == {"outlet", "headline", "author", "published_on"}
    assert record["verification"]["methods"] == ["selector-checked"]  # not yet read in context
    assert parley("parley validate", tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("", {}, "the file is empty"),
        ("Some words\n", {"outlet": "no-such-outlet"}, "--outlet 'no-such-outlet' is not in"),
        ("Some words\n", {"outlet": OUTLET}, f"the text never prints the name of outlet '{OUTLET}'"),
        ("Some words\n", {"source_id": "Not A Slug"}, "is not lowercase kebab-case"),
        ("Some words\n", {"source_id": SOURCE}, "is already in"),
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
    with pytest.raises(AddSourceError, match=re.escape(f"already seed {SEED.name}")):
        add_source(SEED, FIXTURES, tmp_path / "seeds")


def test_the_outlet_name_is_found_as_a_word(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES, tmp_path / "fixtures")
    shutil.copytree(SEEDS, tmp_path / "seeds")
    (tmp_path / "a.txt").write_text("APEC ministers meet\n\nThe APEC story, from AP.\n", encoding="utf-8")
    added = add_source(tmp_path / "a.txt", tmp_path / "fixtures", tmp_path / "seeds", outlet="ap")
    (evidence,) = added.record["outlet_evidence"]
    assert (evidence["exact"], evidence["start"], evidence["suffix"]) == ("AP", 42, ".\n")
    assert load_dataset(tmp_path / "fixtures", tmp_path / "seeds").sources[added.source_id].outlet == "ap"
