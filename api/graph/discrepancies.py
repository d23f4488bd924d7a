"""Disagreements between sources: Discrepancy and its Variants, each with citations, with the
discrepancy filter and order."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from api.graph.claims import AsOfArg
from api.graph.common import REF, Evidence, Record, evidence_list, record_field
from api.graph.context import Context, Info, data, described
from api.graph.entity import Entity
from api.graph.indexes import published_by
from api.graph.negotiations import Negotiation
from api.graph.ordering import Key
from api.graph.people import Person
from api.graph.refs import slug_of, text_matches
from schema.model import catalogue, models


@strawberry.type(description="One version of a disputed value, with the spans that give it.")
class Variant:
    value: str = strawberry.field(description="This version of the value, as printed.")
    citations: list[Evidence] = strawberry.field(description="The spans that give this version.")


VariantOutletArg = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="As reported by: keep only spans in articles this Outlet published."),
]


def variants_of(
    info: Info, record: models.Discrepancy, outlet: str | None, as_of: dt.date | None
) -> list[Variant]:
    """Returns the variants whose citations survive the outlet / as-of narrowing (empty ones dropped)."""
    dataset = data(info)
    wanted = None if outlet is None else slug_of(outlet, "Outlet")
    kept = []
    for variant in record.variants:
        spans = []
        for evidence in variant.citations:
            source = dataset.sources[evidence.source]
            if wanted is not None and source.outlet != wanted:
                continue
            if as_of is not None and not published_by(source, as_of):
                continue
            spans.append(evidence)
        if spans:
            kept.append(Variant(value=variant.value, citations=evidence_list(spans)))
    return kept


@strawberry.type(description="A point where sources disagree; every version is kept with its citations.")
class Discrepancy(Record):
    record: strawberry.Private[models.Discrepancy]

    subject = record_field("subject", str, "What is disputed, in a few words.")
    kind = record_field("kind", models.DiscrepancyKind, "The kind of disagreement.")

    @described("The negotiation it concerns; null if none.")
    def negotiation(self, info: Info) -> Negotiation | None:
        slug = self.record.negotiation
        return None if slug is None else Negotiation(record=data(info).negotiations[slug])

    @described("The person it concerns; null if none.")
    def person(self, info: Info) -> Person | None:
        slug = self.record.person
        return None if slug is None else Person(record=data(info).people[slug])

    @described(
        "Each version with its citations. With `outlet` or `asOf`, spans from other articles "
        "are hidden and versions left without spans are dropped."
    )
    def variants(self, info: Info, outlet: VariantOutletArg = None, as_of: AsOfArg = None) -> list[Variant]:
        return variants_of(info, self.record, outlet, as_of)


@strawberry.input(description="Conditions on discrepancies.")
class DiscrepancyFilter:
    kind: models.DiscrepancyKind | None = strawberry.field(
        default=None, description="The kind of disagreement."
    )
    negotiation: strawberry.ID | None = strawberry.field(default=None, description="The Negotiation" + REF)
    person: strawberry.ID | None = strawberry.field(default=None, description="The Person" + REF)
    text: str | None = strawberry.field(
        default=None, description="Words in the subject or a variant's value."
    )

    def passes(self, _: Context, r: models.Discrepancy) -> bool:
        """Whether the discrepancy meets every condition."""
        if self.kind is not None and r.kind is not self.kind:
            return False
        if self.negotiation is not None and r.negotiation != slug_of(self.negotiation, "Negotiation"):
            return False
        if self.person is not None and r.person != slug_of(self.person, "Person"):
            return False
        return text_matches(self.text, r.subject, *(v.value for v in r.variants))


DISCREPANCIES = Entity(
    stem=catalogue.DISCREPANCIES.stem,
    object_type=Discrepancy,
    filter=DiscrepancyFilter,
    order_keys=dict(
        SUBJECT=Key("By subject, alphabetically.", lambda _, r: r.subject.casefold()),
        KIND=Key("By kind of disagreement.", lambda _, r: r.kind.value),
    ),
    lookup_doc="A discrepancy by slug.",
    connection_doc="Points where the sources disagree.",
)
