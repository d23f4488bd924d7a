"""Value types every fixture record is built from: ids, evidence selectors, dates, verification."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from functools import lru_cache
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SLUG_PATTERN = r"^[a-z0-9]+(?:--?[a-z0-9]+)*$"
Slug = Annotated[
    str,
    Field(pattern=SLUG_PATTERN, description="Lowercase kebab-case identifier, stable once published."),
]
NonEmpty = Annotated[str, Field(min_length=1)]


class Record(BaseModel):
    """Base for every fixture model: immutable, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Evidence(Record):
    """A W3C Web Annotation selector into one seed text (quote and position at once)."""

    source: Slug = Field(description="Id of the Source whose seed text holds the span.")
    exact: NonEmpty = Field(description="The words, copied byte for byte from the seed text.")
    prefix: str = Field(description="Up to 32 code points of seed text just before `exact`.")
    suffix: str = Field(description="Up to 32 code points of seed text just after `exact`.")
    start: int = Field(ge=0, description="0-based code point offset of the first character.")
    end: int = Field(ge=1, description="0-based code point offset just past the last character.")

    @model_validator(mode="after")
    def _span_matches_exact(self) -> Evidence:
        if self.end - self.start != len(self.exact):
            raise ValueError(
                f"end - start = {self.end - self.start} but exact has {len(self.exact)} code points"
            )
        return self


Citations = Annotated[list[Evidence], Field(min_length=1)]


class Precision(StrEnum):
    """How much of a date is known."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


_DATE_SHAPES = {
    Precision.DAY: re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    Precision.MONTH: re.compile(r"^\d{4}-\d{2}$"),
    Precision.YEAR: re.compile(r"^\d{4}$"),
}


class PartialDate(Record):
    """A date known to a precision, with the words it rests on and how it was derived."""

    date: str = Field(description="ISO 8601 date cut to its precision: 2025-06-10, 2025-05 or 2025.")
    precision: Precision
    note: str | None = Field(
        default=None, description="How the date was derived when the text does not print it whole."
    )
    evidence: Citations

    @model_validator(mode="after")
    def _shape_matches_precision(self) -> PartialDate:
        if not _DATE_SHAPES[self.precision].match(self.date):
            raise ValueError(f"date {self.date!r} does not have {self.precision.value} precision")
        self.earliest()  # rejects impossible dates such as 2025-02-30
        return self

    def earliest(self) -> dt.date:
        """Takes the partial date and returns the first day it can mean."""
        return _day_bounds(self.date, self.precision)[0]

    def latest(self) -> dt.date:
        """Takes the partial date and returns the last day it can mean."""
        return _day_bounds(self.date, self.precision)[1]


@lru_cache(maxsize=4096)  # a dataset has few distinct dates; filters and sorts ask for them per record
def _day_bounds(date: str, precision: Precision) -> tuple[dt.date, dt.date]:
    """Returns the first and the last day a partial date can mean; ValueError if it is impossible."""
    parts = [int(p) for p in date.split("-")] + [1, 1]
    first = dt.date(parts[0], parts[1], parts[2])
    if precision is Precision.DAY:
        return first, first
    if precision is Precision.YEAR:
        return first, dt.date(first.year, 12, 31)
    next_month = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, next_month - dt.timedelta(days=1)


class Attested(Record):
    """A value as the seeds state it, with the spans that state it."""

    value: NonEmpty
    evidence: Citations


class FieldNote(Record):
    """Why a field is null or how its value was derived."""

    field: NonEmpty = Field(description="The field the note explains.")
    note: NonEmpty


DRAFT_METHOD = "draft-proposed"
"""The verification method of a record `parley propose` drafted: validate refuses it until a curator
has read the record and says how it was checked."""


class VerificationMethod(StrEnum):
    """How a record was checked."""

    SELECTOR_CHECKED = "selector-checked"
    READ_IN_CONTEXT = "read-in-context"


class Verification(Record):
    """Who (a role), when and how a record was verified."""

    by: Slug = Field(description="The verifier's role, never a personal name, e.g. curator.")
    on: dt.date
    methods: list[VerificationMethod] = Field(min_length=1)

    @field_validator("methods", mode="before")
    @classmethod
    def _not_a_draft(cls, methods: object) -> object:
        if isinstance(methods, list) and DRAFT_METHOD in methods:
            raise ValueError(
                f"{DRAFT_METHOD}: a draft from `parley propose` that no curator has confirmed; read it"
                " against the seed, correct it, then set methods to what you checked"
                " (selector-checked, read-in-context)"
            )
        return methods


class Verified(Record):
    """A fixture record: an id, notes on unknowns, and its verification."""

    id: Slug
    notes: list[FieldNote] = Field(default_factory=list)
    verification: Verification

    def _require_notes_for_nulls(self, *fields: str) -> None:
        noted = {n.field for n in self.notes}
        for name in fields:
            if getattr(self, name) is None and name not in noted:
                raise ValueError(f"{name} is null but has no note saying why")
