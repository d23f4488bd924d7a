"""Evidence selectors: build them from a seed text, check them against it, find them in records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from enum import Enum
from functools import cache
from typing import get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from schema.model.dataset import FIXTURE_MODELS, Dataset
from schema.model.models import Evidence

CONTEXT = 32
"""Code points of seed text kept on each side of `exact` as prefix and suffix."""


def make_evidence(
    source_id: str, text: str, exact: str, occurrence: int = 1, after: str | None = None
) -> Evidence:
    """Takes a seed text and the words to cite and returns the selector of their n-th occurrence.

    With `after`, occurrences are counted from the first occurrence of that text (an anchor).
    """
    if occurrence < 1:
        raise ValueError(f"occurrence must be >= 1, not {occurrence}")
    start = -1
    if after is not None:
        start = text.find(after) - 1
        if start < -1:
            raise ValueError(f"anchor {after!r} does not occur in the text of {source_id!r}")
    for _ in range(occurrence):
        start = text.find(exact, start + 1)
        if start < 0:
            raise ValueError(f"{exact!r} does not occur {occurrence} time(s) in the text of {source_id!r}")
    end = start + len(exact)
    return Evidence(
        source=source_id,
        exact=exact,
        prefix=text[max(0, start - CONTEXT) : start],
        suffix=text[end : end + CONTEXT],
        start=start,
        end=end,
    )


def _short(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")


def selector_problems(evidence: Evidence, text: str) -> list[tuple[str, str]]:
    """Takes a selector and its seed text and returns (field, message) for each way they disagree.

    Offsets are authoritative for position, `exact` for the words: when the two disagree, the
    problem names `start` if the words occur elsewhere in the text, else `exact`.
    Prefix and suffix are checked only once the span itself is right.
    """
    if evidence.end > len(text):
        return [("end", f"end {evidence.end} is past the end of the seed text ({len(text)} code points)")]
    found = text[evidence.start : evidence.end]
    if found != evidence.exact:
        elsewhere = text.find(evidence.exact)
        if elsewhere >= 0:
            return [
                (
                    "start",
                    f"offsets {evidence.start}-{evidence.end} hold {_short(found)}, not exact "
                    f"{_short(evidence.exact)}, which starts at {elsewhere}",
                )
            ]
        return [("exact", f"exact {_short(evidence.exact)} does not occur in the seed text")]
    problems: list[tuple[str, str]] = []
    prefix_start = evidence.start - len(evidence.prefix)
    if (
        len(evidence.prefix) > CONTEXT
        or prefix_start < 0
        or text[prefix_start : evidence.start] != evidence.prefix
    ):
        expected = text[max(0, evidence.start - CONTEXT) : evidence.start]
        problems.append(("prefix", f"prefix {_short(evidence.prefix)} does not match {_short(expected)}"))
    if len(evidence.suffix) > CONTEXT or not text.startswith(evidence.suffix, evidence.end):
        expected = text[evidence.end : evidence.end + CONTEXT]
        problems.append(("suffix", f"suffix {_short(evidence.suffix)} does not match {_short(expected)}"))
    return problems


def selector_holds(evidence: Evidence, text: str) -> bool:
    """Whether `selector_problems(evidence, text)` is empty, worked out without building any message."""
    start, prefix = evidence.start, evidence.prefix
    return (
        text.startswith(evidence.exact, start)  # end - start is len(exact): the model checks that
        and len(prefix) <= CONTEXT
        and start >= len(prefix)
        and text.startswith(prefix, start - len(prefix))
        and len(evidence.suffix) <= CONTEXT
        and text.startswith(evidence.suffix, evidence.end)
    )


def check_evidence(evidence: Evidence, text: str) -> list[str]:
    """Takes a selector and its seed text and returns readable problems (empty when it verifies)."""
    return [f"{field}: {message}" for field, message in selector_problems(evidence, text)]


def _may_hold_evidence(annotation: object) -> bool:
    """Whether a field of this type can contain an Evidence (unknown kinds of type: assume so)."""
    if annotation is Evidence:
        return True
    if annotation is None or annotation is type(None):
        return False
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return bool(_evidence_fields(annotation))
    if isinstance(annotation, type) and issubclass(annotation, str | int | float | bytes | dt.date | Enum):
        return False
    args = get_args(annotation)
    if get_origin(annotation) is not None and args:
        return any(_may_hold_evidence(arg) for arg in args if not isinstance(arg, FieldInfo))
    return True


@cache
def _evidence_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a model that can contain Evidence, in declaration order."""
    return tuple(name for name, info in model.model_fields.items() if _may_hold_evidence(info.annotation))


def _collect(value: object, path: str, found: list[tuple[str, Evidence]]) -> None:
    if isinstance(value, Evidence):
        found.append((path, value))
    elif isinstance(value, BaseModel):
        for name in _evidence_fields(type(value)):
            _collect(getattr(value, name), f"{path}.{name}" if path else name, found)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _collect(item, f"{path}[{index}]", found)


def _gather(value: object, found: list[Evidence]) -> None:
    if isinstance(value, Evidence):
        found.append(value)
    elif isinstance(value, BaseModel):
        attributes = value.__dict__  # a model's field values (getattr, per field, costs more)
        for name in _evidence_fields(type(value)):
            item = attributes[name]
            if type(item) is Evidence:  # the common cases without a call: one selector, a list of them
                found.append(item)
            elif type(item) is list and all(type(e) is Evidence for e in item):
                found.extend(item)
            elif item is not None:
                _gather(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _gather(item, found)


def evidence_in(value: object) -> list[Evidence]:
    """Takes a record (or any part of one) and returns its selectors in the order of iter_evidence."""
    found: list[Evidence] = []
    _gather(value, found)
    return found


def iter_evidence(value: object, path: str = "") -> Iterator[tuple[str, Evidence]]:
    """Takes a record (or any part of one) and yields (dotted path, Evidence) for every selector in it.

    Walks pydantic models, lists and tuples generically, so new Evidence fields need no code here;
    fields whose declared type cannot hold Evidence (strings, numbers, dates, enums) are skipped.
    """
    found: list[tuple[str, Evidence]] = []
    _collect(value, path, found)
    return iter(found)


def dataset_evidence(dataset: Dataset) -> Iterator[Evidence]:
    """Yields every Evidence selector of every record in the dataset, in fixture order."""
    if dataset.selectors:  # collected by the loader while it verified them
        yield from dataset.selectors
        return
    for stem in FIXTURE_MODELS:
        for record in dataset.tables[stem].values():
            for _, evidence in iter_evidence(record):
                yield evidence
