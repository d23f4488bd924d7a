"""Shared GraphQL types: Evidence selectors, partial dates, attested values, verification, Record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import strawberry

from api.graph import enums
from api.graph.context import Info, data, described
from api.graph.relay import Node
from api.graph.type_registry import lazy, wrap
from schema.model import models

REF = " (slug or global ID)."
AS_OF = "certainly published on or before this day (unknown publication dates are left out)."
assert enums.Precision is models.Precision  # a GraphQL enum once api.graph.enums is imported


def record_field(
    attribute: str, graphql_type: Any, description: str, convert: Callable[[Any], Any] | None = None
) -> Any:
    """A field giving one attribute of the wrapped record, as it is or converted (e.g. wrapped):
    `name = record_field("name", str, "The party's name.")`. Its name is the class attribute's."""
    if convert is None:

        def read(self: Any) -> Any:
            return getattr(self.record, attribute)
    else:
        wrap = convert

        def read(self: Any) -> Any:
            return wrap(getattr(self.record, attribute))

    return strawberry.field(resolver=read, graphql_type=graphql_type, description=description)


def evidence_field(attribute: str, description: str) -> Any:
    """A field giving the record's list of selectors (an attribute) as Evidence objects."""
    return record_field(attribute, list[Evidence], description, evidence_list)


def date_field(attribute: str, description: str) -> Any:
    """A field giving the record's optional partial date (an attribute) as a PartialDate."""
    return record_field(attribute, PartialDate | None, description, partial_date)


def attested_fields(attribute: str, value_doc: str, evidence_doc: str) -> tuple[Any, Any]:
    """The two fields of an optional attested value: the value as printed, and its evidence.

    `headline, headline_evidence = attested_fields("headline", "The headline ...", "The spans ...")`
    """
    return (
        record_field(attribute, str | None, value_doc, lambda a: None if a is None else a.value),
        record_field(
            attribute, list[Evidence], evidence_doc, lambda a: [] if a is None else evidence_list(a.evidence)
        ),
    )


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
        return wrap("Source", data(info).sources[self.record.source])

    exact = record_field("exact", str, "The words, copied exactly from the seed text.")
    prefix = record_field("prefix", str, "Up to 32 code points of text just before `exact`.")
    suffix = record_field("suffix", str, "Up to 32 code points of text just after `exact`.")
    start = record_field("start", int, "0-based code point offset of the first character in the seed text.")
    end = record_field("end", int, "0-based code point offset just past the last character (exclusive).")


def evidence_list(items: list[models.Evidence]) -> list[Evidence]:
    """Wraps pydantic selectors as GraphQL Evidence objects."""
    return [Evidence(record=e) for e in items]


@strawberry.type(description="A date known to a precision, with how it was derived and the words behind it.")
class PartialDate:
    record: strawberry.Private[models.PartialDate]

    date = record_field("date", str, "ISO 8601 date cut to its precision: 2025-06-10, 2025-06 or 2025.")
    precision = record_field("precision", models.Precision, "How much of the date is known.")
    note = record_field("note", str | None, "How the date was derived when the text does not print it whole.")

    @described("First day the date can mean (2025-06 -> 2025-06-01).")
    def earliest(self) -> dt.date:
        return self.record.earliest()

    @described("Last day the date can mean (2025-06 -> 2025-06-30).")
    def latest(self) -> dt.date:
        return self.record.latest()

    evidence = evidence_field("evidence", "The spans the date rests on.")


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

    def sql(self, earliest: str, latest: str) -> tuple[str, list[str]]:
        """`holds` as one SQL condition over two columns holding a partial date's first and last
        day (ISO, NULL when the date is unknown), with its parameters."""
        conditions, params = [f"{earliest} IS NOT NULL"], []
        if self.from_ is not None:
            conditions.append(f"{earliest} >= ?")
            params.append(self.from_.isoformat())
        if self.to is not None:
            conditions.append(f"{latest} <= ?")
            params.append(self.to.isoformat())
        return "(" + " AND ".join(conditions) + ")", params


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
