"""Passage lookup (schema/text/passages.py): pasted words back to their source span and claims."""

from __future__ import annotations

import pytest

from schema.load.loader import load_dataset
from schema.load.selectors import check_evidence
from schema.model.dataset import Dataset
from schema.text.passages import (
    MAX_MATCHES,
    MAX_PASSAGE_LENGTH,
    PassageError,
    PassageIndex,
    find_passages,
    fold,
    normalise,
)
from tests.datafiles import FIXTURES, SEEDS

ASEAN = "asean-now-fragile-progress"


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return load_dataset(FIXTURES, SEEDS)


def test_the_issue_example_spans_trumps_two_claims(dataset: Dataset) -> None:
    (match,) = find_passages(dataset, "We are doing well with China. China's not easy,")
    assert (match.source, match.start, match.end) == (ASEAN, 914, 961)
    assert match.exact == "We are doing well with China. China's not easy,"
    assert dataset.seed_texts[ASEAN][match.start : match.end] == match.exact
    assert match.claims == ("trump-doing-well-with-china", "trump-china-not-easy")
    evidence = match.evidence()  # a selector like any in the fixtures: it verifies against the seed
    assert check_evidence(evidence, dataset.seed_texts[ASEAN]) == []
    assert evidence.suffix.startswith("\u201d Trump told reporters")


@pytest.mark.parametrize(
    "passage",
    [
        "  we ARE doing well with china.\n\n  China\u2019s   not easy,  ",
        "\u201cWe are doing well with China. China's not easy,\u201d",
        '"We are doing well with China. China\'s not easy,"',
    ],
)
def test_case_quotes_and_whitespace_do_not_matter(dataset: Dataset, passage: str) -> None:
    matches = find_passages(dataset, passage)
    assert [(m.source, m.claims) for m in matches] == [
        (ASEAN, ("trump-doing-well-with-china", "trump-china-not-easy"))
    ]
    text = dataset.seed_texts[ASEAN]
    assert text[matches[0].start] in "W\u201c"  # offsets are into the text as stored


def test_a_passage_in_two_articles_is_found_in_both(dataset: Dataset) -> None:
    matches = find_passages(dataset, "china's not easy")
    assert [(m.source, m.exact, m.claims) for m in matches] == [
        (ASEAN, "China's not easy", ("trump-china-not-easy",)),
        ("caliber-az-talks-conclude", "China's not easy", ("trump-china-not-easy",)),
    ]


def test_a_span_across_blank_lines_maps_back_to_the_stored_text(dataset: Dataset) -> None:
    (match,) = find_passages(dataset, "Second Day in London Trade negotiations between")
    assert match.exact.startswith("Second Day in London\n\n") and match.exact.endswith(
        "\n\nTrade negotiations between"
    )
    assert (
        " ".join(match.exact.split()) == "Second Day in London Trade negotiations between"
    )  # a no-break space too
    assert dataset.seed_texts[match.source][match.start : match.end] == match.exact
    (posts,) = find_passages(dataset, "Recommended Posts Posted")
    assert (posts.exact, posts.claims) == ("Recommended Posts\n\nPosted", ())


def test_words_no_citation_covers_match_with_no_claims(dataset: Dataset) -> None:
    (match,) = find_passages(dataset, "Lancaster House")
    assert match.claims == ()


def test_bounds_are_enforced_with_clear_messages(dataset: Dataset) -> None:
    with pytest.raises(PassageError, match="blank"):
        find_passages(dataset, " \n\t ")
    with pytest.raises(PassageError, match=f"at most {MAX_PASSAGE_LENGTH}"):
        find_passages(dataset, "x" * (MAX_PASSAGE_LENGTH + 1))
    assert len(find_passages(dataset, "e")) == MAX_MATCHES
    assert find_passages(dataset, "no such words anywhere") == []


def test_an_index_built_once_answers_like_the_function(dataset: Dataset) -> None:
    index = PassageIndex(dataset)
    for passage in ("good reports", "Trade Representative", "talks"):
        assert index.find(passage) == find_passages(dataset, passage)
    found = [(m.source, m.start) for m in index.find("trade representative")]
    assert found == [(m.source, m.start) for m in find_passages(dataset, "trade representative")]
    assert found and all(
        dataset.seed_texts[source][start : start + 20].casefold() == "trade representative"
        for source, start in found
    )  # where, in the curated data: tests/curated/test_api_filter_answers.py


def test_fold_is_normalise_without_the_offsets_for_every_code_point() -> None:
    every = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    tricky = ("\u03a3", "A\u03a3 b", "\u0130x", "a  \t\n b", "", " ", "   ", " a ", "\n", "\u2019x\u201d")
    for text in ("".join(every), "a".join(every), " ".join(every), *tricky):
        assert fold(text) == normalise(text)[0]
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    assert seeds and all(fold(text) == normalise(text)[0] for text in seeds)


PASSAGES = [
    "We are doing well with China. China's not easy,",
    "china\u2019s  NOT\neasy",
    "Trade Representative",
    "e",
    "ch",
    "a\x00b",
    "no such words anywhere",
    "Lancaster House",
    "Recommended Posts Posted",
]


def test_the_served_snapshot_answers_every_passage_as_find_passages_over_the_loaded_records(
    dataset: Dataset,
) -> None:
    """What `parley serve` answers (the session's snapshot) is what the lookup finds in the loader's
    records: every match's source, claims and span, or the lookup's refusal as the one error."""
    from tests.api_client import post

    query = """query($t: String!) { passages(text: $t) { source { slug } claims { slug }
      span { start end exact prefix suffix } } }"""
    for passage in PASSAGES:
        body = post(query, {"t": passage})
        try:
            found = find_passages(dataset, passage)
        except PassageError as error:
            assert [e["message"] for e in body["errors"]] == [str(error)], passage
            continue
        assert body == {
            "data": {
                "passages": [
                    {
                        "source": {"slug": m.source},
                        "claims": [{"slug": claim} for claim in m.claims],
                        "span": {"start": m.start, "end": m.end, "exact": m.exact, "prefix": m.prefix,
                                 "suffix": m.suffix},
                    }
                    for m in found
                ]
            }
        }, passage
    assert len(find_passages(dataset, "e")) == MAX_MATCHES
