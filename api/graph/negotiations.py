"""GraphQL types for rounds of talks: Negotiation, its status reports, Delegate seats and their titles."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.graph.common import Attested, Evidence, PartialDate, Record, attested, evidence_list, partial_date
from api.graph.context import Info, data, described
from api.graph.people import Party, Person
from schema import models

if TYPE_CHECKING:
    from api.graph.discrepancies import Discrepancy


@strawberry.enum(description="Where a round of talks stood, as one source reports it.")
class NegotiationStatus(Enum):
    IN_PROGRESS = strawberry.enum_value("in-progress", description="The talks were still going on.")
    CONCLUDED = strawberry.enum_value("concluded", description="The talks had ended.")


@strawberry.type(description="A status as one or more sources report it.")
class StatusReport:
    status: NegotiationStatus = strawberry.field(description="The status reported.")
    evidence: list[Evidence] = strawberry.field(description="The spans that report it.")


@strawberry.type(description="A title as printed, with every span that prints it.")
class Title:
    title: str = strawberry.field(description="The title as printed, e.g. 'Vice Premier'.")
    citations: list[Evidence] = strawberry.field(description="The spans that print it.")


def _attested_value(value: models.Attested | None) -> str | None:
    return None if value is None else value.value


def _attested_evidence(value: models.Attested | None) -> list[Evidence]:
    return [] if value is None else evidence_list(value.evidence)


@strawberry.type(description="A round of talks between parties.")
class Negotiation(Record):
    record: strawberry.Private[models.Negotiation]

    @described("The round's name, e.g. 'US-China trade talks, London'.")
    def name(self) -> str:
        return self.record.name

    @described("The sides at the table.")
    def parties(self, info: Info) -> list[Party]:
        return [Party(record=data(info).parties[p]) for p in self.record.parties]

    @described("The city or place as printed; null if no seed says.")
    def location(self) -> str | None:
        return _attested_value(self.record.location)

    @described("The spans that print the location.")
    def location_evidence(self) -> list[Evidence]:
        return _attested_evidence(self.record.location)

    @described("The building as printed (e.g. Lancaster House); null if no seed says.")
    def venue(self) -> str | None:
        return _attested_value(self.record.venue)

    @described("The spans that print the venue.")
    def venue_evidence(self) -> list[Evidence]:
        return _attested_evidence(self.record.venue)

    @described("Who hosted the talks, as printed; null if no seed says.")
    def host(self) -> str | None:
        return _attested_value(self.record.host)

    @described("The spans that print the host.")
    def host_evidence(self) -> list[Evidence]:
        return _attested_evidence(self.record.host)

    @described("When the talks began, to its known precision; null if unknown.")
    def start_on(self) -> PartialDate | None:
        return partial_date(self.record.start_on)

    @described("When the talks ended, to its known precision; null if unknown.")
    def end_on(self) -> PartialDate | None:
        return partial_date(self.record.end_on)

    @described("The round before this one (e.g. Geneva before London); null if none.")
    def predecessor(self, info: Info) -> Negotiation | None:
        slug = self.record.predecessor
        return None if slug is None else Negotiation(record=data(info).negotiations[slug])

    @described("Status as each source reports it; sources may disagree.")
    def status(self) -> list[StatusReport]:
        return [
            StatusReport(status=NegotiationStatus[s.status.name], evidence=evidence_list(s.evidence))
            for s in self.record.status
        ]

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
        from api.graph.refs import slug_of

        wanted = None if party is None else slug_of(party, "Party")
        seats = data(info).delegates_by_negotiation.get(self.record.id, [])
        return [Delegate(record=d) for d in seats if wanted is None or d.party == wanted]

    @described(
        "Where the sources disagree about this round: discrepancies about it, or about one of "
        "its delegates. Variants can be narrowed with their own outlet/asOf arguments."
    )
    def discrepancies(
        self, info: Info
    ) -> list[Annotated[Discrepancy, strawberry.lazy("api.graph.discrepancies")]]:
        from api.graph.discrepancies import Discrepancy

        dataset = data(info)
        people = {d.person for d in dataset.delegates_by_negotiation.get(self.record.id, [])}
        return [
            Discrepancy(record=d)
            for d in dataset.discrepancies.values()
            if d.negotiation == self.record.id or (d.negotiation is None and d.person in people)
        ]

    @described("Rounds that name this one as their predecessor.")
    def successors(self, info: Info) -> list[Negotiation]:
        return [
            Negotiation(record=n) for n in data(info).negotiations.values() if n.predecessor == self.record.id
        ]


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

    @described("Whether the person led the party's delegation; null if no seed says.")
    def lead(self) -> bool | None:
        return self.record.lead

    @described("The spans that say the person led the delegation.")
    def lead_evidence(self) -> list[Evidence]:
        return evidence_list(self.record.lead_evidence)

    @described("Titles as printed (sources may differ), each with the spans that print it.")
    def titles(self) -> list[Title]:
        return [Title(title=t.title, citations=evidence_list(t.citations)) for t in self.record.titles]

    @described("The spans that place the person in the delegation.")
    def seat_evidence(self) -> list[Evidence]:
        return evidence_list(self.record.seat_evidence)
