"""Evidence selectors: built in code points, checked against the seed, found anywhere in a record."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schema.load.selectors import (
    CONTEXT,
    check_evidence,
    evidence_in,
    iter_evidence,
    make_evidence,
    selector_holds,
    selector_problems,
)
from schema.model.models import Delegate, Evidence
from tests.datafiles import SEEDS

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


_WORDS = st.text(alphabet="ab “”\n", max_size=40)


@settings(max_examples=600, deadline=None)
@given(
    text=st.text(alphabet="ab “”\n", min_size=1, max_size=90),
    start=st.integers(0, 100),
    exact=st.text(alphabet="ab “”\n", min_size=1, max_size=12),
    take=st.booleans(),
    before=st.integers(0, CONTEXT + 2),
    after=st.integers(0, CONTEXT + 2),
    prefix=_WORDS,
    suffix=_WORDS,
    honest=st.booleans(),
)
def test_the_quick_selector_check_agrees_with_the_full_one(
    text: str, start: int, exact: str, take: bool, before: int, after: int, prefix: str, suffix: str,
    honest: bool,
) -> None:
    """selector_holds (the loader's fast path) is True exactly when selector_problems finds nothing."""
    if take and start < len(text):  # words that are there, most of the time, and context cut from the text
        exact = text[start : start + len(exact)] or exact
    if honest:
        prefix, suffix = text[max(0, start - before) : start], text[start + len(exact) :][:after]
    evidence = Evidence(
        source="s", exact=exact, prefix=prefix, suffix=suffix, start=start, end=start + len(exact)
    )
    assert selector_holds(evidence, text) == (selector_problems(evidence, text) == [])


def test_selectors_are_gathered_in_the_order_iter_evidence_walks_them() -> None:
    from schema.load.loader import load_dataset
    from tests.datafiles import FIXTURES

    dataset = load_dataset(FIXTURES, SEEDS)
    for stem in ("sources", "people", "negotiations", "delegates", "claims", "citations", "discrepancies"):
        for record in getattr(dataset, stem).values():
            assert [id(e) for e in evidence_in(record)] == [id(e) for _, e in iter_evidence(record)]
