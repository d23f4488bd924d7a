"""Rounds of talks: Negotiation, its status reports, Delegate seats and their titles, with their
filters and orders."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.graph.common import (
    REF,
    Attested,
    Evidence,
    Record,
    attested,
    attested_fields,
    date_field,
    evidence_field,
    evidence_list,
    record_field,
)
from api.graph.context import Context, Info, data, described, index
from api.graph.entity import Entity
from api.graph.ordering import BY_NAME, Key, date_key
from api.graph.people import Party, Person
from api.graph.refs import slug_of, text_matches
from api.graph.relay import Node
from api.graph.type_registry import lazy_list, wrap
from schema.model import catalogue, models


@strawberry.type(description="A status as one or more sources report it.")
class StatusReport:
    status: models.NegotiationStatus = strawberry.field(description="The status reported.")
    evidence: list[Evidence] = strawberry.field(description="The spans that report it.")


@strawberry.type(description="A title as printed, with every span that prints it.")
class Title:
    title: str = strawberry.field(description="The title as printed, e.g. 'Vice Premier'.")
    citations: list[Evidence] = strawberry.field(description="The spans that print it.")


@strawberry.type(description="A round of talks between parties.")
class Negotiation(Record):
    record: strawberry.Private[models.Negotiation]

    name = record_field("name", str, "The round's name, e.g. 'US-China trade talks, London'.")

    @described("The sides at the table.")
    def parties(self, info: Info) -> list[Party]:
        return [Party(record=data(info).parties[p]) for p in self.record.parties]

    location, location_evidence = attested_fields(
        "location",
        "The city or place as printed; null if no seed says.",
        "The spans that print the location.",
    )
    venue, venue_evidence = attested_fields(
        "venue",
        "The building as printed (e.g. Lancaster House); null if no seed says.",
        "The spans that print the venue.",
    )
    host, host_evidence = attested_fields(
        "host", "Who hosted the talks, as printed; null if no seed says.", "The spans that print the host."
    )
    start_on = date_field("start_on", "When the talks began, to its known precision; null if unknown.")
    end_on = date_field("end_on", "When the talks ended, to its known precision; null if unknown.")

    @described("The round before this one (e.g. Geneva before London); null if none.")
    def predecessor(self, info: Info) -> Negotiation | None:
        slug = self.record.predecessor
        return None if slug is None else Negotiation(record=data(info).negotiations[slug])

    @described("Status as each source reports it; sources may disagree.")
    def status(self) -> list[StatusReport]:
        return [StatusReport(status=s.status, evidence=evidence_list(s.evidence)) for s in self.record.status]

    @described("Outcomes as reported, each with evidence.")
    def outcome(self) -> list[Attested]:
        return attested(self.record.outcome)

    @described("The delegation seats in this round, in file order.")
    def delegates(
        self,
        info: Info,
        party: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only seats of this Party (slug or ID).")
        ] = None,
    ) -> list[Delegate]:
        wanted = None if party is None else slug_of(party, "Party")
        seats = data(info).delegates_by_negotiation.get(self.record.id, [])
        return [Delegate(record=d) for d in seats if wanted is None or d.party == wanted]

    @described(
        "Where the sources disagree about this round: discrepancies about it, or about one of "
        "its delegates. Variants can be narrowed with their own outlet/asOf arguments.",
        graphql_type=lazy_list("Discrepancy", "api.graph.discrepancies"),
    )
    def discrepancies(self, info: Info) -> list[Node]:
        return [
            wrap("Discrepancy", d) for d in index(info).discrepancies_by_negotiation.get(self.record.id, [])
        ]

    @described("Rounds that name this one as their predecessor.")
    def successors(self, info: Info) -> list[Negotiation]:
        return [Negotiation(record=n) for n in index(info).successors.get(self.record.id, [])]


@strawberry.type(description="A person's seat in one negotiation's delegation.")
class Delegate(Record):
    record: strawberry.Private[models.Delegate]

    @described("The negotiation.")
    def negotiation(self, info: Info) -> Negotiation:
        return Negotiation(record=data(info).negotiations[self.record.negotiation])

    @described("The person holding the seat.")
    def person(self, info: Info) -> Person:
        return Person(record=data(info).people[self.record.person])

    @described("The side the person sits for.")
    def party(self, info: Info) -> Party:
        return Party(record=data(info).parties[self.record.party])

    lead = record_field(
        "lead", bool | None, "Whether the person led the party's delegation; null if no seed says."
    )
    lead_evidence = evidence_field("lead_evidence", "The spans that say the person led the delegation.")

    @described("Titles as printed (sources may differ), each with the spans that print it.")
    def titles(self) -> list[Title]:
        return [Title(title=t.title, citations=evidence_list(t.citations)) for t in self.record.titles]

    seat_evidence = evidence_field("seat_evidence", "The spans that place the person in the delegation.")


@strawberry.input(description="Conditions on negotiations.")
class NegotiationFilter:
    text: str | None = strawberry.field(
        default=None, description="Words in the name, location, venue or host."
    )
    party: strawberry.ID | None = strawberry.field(default=None, description="A Party at the table" + REF)

    def passes(self, _: Context, r: models.Negotiation) -> bool:
        """Whether the negotiation meets every condition."""
        if self.party is not None and slug_of(self.party, "Party") not in r.parties:
            return False
        places = (None if a is None else a.value for a in (r.location, r.venue, r.host))
        return text_matches(self.text, r.name, *places)


@strawberry.input(description="Conditions on delegate seats.")
class DelegateFilter:
    negotiation: strawberry.ID | None = strawberry.field(default=None, description="The Negotiation" + REF)
    person: strawberry.ID | None = strawberry.field(default=None, description="The Person" + REF)
    party: strawberry.ID | None = strawberry.field(default=None, description="The Party" + REF)
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


NEGOTIATIONS = Entity(
    stem=catalogue.NEGOTIATIONS.stem,
    object_type=Negotiation,
    filter=NegotiationFilter,
    order_keys=dict(
        NAME=BY_NAME,
        START_ON=Key("By start date; unknown last.", lambda _, r: date_key(r.start_on)),
    ),
    lookup_doc="A negotiation by slug.",
    connection_doc="Rounds of talks.",
)
DELEGATES = Entity(
    stem=catalogue.DELEGATES.stem,
    object_type=Delegate,
    filter=DelegateFilter,
    order_keys=dict(
        PERSON_NAME=Key(
            "By the delegate's canonical name.", lambda c, r: c.dataset.people[r.person].name.casefold()
        ),
    ),
    indexed={
        "negotiation": ("Negotiation", lambda c: c.dataset.delegates_by_negotiation),
        "person": ("Person", lambda c: c.dataset.delegates_by_person),
        "party": ("Party", lambda c: c.index.delegates_by_party),
    },
    lookup_doc="A delegate seat by slug.",
    connection_doc="Delegate seats: a person in one negotiation's delegation.",
)
