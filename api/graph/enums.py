"""The GraphQL enums. Each enum of the data (schema/model/models.py, schema/model/values.py) is defined
there once and made a GraphQL enum here: the same class, members and values, plus the GraphQL descriptions.
Resolvers return the records' enum members as they are; inputs arrive as the same members.
Only `Direction` (sort order) is the API's own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry
from strawberry.types.enum import has_enum_definition

from schema.model import models

E = TypeVar("E", bound=type[Enum])


def graphql_enum(enum: E, description: str, values: Mapping[str, str]) -> E:
    """Makes an enum of schema/ a GraphQL enum too: the same class, members and values, with the
    GraphQL description of the enum and of each member (by member name; every member needs one)."""
    if list(values) != list(enum.__members__):
        raise ValueError(f"{enum.__name__}: describe exactly its members, in order: {list(enum.__members__)}")
    decorated = strawberry.enum(enum, description=description)
    assert has_enum_definition(decorated)
    definition = decorated.__strawberry_definition__
    definition.values = [dataclasses.replace(v, description=values[v.name]) for v in definition.values]
    return enum


@strawberry.enum(description="Sort direction.")
class Direction(Enum):
    ASC = strawberry.enum_value("asc", description="Smallest, earliest or A first.")
    DESC = strawberry.enum_value("desc", description="Largest, latest or Z first.")


Precision = graphql_enum(
    models.Precision,
    "How much of a date is known.",
    {
        "DAY": "The day is known: 2025-06-10.",
        "MONTH": "Only the month is known: 2025-06.",
        "YEAR": "Only the year is known: 2025.",
    },
)


OutletKind = graphql_enum(
    models.OutletKind,
    "What kind of publisher an outlet is.",
    {
        "NEWS_SITE": "A news website.",
        "WIRE_SERVICE": "A wire service other outlets adapt.",
        "FORUM": "A discussion forum that reposts stories.",
    },
)


CitationMode = graphql_enum(
    models.CitationMode,
    "How a source reports a claim.",
    {
        "DIRECT": "Quoted in full, in quotation marks.",
        "PARTIAL": "A quoted fragment inside reported speech.",
        "PARAPHRASE": "Reported in the outlet's own words.",
    },
)


PersonKind = graphql_enum(
    models.PersonKind,
    "Whether a speaker is one person or a described group.",
    {"INDIVIDUAL": "One person.", "GROUP": "A described group, e.g. 'analysts'."},
)


NegotiationStatus = graphql_enum(
    models.NegotiationStatus,
    "Where a round of talks stood, as one source reports it.",
    {"IN_PROGRESS": "The talks were still going on.", "CONCLUDED": "The talks had ended."},
)


DiscrepancyKind = graphql_enum(
    models.DiscrepancyKind,
    "What the sources disagree about.",
    {
        "SPELLING": "How a name is spelled.",
        "TITLE": "A person's title or office.",
        "STATUS": "Where the talks stood (e.g. concluded or not).",
        "FIGURE": "A number, such as a tariff rate.",
        "DATE": "When something happened.",
    },
)
