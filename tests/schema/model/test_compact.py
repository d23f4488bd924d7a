"""Loaded records share equal parts (fields sets, verifications, ids) and still read as validated."""

from __future__ import annotations

import json

from schema.load.loader import load_dataset
from schema.model.compact import Compactor
from schema.model.models import Claim
from tests.datafiles import FIXTURES, SEEDS


def test_loaded_records_share_equal_parts_and_read_as_their_json() -> None:
    claims = list(load_dataset(FIXTURES, SEEDS).claims.values())  # the loader's records, not the snapshot's
    raw = json.loads((FIXTURES / "claims.json").read_bytes())
    assert [c.model_dump(mode="json", exclude_unset=True) for c in claims] == raw
    verifications = {id(c.verification) for c in claims if c.verification == claims[0].verification}
    assert len(verifications) == 1
    sets = {id(c.model_fields_set) for c in claims if c.model_fields_set == claims[0].model_fields_set}
    assert len(sets) == 1


def test_copying_a_compacted_record_leaves_the_others_alone() -> None:
    first, second = (
        Claim.model_validate(json.loads((FIXTURES / "claims.json").read_bytes())[0]) for _ in "ab"
    )
    Compactor().records([first, second])
    assert first.model_fields_set is second.model_fields_set
    before = set(second.model_fields_set)
    changed = first.model_copy(update={"setting": None})
    assert "setting" in changed.model_fields_set
    assert second.model_fields_set == before
    assert first.verification is second.verification
