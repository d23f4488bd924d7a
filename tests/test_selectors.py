"""Evidence selectors: built in code points, checked against the seed, found anywhere in a record."""

from __future__ import annotations

import pytest
from datafiles import SEEDS

from schema.models import Delegate, Evidence
from schema.selectors import check_evidence, iter_evidence, make_evidence

TEXT = (SEEDS / "001_da4a70c692c9a507.txt").read_bytes().decode("utf-8")
SOURCE = "asean-now-fragile-progress"


def test_offsets_are_code_points_not_bytes() -> None:
    evidence = make_evidence(SOURCE, TEXT, "China's not easy,")
    assert (evidence.start, evidence.end) == (944, 961)
    assert len(TEXT[:944].encode("utf-8")) > 944  # multi-byte characters come before it
    assert evidence.prefix == "nson Greer.\n\n \n\n“We are doing well with China. "[-32:]
    assert evidence.suffix == "” Trump told reporters at the Wh"
    assert check_evidence(evidence, TEXT) == []


def test_occurrence_picks_the_nth_match() -> None:
    first = make_evidence(SOURCE, TEXT, "Liberation Day")
    second = make_evidence(SOURCE, TEXT, "Liberation Day", occurrence=2)
    assert (first.start, second.start) == (2274, 2382)
    assert (
        second.prefix
        == "in April,” noted Kathleen Brooks, research director at trading group XTB. The term “"[-32:]
    )
    with pytest.raises(ValueError, match="does not occur 3 time"):
        make_evidence(SOURCE, TEXT, "Liberation Day", occurrence=3)


def test_context_is_cut_at_the_ends_of_the_text() -> None:
    evidence = make_evidence(SOURCE, TEXT, "Jump to content")
    assert (evidence.start, evidence.prefix) == (0, "")
    assert check_evidence(evidence, TEXT) == []
    last = make_evidence(SOURCE, TEXT, "Create New...")
    assert last.suffix == TEXT[last.end :] and len(last.suffix) < 32


def test_shifted_changed_and_out_of_range_selectors_are_named() -> None:
    good = make_evidence(SOURCE, TEXT, "Kevin Hassett")
    shifted = good.model_copy(update={"start": good.start + 1, "end": good.end + 1})
    assert check_evidence(shifted, TEXT) == [
        f"start: offsets {good.start + 1}-{good.end + 1} hold 'evin Hassett ', not exact 'Kevin Hassett', "
        f"which starts at {good.start}"
    ]
    changed = good.model_copy(update={"exact": "Kevin Hasset!"})
    assert check_evidence(changed, TEXT) == ["exact: exact 'Kevin Hasset!' does not occur in the seed text"]
    beyond = good.model_copy(update={"start": len(TEXT), "end": len(TEXT) + 13})
    assert check_evidence(beyond, TEXT) == [
        f"end: end {len(TEXT) + 13} is past the end of the seed text ({len(TEXT)} code points)"
    ]


def test_prefix_and_suffix_must_be_the_neighbouring_text() -> None:
    good = make_evidence(SOURCE, TEXT, "Kevin Hassett")
    bad = good.model_copy(update={"prefix": "US officia", "suffix": good.suffix + "x" * 40})
    problems = check_evidence(bad, TEXT)
    assert [p.split(":")[0] for p in problems] == ["prefix", "suffix"]
    shorter = good.model_copy(update={"prefix": good.prefix[-5:], "suffix": good.suffix[:3]})
    assert check_evidence(shorter, TEXT) == []


def test_iter_evidence_walks_nested_models_with_paths() -> None:
    seat = make_evidence(SOURCE, TEXT, "Heading the Chinese delegation")
    title = make_evidence(SOURCE, TEXT, "Vice Premier")
    delegate = Delegate.model_validate(
        {
            "id": "london-2025--he-lifeng",
            "negotiation": "london-2025",
            "person": "he-lifeng",
            "party": "china",
            "lead": True,
            "lead_evidence": [seat.model_dump()],
            "titles": [{"title": "Vice Premier", "citations": [title.model_dump()]}],
            "seat_evidence": [seat.model_dump()],
            "verification": {"by": "curator", "on": "2025-06-12", "methods": ["selector-checked"]},
        }
    )
    found = list(iter_evidence(delegate))
    assert [path for path, _ in found] == ["lead_evidence[0]", "titles[0].citations[0]", "seat_evidence[0]"]
    assert all(isinstance(e, Evidence) for _, e in found)
