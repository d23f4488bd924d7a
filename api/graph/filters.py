"""Filter inputs for every root connection except claims (see claim_filter); all conditions must hold."""

from __future__ import annotations

import datetime as dt

import strawberry

from api.graph.claims import CitationMode
from api.graph.common import DateRange
from api.graph.context import Context
from api.graph.discrepancies import DiscrepancyKind
from api.graph.indexes import published_by
from api.graph.people import PersonKind
from api.graph.refs import citation_matches, slug_of, text_matches
from api.graph.sources import OutletKind
from schema import models

_REF = " (slug or global ID)."
_AS_OF = "certainly published on or before this day (unknown publication dates are left out)."


@strawberry.input(description="Conditions on outlets.")
class OutletFilter:
    text: str | None = strawberry.field(default=None, description="Words in the name or an alias.")
    kind: OutletKind | None = strawberry.field(default=None, description="The kind of publisher.")

    def passes(self, _: Context, r: models.Outlet) -> bool:
        """Whether the outlet meets every condition."""
        if self.kind is not None and r.kind.name != self.kind.name:
            return False
        return text_matches(self.text, r.name, *(a.name for a in r.aliases))


@strawberry.input(description="Conditions on sources (articles).")
class SourceFilter:
    outlet: strawberry.ID | None = strawberry.field(default=None, description="The publishing Outlet" + _REF)
    published_on: DateRange | None = strawberry.field(
        default=None, description="Certainly published within this range."
    )
    as_of: dt.date | None = strawberry.field(default=None, description="Articles " + _AS_OF)
    text: str | None = strawberry.field(
        default=None, description="Words in the headline, author, seed file name or full text."
    )

    def passes(self, c: Context, r: models.Source) -> bool:
        """Whether the source meets every condition."""
        if self.outlet is not None and r.outlet != slug_of(self.outlet, "Outlet"):
            return False
        if self.published_on is not None and not self.published_on.holds(r.published_on):
            return False
        if self.as_of is not None and not published_by(r, self.as_of):
            return False
        headline = None if r.headline is None else r.headline.value
        author = None if r.author is None else r.author.value
        return text_matches(self.text, headline, author, r.seed, c.dataset.seed_texts.get(r.id))


@strawberry.input(description="Conditions on parties.")
class PartyFilter:
    text: str | None = strawberry.field(default=None, description="Words in the party's name.")

    def passes(self, _: Context, r: models.Party) -> bool:
        """Whether the party meets every condition."""
        return text_matches(self.text, r.name)


@strawberry.input(description="Conditions on people.")
class PersonFilter:
    name: str | None = strawberry.field(
        default=None, description="Words in the canonical name or any alias (case- and quote-insensitive)."
    )
    named: bool | None = strawberry.field(default=None, description="Named (true) or unnamed (false).")
    kind: PersonKind | None = strawberry.field(default=None, description="Individual or group.")
    party: strawberry.ID | None = strawberry.field(
        default=None, description="Sits for, or is affiliated with, this Party" + _REF
    )
    negotiation: strawberry.ID | None = strawberry.field(
        default=None, description="Holds a delegate seat in this Negotiation" + _REF
    )

    def passes(self, c: Context, r: models.Person) -> bool:
        """Whether the person meets every condition."""
        if self.named is not None and r.named != self.named:
            return False
        if self.kind is not None and r.kind.name != self.kind.name:
            return False
        if self.party is not None and slug_of(self.party, "Party") not in c.index.parties_by_person.get(
            r.id, set()
        ):
            return False
        if self.negotiation is not None:
            wanted = slug_of(self.negotiation, "Negotiation")
            if all(d.negotiation != wanted for d in c.dataset.delegates_by_person.get(r.id, [])):
                return False
        return text_matches(self.name, r.name, *(a.name for a in r.aliases))


@strawberry.input(description="Conditions on negotiations.")
class NegotiationFilter:
    text: str | None = strawberry.field(
        default=None, description="Words in the name, location, venue or host."
    )
    party: strawberry.ID | None = strawberry.field(default=None, description="A Party at the table" + _REF)

    def passes(self, _: Context, r: models.Negotiation) -> bool:
        """Whether the negotiation meets every condition."""
        if self.party is not None and slug_of(self.party, "Party") not in r.parties:
            return False
        places = (None if a is None else a.value for a in (r.location, r.venue, r.host))
        return text_matches(self.text, r.name, *places)


@strawberry.input(description="Conditions on delegate seats.")
class DelegateFilter:
    negotiation: strawberry.ID | None = strawberry.field(default=None, description="The Negotiation" + _REF)
    person: strawberry.ID | None = strawberry.field(default=None, description="The Person" + _REF)
    party: strawberry.ID | None = strawberry.field(default=None, description="The Party" + _REF)
    lead: bool | None = strawberry.field(default=None, description="Led the delegation (true) or not.")

    def passes(self, _: Context, r: models.Delegate) -> bool:
        """Whether the seat meets every condition."""
        if self.negotiation is not None and r.negotiation != slug_of(self.negotiation, "Negotiation"):
            return False
        if self.person is not None and r.person != slug_of(self.person, "Person"):
            return False
        if self.party is not None and r.party != slug_of(self.party, "Party"):
            return False
        return self.lead is None or r.lead is self.lead


@strawberry.input(description="Conditions on citations (claims as each article reports them).")
class CitationFilter:
    claim: strawberry.ID | None = strawberry.field(default=None, description="The Claim" + _REF)
    speaker: strawberry.ID | None = strawberry.field(default=None, description="The claim's speaker" + _REF)
    source: strawberry.ID | None = strawberry.field(default=None, description="The citing Source" + _REF)
    outlet: strawberry.ID | None = strawberry.field(default=None, description="The publishing Outlet" + _REF)
    mode: CitationMode | None = strawberry.field(default=None, description="Direct, partial or paraphrase.")
    published_on: DateRange | None = strawberry.field(
        default=None, description="The article was certainly published within this range."
    )
    as_of: dt.date | None = strawberry.field(default=None, description="Citations in articles " + _AS_OF)
    text: str | None = strawberry.field(default=None, description="Words in the cited span.")

    def passes(self, c: Context, r: models.Citation) -> bool:
        """Whether the citation meets every condition."""
        if self.claim is not None and r.claim != slug_of(self.claim, "Claim"):
            return False
        if self.speaker is not None and c.dataset.claims[r.claim].speaker != slug_of(self.speaker, "Person"):
            return False
        if self.published_on is not None and not self.published_on.holds(
            c.dataset.sources[r.evidence.source].published_on
        ):
            return False
        mode = None if self.mode is None else self.mode.name
        if not citation_matches(
            c.dataset, r, outlet=self.outlet, source=self.source, mode=mode, as_of=self.as_of
        ):
            return False
        return text_matches(self.text, r.evidence.exact)


@strawberry.input(description="Conditions on discrepancies.")
class DiscrepancyFilter:
    kind: DiscrepancyKind | None = strawberry.field(default=None, description="The kind of disagreement.")
    negotiation: strawberry.ID | None = strawberry.field(default=None, description="The Negotiation" + _REF)
    person: strawberry.ID | None = strawberry.field(default=None, description="The Person" + _REF)
    text: str | None = strawberry.field(
        default=None, description="Words in the subject or a variant's value."
    )

    def passes(self, _: Context, r: models.Discrepancy) -> bool:
        """Whether the discrepancy meets every condition."""
        if self.kind is not None and r.kind.name != self.kind.name:
            return False
        if self.negotiation is not None and r.negotiation != slug_of(self.negotiation, "Negotiation"):
            return False
        if self.person is not None and r.person != slug_of(self.person, "Person"):
            return False
        return text_matches(self.text, r.subject, *(v.value for v in r.variants))
