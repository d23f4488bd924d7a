"""Shared GraphQL types: Evidence selectors, partial dates, attested values, verification, Record."""

from __future__ import annotations

import datetime as dt

import strawberry

from api.graph import enums
from api.graph.context import Info, data, described
from api.graph.relay import Node
from api.graph.type_registry import lazy, wrap
from schema import models

REF = " (slug or global ID)."
AS_OF = "certainly published on or before this day (unknown publication dates are left out)."
assert enums.Precision is models.Precision  # a GraphQL enum once api.graph.enums is imported


@strawberry.type(
    description="A W3C Web Annotation selector: the exact words in one seed text, with their "
    "surroundings and code point offsets, so a client can find and highlight them."
)
class Evidence:
    record: strawberry.Private[models.Evidence]

    @described(
        "The source (article) whose text holds the span.", graphql_type=lazy("Source", "api.graph.sources")
    )
    def source(self, info: Info) -> Node:
        node: Node = wrap("Source", data(info).sources[self.record.source])
        return node

    @described("The words, copied exactly from the seed text.")
    def exact(self) -> str:
        return self.record.exact

    @described("Up to 32 code points of text just before `exact`.")
    def prefix(self) -> str:
        return self.record.prefix

    @described("Up to 32 code points of text just after `exact`.")
    def suffix(self) -> str:
        return self.record.suffix

    @described("0-based code point offset of the first character in the seed text.")
    def start(self) -> int:
        return self.record.start

    @described("0-based code point offset just past the last character (exclusive).")
    def end(self) -> int:
        return self.record.end


def evidence_list(items: list[models.Evidence]) -> list[Evidence]:
    """Wraps pydantic selectors as GraphQL Evidence objects."""
    return [Evidence(record=e) for e in items]


@strawberry.type(description="A date known to a precision, with how it was derived and the words behind it.")
class PartialDate:
    record: strawberry.Private[models.PartialDate]

    @described("ISO 8601 date cut to its precision: 2025-06-10, 2025-06 or 2025.")
    def date(self) -> str:
        return self.record.date

    @described("How much of the date is known.")
    def precision(self) -> models.Precision:
        return self.record.precision

    @described("How the date was derived when the text does not print it whole.")
    def note(self) -> str | None:
        return self.record.note

    @described("First day the date can mean (2025-06 -> 2025-06-01).")
    def earliest(self) -> dt.date:
        return self.record.earliest()

    @described("Last day the date can mean (2025-06 -> 2025-06-30).")
    def latest(self) -> dt.date:
        return self.record.latest()

    @described("The spans the date rests on.")
    def evidence(self) -> list[Evidence]:
        return evidence_list(self.record.evidence)


def partial_date(value: models.PartialDate | None) -> PartialDate | None:
    """Wraps an optional pydantic partial date."""
    return None if value is None else PartialDate(record=value)


@strawberry.type(description="A value as the seeds state it, with the spans that state it.")
class Attested:
    value: str = strawberry.field(description="The value as printed.")
    evidence: list[Evidence] = strawberry.field(description="The spans that print it.")


def attested(items: list[models.Attested]) -> list[Attested]:
    """Wraps pydantic attested values."""
    return [Attested(value=a.value, evidence=evidence_list(a.evidence)) for a in items]


@strawberry.type(description="Why a field is null or how its value was derived.")
class FieldNote:
    field: str = strawberry.field(description="The field the note explains (snake_case, as in fixtures).")
    note: str = strawberry.field(description="The explanation.")


@strawberry.type(description="Who (a role, never a personal name), when and how a record was verified.")
class Verification:
    by: str = strawberry.field(description="The verifier's role, e.g. curator.")
    on: dt.date = strawberry.field(description="The day the record was verified.")
    methods: list[str] = strawberry.field(description="How: selector-checked, read-in-context.")


def field_notes(record: models.Verified) -> list[FieldNote]:
    """Returns a record's field notes as GraphQL objects."""
    return [FieldNote(field=n.field, note=n.note) for n in record.notes]


def verification_of(record: models.Verified) -> Verification:
    """Returns a record's verification as a GraphQL object."""
    v = record.verification
    return Verification(by=v.by, on=v.on, methods=[m.value for m in v.methods])


@strawberry.input(description="An inclusive range of days; either end may be left open.")
class DateRange:
    from_: dt.date | None = strawberry.field(
        default=None, name="from", description="First day of the range (inclusive)."
    )
    to: dt.date | None = strawberry.field(default=None, description="Last day of the range (inclusive).")

    def holds(self, value: models.PartialDate | None) -> bool:
        """Whether every day the partial date can mean lies in the range; null dates never match."""
        if value is None:
            return False
        if self.from_ is not None and value.earliest() < self.from_:
            return False
        return not (self.to is not None and value.latest() > self.to)


@strawberry.interface(
    description="A verified fixture record: a stable slug, notes on unknowns, verification."
)
class Record(Node):
    record: strawberry.Private[models.Verified]

    def slug(self) -> str:
        return self.record.id

    @described(name="slug", description="The record's kebab-case id in the fixtures, stable once published.")
    def slug_field(self) -> str:
        return self.record.id

    @described("Why fields are null or how their values were derived.")
    def notes(self) -> list[FieldNote]:
        return field_notes(self.record)

    @described("Who (a role), when and how the record was verified.")
    def verification(self) -> Verification:
        return verification_of(self.record)
