"""GraphQL types for who speaks and for which side: Person, Affiliation, Party."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.graph.claim_filter import ClaimFilter, filter_claims
from api.graph.claims import Claim
from api.graph.common import Evidence, Record, evidence_list
from api.graph.context import Info, data, described
from api.graph.ordering import apply_order
from api.graph.orders import KEYS, ClaimOrder
from api.graph.relay import After, Before, Connection, First, Last, paginate
from api.graph.sources import Alias, aliases
from schema import models

if TYPE_CHECKING:
    from api.graph.negotiations import Delegate


@strawberry.enum(description="Whether a speaker is one person or a described group.")
class PersonKind(Enum):
    INDIVIDUAL = strawberry.enum_value("individual", description="One person.")
    GROUP = strawberry.enum_value("group", description="A described group, e.g. 'analysts'.")


@strawberry.type(description="A side in a negotiation (a government).")
class Party(Record):
    record: strawberry.Private[models.Party]

    @described("The party's name.")
    def name(self) -> str:
        return self.record.name

    @described("The spans that name the party.")
    def evidence(self) -> list[Evidence]:
        return evidence_list(self.record.evidence)

    @described("Delegate seats held for this party, across negotiations, in file order.")
    def delegates(self, info: Info) -> list[Annotated[Delegate, strawberry.lazy("api.graph.negotiations")]]:
        from api.graph.negotiations import Delegate

        return [Delegate(record=d) for d in data(info).delegates.values() if d.party == self.record.id]


@strawberry.type(description="A role or organisation a seed gives a person, as printed.")
class Affiliation:
    record: strawberry.Private[models.Affiliation]

    @described("The role as printed, e.g. 'research director'.")
    def role(self) -> str:
        return self.record.role

    @described("The organisation as printed; null if none.")
    def organization(self) -> str | None:
        return self.record.organization

    @described("The party the role belongs to, if any.")
    def party(self, info: Info) -> Party | None:
        slug = self.record.party
        return None if slug is None else Party(record=data(info).parties[slug])

    @described("The spans that print the affiliation.")
    def evidence(self) -> list[Evidence]:
        return evidence_list(self.record.evidence)


@strawberry.type(description="Anyone who speaks or is named; an unnamed speaker is kept as described.")
class Person(Record):
    record: strawberry.Private[models.Person]

    @described("Canonical name, or the description for an unnamed speaker.")
    def name(self) -> str:
        return self.record.name

    @described("Whether the seeds name the speaker (false: 'a spokesperson').")
    def named(self) -> bool:
        return self.record.named

    @described("One person or a described group.")
    def kind(self) -> PersonKind:
        return PersonKind[self.record.kind.name]

    @described("The curator's short description; null if none.")
    def description(self) -> str | None:
        return self.record.description

    @described("Every spelling of the name in the seeds, with evidence.")
    def aliases(self) -> list[Alias]:
        return aliases(self.record.aliases)

    @described("Roles and organisations as reported, with evidence.")
    def affiliations(self) -> list[Affiliation]:
        return [Affiliation(record=a) for a in self.record.affiliations]

    @described("The person's seats in negotiations' delegations.")
    def delegate_seats(
        self, info: Info
    ) -> list[Annotated[Delegate, strawberry.lazy("api.graph.negotiations")]]:
        from api.graph.negotiations import Delegate

        return [Delegate(record=d) for d in data(info).delegates_by_person.get(self.record.id, [])]

    @described("What the person said: a connection of claims, filtered and ordered.")
    def claims(
        self,
        info: Info,
        filter: Annotated[
            ClaimFilter | None, strawberry.argument(description="Conditions on the claims.")
        ] = None,
        order_by: Annotated[
            ClaimOrder | None, strawberry.argument(description="Sort order (default: file order).")
        ] = None,
        first: First = None,
        last: Last = None,
        after: After = None,
        before: Before = None,
    ) -> Connection[Claim]:
        context = info.context
        own = context.dataset.claims_by_speaker.get(self.record.id, [])
        kept = apply_order(order_by, filter_claims(context, own, filter), context, KEYS["claims"])
        return paginate(kept, lambda r: Claim(record=r), first, last, after, before)
