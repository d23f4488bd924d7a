"""The claim filter: who spoke, for which side, where it was reported, when, and what was said."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import strawberry

from api.graph.claims import CitationMode
from api.graph.common import DateRange
from api.graph.context import Context
from api.graph.refs import citation_matches, slug_of
from api.graph.text import normalise
from schema.models import Citation, Claim


@strawberry.input(
    description="Conditions on claims; all given conditions must hold. References take a slug or a "
    "global ID. Citation conditions (outlet, source, mode, publishedOn, asOf) must all hold for one "
    "and the same citation."
)
class ClaimFilter:
    speaker: strawberry.ID | None = strawberry.field(default=None, description="The speaking Person.")
    party: strawberry.ID | None = strawberry.field(
        default=None, description="The speaker's Party (from delegate seats and reported affiliations)."
    )
    delegates_only: bool | None = strawberry.field(
        default=None,
        description="true: only claims by people holding a delegate seat (in the claim's negotiation when "
        "it has one); false: only claims by anyone else.",
    )
    outlet: strawberry.ID | None = strawberry.field(
        default=None, description="As reported by: an Outlet that published an article citing the claim."
    )
    source: strawberry.ID | None = strawberry.field(default=None, description="A Source citing the claim.")
    negotiation: strawberry.ID | None = strawberry.field(
        default=None, description="The Negotiation the claim is about."
    )
    mode: CitationMode | None = strawberry.field(
        default=None, description="A citation reports the claim in this mode."
    )
    topic: str | None = strawberry.field(default=None, description="A topic slug, e.g. rare-earths.")
    said_on: DateRange | None = strawberry.field(
        default=None,
        description="The words were certainly said within this range (unknown dates never match).",
    )
    published_on: DateRange | None = strawberry.field(
        default=None, description="A citing article was certainly published within this range."
    )
    as_of: dt.date | None = strawberry.field(
        default=None,
        description="As of a day: a citing article was certainly published on or before it "
        "(articles with unknown publication date are left out).",
    )
    text: str | None = strawberry.field(
        default=None,
        description="Words in a citation's quoted text, the summary, or the speaker's name or aliases; "
        "case-insensitive, straight and curly quotes alike.",
    )

    def has_citation_conditions(self) -> bool:
        """Whether any condition applies to individual citations."""
        return any(
            x is not None for x in (self.outlet, self.source, self.mode, self.published_on, self.as_of)
        )

    def citation_passes(self, context: Context, citation: Citation) -> bool:
        """Whether one citation meets every citation-level condition."""
        if self.published_on is not None and not self.published_on.holds(
            context.dataset.sources[citation.evidence.source].published_on
        ):
            return False
        return citation_matches(
            context.dataset,
            citation,
            outlet=self.outlet,
            source=self.source,
            mode=None if self.mode is None else self.mode.name,
            as_of=self.as_of,
        )

    def passes(self, context: Context, claim: Claim) -> bool:
        """Whether a claim meets every condition of the filter."""
        dataset, index = context.dataset, context.index
        if self.speaker is not None and claim.speaker != slug_of(self.speaker, "Person"):
            return False
        if self.party is not None and slug_of(self.party, "Party") not in index.parties_by_person.get(
            claim.speaker, set()
        ):
            return False
        if self.delegates_only is not None and self.delegates_only != _is_delegate(context, claim):
            return False
        if self.negotiation is not None and claim.negotiation != slug_of(self.negotiation, "Negotiation"):
            return False
        if self.topic is not None and self.topic not in claim.topics:
            return False
        if self.said_on is not None and not self.said_on.holds(claim.said_on):
            return False
        if self.text is not None:
            wanted = normalise(self.text)
            if not any(wanted in t for t in index.claim_texts[claim.id]):
                return False
        if self.has_citation_conditions():
            citations = dataset.citations_by_claim.get(claim.id, [])
            return any(self.citation_passes(context, c) for c in citations)
        return True


def _is_delegate(context: Context, claim: Claim) -> bool:
    seats = context.dataset.delegates_by_person.get(claim.speaker, [])
    if claim.negotiation is None:
        return bool(seats)
    return any(d.negotiation == claim.negotiation for d in seats)


def filter_claims(
    context: Context, claims: Iterable[Claim], where: ClaimFilter | None
) -> Sequence[Claim]:
    """Takes claims in file order and returns those the filter keeps (all of them without a filter:
    a Sequence given is returned as it is, so a snapshot's lazy list stays lazy)."""
    if where is None:
        return claims if isinstance(claims, Sequence) else list(claims)
    return [c for c in claims if where.passes(context, c)]
