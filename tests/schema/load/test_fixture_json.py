"""The two fixture JSON parsers: `parse_json_unchecked` (a build's record process) gives the values
`parse_json` gives for every file `parse_json` passes, and leaves what it cannot parse to it."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from schema.load.fixture_json import parse_json, parse_json_unchecked
from schema.load.problems import Problem

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(value=_JSON, indent=st.sampled_from([None, 0, 2]), ascii_only=st.booleans())
def test_unchecked_parse_equals_the_checked_one(value: Any, indent: int | None, ascii_only: bool) -> None:
    content = json.dumps(value, indent=indent, ensure_ascii=ascii_only).encode("utf-8")
    problems: list[Problem] = []
    checked = parse_json(content, "f.json", problems)
    assert problems == []
    unchecked = parse_json_unchecked(content, "f.json", [])
    assert repr(unchecked) == repr(checked)  # the same values, types and key order


def test_what_it_cannot_parse_is_reported_as_parse_json_reports_it() -> None:
    for bad in (b"[1,", b"\xff[]", b'{"a": 1, "a": 2}'):
        checked: list[Problem] = []
        parse_json(bad, "f.json", checked)
        unchecked: list[Problem] = []
        parse_json_unchecked(bad, "f.json", unchecked)
        if bad.startswith(b"{"):
            assert unchecked == [] and checked != []  # repeated keys are the checked parse's to report
        else:
            assert unchecked == checked != []
