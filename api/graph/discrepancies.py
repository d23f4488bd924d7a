"""GraphQL types for disagreements between sources: Discrepancy and its Variants, each with citations."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.graph.claims import AsOfArg
from api.graph.common import Evidence, Record, evidence_list
from api.graph.context import Info, data, described
from api.graph.indexes import published_by
from api.graph.people import Person
from api.graph.refs import slug_of
from schema import models

if TYPE_CHECKING:
    from api.graph.negotiations import Negotiation


@strawberry.enum(description="What the sources disagree about.")
class DiscrepancyKind(Enum):
    SPELLING = strawberry.enum_value("spelling", description="How a name is spelled.")
    TITLE = strawberry.enum_value("title", description="A person's title or office.")
    STATUS = strawberry.enum_value("status", description="Where the talks stood (e.g. concluded or not).")
    FIGURE = strawberry.enum_value("figure", description="A number, such as a tariff rate.")
    DATE = strawberry.enum_value("date", description="When something happened.")


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

    @described("What is disputed, in a few words.")
    def subject(self) -> str:
        return self.record.subject

    @described("The kind of disagreement.")
    def kind(self) -> DiscrepancyKind:
        return DiscrepancyKind[self.record.kind.name]

    @described("The negotiation it concerns; null if none.")
    def negotiation(
        self, info: Info
    ) -> Annotated[Negotiation, strawberry.lazy("api.graph.negotiations")] | None:
        from api.graph.negotiations import Negotiation

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
