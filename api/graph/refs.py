"""Turning client references (slug or global ID) into record slugs, and common filter helpers."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from api.errors import UserInputError, excerpt
from api.graph.indexes import published_by
from api.graph.relay import split_global_id
from api.graph.text import normalise
from schema.model.dataset import Dataset
from schema.model.models import Citation, Source

_TYPE_NAME = re.compile(r"^[A-Z][A-Za-z]*$")


def slug_of(value: str, type_name: str) -> str:
    """Takes a slug or a global ID of `type_name` and returns the slug.

    A global ID of another type is a client error (passing a Person id as a source, say).
    """
    parts = split_global_id(value)
    if parts is None or not _TYPE_NAME.match(parts[0]):
        return value
    kind, slug = parts
    if kind != type_name:
        raise UserInputError(
            f"{excerpt(value)} is a {kind} ID, but this argument takes a slug or ID of type {type_name}"
        )
    return slug


def text_matches(needle: str | None, *haystacks: str | None) -> bool:
    """Whether needle (if given) occurs in any haystack, case- and quote-insensitively."""
    if needle is None:
        return True
    wanted = normalise(needle)
    return any(h is not None and wanted in normalise(h) for h in haystacks)


def citation_matches(
    dataset: Dataset,
    citation: Citation,
    *,
    outlet: str | None = None,
    source: str | None = None,
    mode: str | None = None,  # a CitationMode name, e.g. DIRECT
    as_of: dt.date | None = None,
) -> bool:
    """Whether one citation passes the citation-level conditions given (slugs, mode value, as-of day).

    `outlet` means the outlet that published the citing article ("as reported by"); `as_of` keeps only
    citations from articles certainly published by that day (unknown dates are left out).
    """
    record: Source = dataset.sources[citation.evidence.source]
    if outlet is not None and record.outlet != slug_of(outlet, "Outlet"):
        return False
    if source is not None and record.id != slug_of(source, "Source"):
        return False
    if mode is not None and citation.mode.name != mode:
        return False
    return as_of is None or published_by(record, as_of)


def independent_stories(dataset: Dataset, citations: Sequence[Citation]) -> set[str]:
    """Takes citations and returns the distinct stories behind them.

    A syndicated copy (a Source whose credit names an origin outlet, e.g. adapted from AP) counts as
    that origin's story; every other article counts as itself.
    """
    stories = set()
    for citation in citations:
        source = dataset.sources[citation.evidence.source]
        stories.add(f"outlet:{source.credit.origin}" if source.credit else f"source:{source.id}")
    return stories
