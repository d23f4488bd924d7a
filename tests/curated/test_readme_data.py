"""The README's account of the data states the real counts."""

from __future__ import annotations

import re

from schema.load.loader import load_dataset, selector_count
from tests.datafiles import FIXTURES, README, SEEDS


def test_readme_counts_match_the_loaded_dataset() -> None:
    dataset = load_dataset(FIXTURES, SEEDS)
    readme = " ".join(README.read_text(encoding="utf-8").split())
    named = sum(person.named for person in dataset.people.values())
    expected = (
        f"{len(dataset.outlets)} outlets, {len(dataset.sources)} sources, {len(dataset.parties)} parties, "
        f"{len(dataset.people)} people ({named} named, {len(dataset.people) - named} described without a "
        f"name), {len(dataset.negotiations)} negotiations (London, and the Geneva round it follows), "
        f"{len(dataset.delegates)} delegate seats, {len(dataset.claims)} claims with "
        f"{len(dataset.citations)} citations, {len(dataset.discrepancies)} discrepancies — and "
        f"{selector_count(dataset)} evidence selectors"
    )
    assert expected in readme
    assert re.search(r"5 outlets, 5 sources, 2 parties, 22 people", readme)
