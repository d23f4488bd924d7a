"""Who speaks and for which side: Person, Affiliation, Party, with their filters and orders."""

from __future__ import annotations

import strawberry

from api.graph.claims import CLAIMS
from api.graph.common import REF, Record, evidence_field, record_field
from api.graph.context import Context, Info, data, described, index
from api.graph.entity import Entity, connection_field
from api.graph.ordering import BY_NAME, Key
from api.graph.refs import slug_of, text_matches
from api.graph.relay import Node
from api.graph.sources import Alias, aliases
from api.graph.type_registry import lazy_list, wrap
from schema.model import catalogue, models

_DELEGATES = lazy_list("Delegate", "api.graph.negotiations")


@strawberry.type(description="A side in a negotiation (a government).")
class Party(Record):
    record: strawberry.Private[models.Party]

    name = record_field("name", str, "The party's name.")
    evidence = evidence_field("evidence", "The spans that name the party.")

    @described(
        "Delegate seats held for this party, across negotiations, in file order.", graphql_type=_DELEGATES
    )
    def delegates(self, info: Info) -> list[Node]:
        return [wrap("Delegate", d) for d in index(info).delegates_by_party.get(self.record.id, [])]


@strawberry.type(description="A role or organisation a seed gives a person, as printed.")
class Affiliation:
    record: strawberry.Private[models.Affiliation]

    role = record_field("role", str, "The role as printed, e.g. 'research director'.")
    organization = record_field("organization", str | None, "The organisation as printed; null if none.")

    @described("The party the role belongs to, if any.")
    def party(self, info: Info) -> Party | None:
        slug = self.record.party
        return None if slug is None else Party(record=data(info).parties[slug])

    evidence = evidence_field("evidence", "The spans that print the affiliation.")


@strawberry.type(description="Anyone who speaks or is named; an unnamed speaker is kept as described.")
class Person(Record):
    record: strawberry.Private[models.Person]

    name = record_field("name", str, "Canonical name, or the description for an unnamed speaker.")
    named = record_field("named", bool, "Whether the seeds name the speaker (false: 'a spokesperson').")
    kind = record_field("kind", models.PersonKind, "One person or a described group.")
    description = record_field("description", str | None, "The curator's short description; null if none.")

    @described("Every spelling of the name in the seeds, with evidence.")
    def aliases(self) -> list[Alias]:
        return aliases(self.record.aliases)

    @described("Roles and organisations as reported, with evidence.")
    def affiliations(self) -> list[Affiliation]:
        return [Affiliation(record=a) for a in self.record.affiliations]

    @described("The person's seats in negotiations' delegations.", graphql_type=_DELEGATES)
    def delegate_seats(self, info: Info) -> list[Node]:
        return [wrap("Delegate", d) for d in data(info).delegates_by_person.get(self.record.id, [])]

    claims = connection_field(
        CLAIMS,
        name="claims",
        description="What the person said: a connection of claims, filtered and ordered.",
        within=("speaker", lambda person: person.record.id),
        filter_doc="Conditions on the claims.",
    )


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
    kind: models.PersonKind | None = strawberry.field(default=None, description="Individual or group.")
    party: strawberry.ID | None = strawberry.field(
        default=None, description="Sits for, or is affiliated with, this Party" + REF
    )
    negotiation: strawberry.ID | None = strawberry.field(
        default=None, description="Holds a delegate seat in this Negotiation" + REF
    )

    def passes(self, c: Context, r: models.Person) -> bool:
        """Whether the person meets every condition."""
        if self.named is not None and r.named != self.named:
            return False
        if self.kind is not None and r.kind is not self.kind:
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


PARTIES = Entity(
    stem=catalogue.PARTIES.stem,
    object_type=Party,
    filter=PartyFilter,
    order_keys=dict(NAME=BY_NAME),
    lookup_doc="A party by slug.",
    connection_doc="Sides in negotiations (governments).",
)
PEOPLE = Entity(
    stem=catalogue.PEOPLE.stem,
    object_type=Person,
    filter=PersonFilter,
    order_keys=dict(
        NAME=BY_NAME,
        CLAIM_COUNT=Key(
            "By how many claims they made.", lambda c, r: len(c.dataset.claims_by_speaker.get(r.id, []))
        ),
    ),
    lookup_doc="A person by slug.",
    connection_doc="Everyone who speaks or is named, including unnamed speakers.",
)
