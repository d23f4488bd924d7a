"""Unit checks of the API's pure parts: text matching, paging, and syndication on a varied dataset."""

from __future__ import annotations

import datetime as dt
import re
import sys
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.errors import UserInputError
from api.graph.context import Context
from api.graph.indexes import published_by
from api.graph.relay import decode_cursor, encode_cursor, paginate
from api.graph.schema import strawberry_schema
from api.graph.text import _PLAIN, compact, name_distance, normalise, strip_diacritics
from api.http.app import SNAPSHOT_WRITERS, snapshot_code
from schema.model.dataset import FIXTURE_MODELS, Dataset
from schema.model.models import Citation, PartialDate, Precision, Source, Verified
from schema.store.reader import StoredDataset, open_dataset
from schema.store.snapshot import write_snapshot
from tests.api_client import dataset


def test_normalise_makes_curly_quotes_straight_and_folds_case() -> None:
    assert normalise("\u201cChina\u2019s  NOT easy\u201d") == '"china\'s not easy"'
    assert compact("Lí Chéng-gang") == "lichenggang"


_SPACE_RUNS = re.compile(r"\s+")
_EVERY_SPACE = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if _SPACE_RUNS.fullmatch(c))


_CHARACTERS = ["a", "B", "ß", "İ", *map(chr, _PLAIN), *_EVERY_SPACE, *"\x1c\x85\u200b"]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(_CHARACTERS)))
def test_normalise_is_translate_casefold_and_runs_of_space_made_one(text: str) -> None:
    """The definition normalise had (translate, casefold, every run of \\s one space, stripped)."""
    assert all(not c.isascii() for c in map(chr, _PLAIN))  # so ASCII text needs no translate
    assert normalise(text) == _SPACE_RUNS.sub(" ", text.translate(_PLAIN).casefold()).strip()


def test_ascii_text_is_its_own_text_without_diacritics() -> None:
    """strip_diacritics returns ASCII text as it is: NFKD keeps every ASCII character, and none is
    a combining mark (the shortcut's reason, checked for each of the 128)."""
    every = "".join(map(chr, range(128)))
    assert unicodedata.normalize("NFKD", every) == every
    assert not any(unicodedata.combining(c) for c in every)
    assert strip_diacritics(every) is every
    assert strip_diacritics("Hê Lifeng, Kečkeméti") == "He Lifeng, Keckemeti"


@pytest.mark.parametrize(
    ("query", "name", "distance"),
    [
        ("li cheng gang", "Li Chenggang", 0),
        ("Lutnick", "Howard Lutnick", 0),
        ("Li Changgang", "Li Chenggang", 1),
        ("Lutnik", "Howard Lutnick", 1),
        ("He", "the", None),
        ("Bessent", "Jamieson Greer", None),
    ],
)
def test_name_distance(query: str, name: str, distance: int | None) -> None:
    assert name_distance(query, name) == distance


def test_paginate_follows_the_relay_algorithm() -> None:
    items = list("abcdefg")
    page = paginate(items, str.upper, first=3, after=encode_cursor(1))
    assert page.nodes == ["C", "D", "E"]
    assert (page.page_info.has_previous_page, page.page_info.has_next_page, page.total_count) == (
        True,
        True,
        7,
    )
    assert paginate(items, str.upper, last=2, before=encode_cursor(4)).nodes == ["C", "D"]
    assert paginate(items, str.upper, first=5, after=encode_cursor(99)).nodes == []
    assert decode_cursor(encode_cursor(12)) == 12
    with pytest.raises(UserInputError, match="`first` must be between 1 and 100, got 0"):
        paginate(items, str.upper, first=0)


def test_a_partial_date_counts_as_published_only_once_its_last_day_has_passed() -> None:
    source = dataset().sources["asean-now-fragile-progress"]
    assert published_by(source, dt.date(2025, 6, 11))
    assert not published_by(source, dt.date(2025, 6, 10))
    assert source.published_on is not None
    month = source.published_on.model_copy(update={"date": "2025-06", "precision": Precision.MONTH})
    monthly = source.model_copy(update={"published_on": month})
    assert isinstance(monthly.published_on, PartialDate)
    assert not published_by(monthly, dt.date(2025, 6, 29))
    assert published_by(monthly, dt.date(2025, 6, 30))
    assert not published_by(dataset().sources["caliber-az-talks-conclude"], dt.date(2030, 1, 1))


def _with_extra_copies(*copies: tuple[str, bool]) -> Dataset:
    """The real dataset plus, per (slug, syndicated), another article citing "China's not easy"."""
    real = dataset()
    records: dict[str, list[Verified]] = {stem: list(getattr(real, stem).values()) for stem in FIXTURE_MODELS}
    seeds = dict(real.seed_texts)
    template: Source = real.sources["asean-now-fragile-progress"]
    quote: Citation = real.citations["trump-china-not-easy--asean-now"]
    for slug, syndicated in copies:
        update: dict[str, Any] = {"id": slug, "outlet": "cnews-live"}
        if not syndicated:
            update["credit"] = None
        records["sources"].append(template.model_copy(update=update))
        seeds[slug] = real.seed_texts[template.id]
        evidence = quote.evidence.model_copy(update={"source": slug})
        records["citations"].append(quote.model_copy(update={"id": f"copy-in-{slug}", "evidence": evidence}))
    return Dataset.build(records, seeds, real.files)


def _served(data: Dataset) -> StoredDataset:
    """The dataset as the app serves it: written as a snapshot (in a temporary folder) and opened."""
    if isinstance(data, StoredDataset):
        return data
    path = Path(tempfile.mkdtemp(prefix="parley-units-")) / "parley.db"
    write_snapshot(data, path, {}, code=snapshot_code(), extra=SNAPSHOT_WRITERS)
    return open_dataset(path)


def _independent_count(data: Dataset) -> Any:
    result = strawberry_schema().execute_sync(
        '{ claim(slug: "trump-china-not-easy") { independentSourceCount outlets { slug } } }',
        context_value=Context.for_dataset(_served(data)),
    )
    assert result.errors is None
    assert result.data is not None
    return result.data["claim"]


def test_copies_of_one_wire_story_count_once_and_other_articles_count_each() -> None:
    assert _independent_count(dataset())["independentSourceCount"] == 2
    syndicated = _with_extra_copies(("second-ap-copy", True))
    assert _independent_count(syndicated) == {
        "independentSourceCount": 2,
        "outlets": [{"slug": "asean-now"}, {"slug": "caliber-az"}, {"slug": "cnews-live"}],
    }
    assert _independent_count(_with_extra_copies(("own-story", False)))["independentSourceCount"] == 3
