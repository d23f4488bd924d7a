"""Search on indexes answers exactly what a scan of every record answers, on real and synthetic data."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from graphql import execute_sync, parse
from hypothesis import example, given, settings
from hypothesis import strategies as st

import api.graph.search
import api.graph.search_index
from api.graph.context import Context
from api.graph.schema import graphql_schema
from api.graph.search_index import NameIndex, search_index
from api.graph.text import compact, edit_distance, tolerance, words
from api.http.app import open_snapshot
from api.synth.generator import generate, write
from schema.store.reader import StoredDataset
from tests.api_client import dataset
from tests.oracle import FullScan

QUERY = parse(
    "query ($text: String!, $first: Int!) { search(text: $text, first: $first) { matched "
    "item { __typename ... on Person { slug } ... on Claim { slug } ... on Source { slug } "
    "... on Outlet { slug } ... on Negotiation { slug } } } }"
)
TEXTS = [
    "Lutnick", "lutnik", "Bessant", "He Lifeng", "Li Changgang", "rare earth", "RARE-EARTH", "tarif",
    "china's not easy", "China\u2019s not easy", "good reports", "London", "AP", "geneva", "the", "a",
    "Reuters", "spokesperson", "officials familiar", "Abbott", "Ada A. Abbot", "Avalon Ledger", "Port Ellis",
    "zzzz", "ellis harbour", "staff writer", "round 2", "tariffs were",
]  # fmt: skip


@cache
def synthetic() -> StoredDataset:
    tmp = Path(tempfile.mkdtemp(prefix="parley-test-synth-300-"))
    write(generate(300, seed=7), tmp)
    opened, _ = open_snapshot(tmp / "parley.db", tmp / "fixtures", tmp / "seeds")
    return opened


def _search(context: Context, text: str, first: int) -> Any:
    result = execute_sync(
        graphql_schema(), QUERY, context_value=context, variable_values={"text": text, "first": first}
    )
    assert result.errors is None
    return result.data


@pytest.mark.parametrize("which", ["real", "synthetic"])
@pytest.mark.parametrize("first", [100, 3])
def test_indexed_search_equals_a_full_scan(which: str, first: int, monkeypatch: pytest.MonkeyPatch) -> None:
    context = Context.for_dataset(dataset() if which == "real" else synthetic())
    indexed = {text: _search(context, text, first) for text in TEXTS}
    everything = FullScan(context.dataset, context.index.claim_texts)
    monkeypatch.setattr(api.graph.search, "search_index", lambda _: everything)
    for text in TEXTS:
        assert indexed[text] == _search(context, text, first), text
    assert sum(len(hits["search"]) for hits in indexed.values()) > 30  # the texts do find things


RESOLVE = parse(
    "query ($name: String!) { resolvePerson(name: $name) "
    "{ matched distance person { slug } evidence { start } } }"
)


@pytest.mark.parametrize("which", ["real", "synthetic"])
def test_resolve_person_on_the_name_index_equals_a_full_scan(
    which: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = Context.for_dataset(dataset() if which == "real" else synthetic())

    def resolve(name: str) -> Any:
        variables = {"name": name}
        result = execute_sync(graphql_schema(), RESOLVE, context_value=context, variable_values=variables)
        assert result.errors is None
        return result.data

    indexed = {text: resolve(text) for text in TEXTS}
    everything = FullScan(context.dataset, context.index.claim_texts)
    monkeypatch.setattr(api.graph.search, "search_index", lambda _: everything)
    for text in TEXTS:
        assert indexed[text] == resolve(text), text
    assert sum(len(found["resolvePerson"]) for found in indexed.values()) >= 5  # names do match


def test_the_index_is_built_once_per_context() -> None:
    context = Context.for_dataset(dataset())
    assert search_index(context) is search_index(context)


def test_name_index_finds_spellings_within_tolerance() -> None:
    names = NameIndex(
        [["Howard Lutnick"], ["Scott Bessent"], ["Li Chenggang", "Li Changgang"], ["He Lifeng"]]
    )
    assert names.candidates("Lutnik") == [0]  # one edit from a word, 6 letters: tolerance 1
    assert names.candidates("Besent") == [1]
    assert names.candidates("lichenggang") == [2]
    assert names.candidates("Hee") == []  # under five letters: exact only
    assert names.candidates("He") == [3]


SPELLINGS = [
    ["Ada Abbot"], ["Ada A. Abbott", "Adda Abot"], ["Bea Lind"], ["Li Chenggang", "Li Cheng-gang"],
    ["Howard Lutnick"], ["Abbot"], ["Lind Abba"], ["Ben Ada-Lindqvist"], ["Ed Bo"], ["Abbe Linda"],
]  # fmt: skip
NAMES = NameIndex(SPELLINGS)


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet="abdeilnotz -.", max_size=18))
@example("Abzot")  # 5 letters, one edit from "abbot" in its 3-letter piece: found by the 2-letter "ot"
@example("Ada Abbbot")
def test_name_index_candidates_are_every_person_with_a_key_within_tolerance(query: str) -> None:
    """Each person with a spelling, or a word of one, within the query's tolerance, and no one else:
    what a scan of every key gives (short, 5-letter and long queries alike)."""
    q = compact(query)
    near = [
        position
        for position, names in enumerate(SPELLINGS)
        if q and any(edit_distance(q, key, tolerance(q)) <= tolerance(q)
                     for name in names for key in [compact(name), *words(name)])
    ]  # fmt: skip
    assert NAMES.candidates(query) == near
