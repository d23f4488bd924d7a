"""Per-entity `orderBy` inputs: the fields each connection sorts by, and how to read each key."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from api.graph.common import Direction
from api.graph.context import Context
from api.graph.ordering import KeyFn, date_key
from api.graph.refs import independent_stories

FILE_ORDER = strawberry.enum_value("file_order", description="The order of the fixture file (default).")
SLUG = strawberry.enum_value("slug", description="By slug, alphabetically.")
NAME = strawberry.enum_value("name", description="By name, alphabetically (case-insensitive).")


def _name(_: Context, r: Any) -> str:
    return str(r.name).casefold()


def _slug(_: Context, r: Any) -> str:
    return str(r.id)


@strawberry.enum(description="Fields outlets can be ordered by.")
class OutletOrderField(Enum):
    FILE_ORDER = FILE_ORDER
    SLUG = SLUG
    NAME = NAME


@strawberry.enum(description="Fields sources can be ordered by.")
class SourceOrderField(Enum):
    FILE_ORDER = FILE_ORDER
    SLUG = SLUG
    PUBLISHED_ON = strawberry.enum_value("published_on", description="By publication date; unknown last.")
    SEED = strawberry.enum_value("seed", description="By seed file name.")


@strawberry.enum(description="Fields parties can be ordered by.")
class PartyOrderField(Enum):
    FILE_ORDER = FILE_ORDER
    SLUG = SLUG
    NAME = NAME


@strawberry.enum(description="Fields people can be ordered by.")
class PersonOrderField(Enum):
    FILE_ORDER = FILE_ORDER
    SLUG = SLUG
    NAME = NAME
    CLAIM_COUNT = strawberry.enum_value("claim_count", description="By how many claims they made.")


@strawberry.enum(description="Fields negotiations can be ordered by.")
class NegotiationOrderField(Enum):
    FILE_ORDER = FILE_ORDER
    SLUG = SLUG
    NAME = NAME
    START_ON = strawberry.enum_value("start_on", description="By start date; unknown last.")


@strawberry.enum(description="Fields delegates can be ordered by.")
class DelegateOrderField(Enum):
    FILE_ORDER = FILE_ORDER
    SLUG = SLUG
    PERSON_NAME = strawberry.enum_value("person_name", description="By the delegate's canonical name.")


@strawberry.enum(description="Fields claims can be ordered by.")
class ClaimOrderField(Enum):
    FILE_ORDER = FILE_ORDER
    SLUG = SLUG
    SAID_ON = strawberry.enum_value("said_on", description="By when the words were said; unknown last.")
    FIRST_PUBLISHED_ON = strawberry.enum_value(
        "first_published_on", description="By the earliest publication date of a citing article."
    )
    SPEAKER_NAME = strawberry.enum_value("speaker_name", description="By the speaker's canonical name.")
    INDEPENDENT_SOURCE_COUNT = strawberry.enum_value(
        "independent_source_count", description="By how many independent stories report the claim."
    )


@strawberry.enum(description="Fields citations can be ordered by.")
class CitationOrderField(Enum):
    FILE_ORDER = FILE_ORDER
    SLUG = SLUG
    PUBLISHED_ON = strawberry.enum_value("published_on", description="By the citing article's date.")
    POSITION = strawberry.enum_value("position", description="By source (file order), then offset.")


@strawberry.enum(description="Fields discrepancies can be ordered by.")
class DiscrepancyOrderField(Enum):
    FILE_ORDER = FILE_ORDER
    SLUG = SLUG
    SUBJECT = strawberry.enum_value("subject", description="By subject, alphabetically.")
    KIND = strawberry.enum_value("kind", description="By kind of disagreement.")


_DIR = "ASC (default) or DESC."


@strawberry.input(description="How to order outlets.")
class OutletOrder:
    field: OutletOrderField = strawberry.field(description="The value to sort outlets by.")
    direction: Direction = strawberry.field(default=Direction.ASC, description=_DIR)


@strawberry.input(description="How to order sources.")
class SourceOrder:
    field: SourceOrderField = strawberry.field(description="The value to sort sources by.")
    direction: Direction = strawberry.field(default=Direction.ASC, description=_DIR)


@strawberry.input(description="How to order parties.")
class PartyOrder:
    field: PartyOrderField = strawberry.field(description="The value to sort parties by.")
    direction: Direction = strawberry.field(default=Direction.ASC, description=_DIR)


@strawberry.input(description="How to order people.")
class PersonOrder:
    field: PersonOrderField = strawberry.field(description="The value to sort people by.")
    direction: Direction = strawberry.field(default=Direction.ASC, description=_DIR)


@strawberry.input(description="How to order negotiations.")
class NegotiationOrder:
    field: NegotiationOrderField = strawberry.field(description="The value to sort negotiations by.")
    direction: Direction = strawberry.field(default=Direction.ASC, description=_DIR)


@strawberry.input(description="How to order delegates.")
class DelegateOrder:
    field: DelegateOrderField = strawberry.field(description="The value to sort delegates by.")
    direction: Direction = strawberry.field(default=Direction.ASC, description=_DIR)


@strawberry.input(description="How to order claims.")
class ClaimOrder:
    field: ClaimOrderField = strawberry.field(description="The value to sort claims by.")
    direction: Direction = strawberry.field(default=Direction.ASC, description=_DIR)


@strawberry.input(description="How to order citations.")
class CitationOrder:
    field: CitationOrderField = strawberry.field(description="The value to sort citations by.")
    direction: Direction = strawberry.field(default=Direction.ASC, description=_DIR)


@strawberry.input(description="How to order discrepancies.")
class DiscrepancyOrder:
    field: DiscrepancyOrderField = strawberry.field(description="The value to sort discrepancies by.")
    direction: Direction = strawberry.field(default=Direction.ASC, description=_DIR)


def _first_published(c: Context, claim: Any) -> Any:
    dates = [
        date_key(c.dataset.sources[x.evidence.source].published_on)
        for x in c.dataset.citations_by_claim.get(claim.id, [])
    ]
    known = [d for d in dates if d is not None]
    return min(known) if known else None


KEYS: dict[str, dict[str, KeyFn]] = {
    "outlets": {"slug": _slug, "name": _name},
    "parties": {"slug": _slug, "name": _name},
    "sources": {
        "slug": _slug,
        "seed": lambda _, r: r.seed,
        "published_on": lambda _, r: date_key(r.published_on),
    },
    "people": {
        "slug": _slug,
        "name": _name,
        "claim_count": lambda c, r: len(c.dataset.claims_by_speaker.get(r.id, [])),
    },
    "negotiations": {"slug": _slug, "name": _name, "start_on": lambda _, r: date_key(r.start_on)},
    "delegates": {"slug": _slug, "person_name": lambda c, r: c.dataset.people[r.person].name.casefold()},
    "claims": {
        "slug": _slug,
        "said_on": lambda _, r: date_key(r.said_on),
        "first_published_on": _first_published,
        "speaker_name": lambda c, r: c.dataset.people[r.speaker].name.casefold(),
        "independent_source_count": lambda c, r: len(
            independent_stories(c.dataset, c.dataset.citations_by_claim.get(r.id, []))
        ),
    },
    "citations": {
        "slug": _slug,
        "published_on": lambda c, r: date_key(c.dataset.sources[r.evidence.source].published_on),
        "position": lambda c, r: (
            c.index.position[("sources", r.evidence.source)],
            r.evidence.start,
        ),
    },
    "discrepancies": {
        "slug": _slug,
        "subject": lambda _, r: r.subject.casefold(),
        "kind": lambda _, r: r.kind.value,
    },
}
