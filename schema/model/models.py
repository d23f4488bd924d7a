"""Pydantic models for every fixture record: the dataset's contract."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from schema.model.values import (
    SLUG_PATTERN,
    Attested,
    Citations,
    Evidence,
    FieldNote,
    NonEmpty,
    PartialDate,
    Precision,
    Record,
    Slug,
    Verification,
    VerificationMethod,
    Verified,
)

__all__ = [
    "SLUG_PATTERN",
    "Affiliation",
    "Alias",
    "Attested",
    "Citation",
    "CitationMode",
    "Citations",
    "Claim",
    "Credit",
    "Delegate",
    "Discrepancy",
    "DiscrepancyKind",
    "Evidence",
    "FieldNote",
    "Negotiation",
    "NegotiationStatus",
    "NonEmpty",
    "Outlet",
    "OutletKind",
    "PartialDate",
    "Party",
    "Person",
    "PersonKind",
    "Precision",
    "Record",
    "Slug",
    "Source",
    "StatusReport",
    "Title",
    "Variant",
    "Verification",
    "VerificationMethod",
    "Verified",
]


class OutletKind(StrEnum):
    """What kind of publisher an outlet is."""

    NEWS_SITE = "news-site"
    WIRE_SERVICE = "wire-service"
    FORUM = "forum"


class Alias(Record):
    """One spelling of a name, with where it appears."""

    name: NonEmpty
    evidence: Citations


class Outlet(Verified):
    """A publisher or wire service."""

    name: NonEmpty
    kind: OutletKind
    aliases: list[Alias] = Field(min_length=1)


class Credit(Record):
    """A credit line: the article is adapted from another outlet's story."""

    text: NonEmpty = Field(description="The credit line as printed.")
    origin: Slug = Field(description="Id of the Outlet the story comes from.")
    evidence: Citations


class Source(Verified):
    """One article: one seed file."""

    seed: NonEmpty = Field(description="File name of the seed text under seeds/.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    outlet: Slug | None = Field(description="Id of the publishing Outlet; null when no seed names it.")
    outlet_evidence: list[Evidence] = Field(default_factory=list)
    headline: Attested | None
    author: Attested | None
    published_on: PartialDate | None
    credit: Credit | None = None

    @model_validator(mode="after")
    def _nulls_are_explained(self) -> Source:
        self._require_notes_for_nulls("outlet", "headline", "author", "published_on")
        if self.outlet is not None and not self.outlet_evidence:
            raise ValueError("outlet is set but outlet_evidence is empty")
        return self


class PersonKind(StrEnum):
    """Whether a speaker is one person or a described group."""

    INDIVIDUAL = "individual"
    GROUP = "group"


class Affiliation(Record):
    """A role or organisation a seed gives a person."""

    role: NonEmpty = Field(description="The role as printed, e.g. 'research director'.")
    organization: str | None = Field(default=None, description="The organisation as printed.")
    party: Slug | None = Field(default=None, description="Id of the Party the role belongs to, if any.")
    evidence: Citations


class Person(Verified):
    """Anyone who speaks or is named; unnamed speakers are kept as described."""

    name: NonEmpty = Field(description="Canonical name, or the description for an unnamed speaker.")
    named: bool
    kind: PersonKind
    description: str | None = None
    aliases: list[Alias] = Field(default_factory=list)
    affiliations: list[Affiliation] = Field(default_factory=list)

    @model_validator(mode="after")
    def _named_people_have_spellings(self) -> Person:
        if self.named and not self.aliases:
            raise ValueError("a named person needs at least one alias with evidence")
        return self


class Party(Verified):
    """A side in a negotiation (a government)."""

    name: NonEmpty
    evidence: Citations


class NegotiationStatus(StrEnum):
    """Where a round of talks stood, as one source reports it."""

    IN_PROGRESS = "in-progress"
    CONCLUDED = "concluded"


class StatusReport(Record):
    """A status as reported, with its evidence."""

    status: NegotiationStatus
    evidence: Citations


class Negotiation(Verified):
    """A round of talks."""

    name: NonEmpty
    parties: list[Slug] = Field(min_length=2)
    location: Attested | None
    venue: Attested | None
    host: Attested | None
    start_on: PartialDate | None
    end_on: PartialDate | None
    predecessor: Slug | None = None
    predecessor_evidence: list[Evidence] = Field(default_factory=list)
    status: list[StatusReport] = Field(default_factory=list)
    outcome: list[Attested] = Field(default_factory=list)

    @model_validator(mode="after")
    def _nulls_are_explained(self) -> Negotiation:
        self._require_notes_for_nulls("location", "venue", "host", "start_on", "end_on")
        return self


class Title(Record):
    """A title as printed, with every span that prints it."""

    title: NonEmpty
    citations: Citations


class Delegate(Verified):
    """A person's seat in one negotiation."""

    negotiation: Slug
    person: Slug
    party: Slug
    lead: bool | None = Field(description="Whether the person led the party's delegation; null if unknown.")
    lead_evidence: list[Evidence] = Field(default_factory=list)
    titles: list[Title] = Field(default_factory=list)
    seat_evidence: Citations = Field(description="Spans that place the person in the delegation.")

    @model_validator(mode="after")
    def _lead_is_backed(self) -> Delegate:
        self._require_notes_for_nulls("lead")
        if self.lead and not self.lead_evidence:
            raise ValueError("lead is true but lead_evidence is empty")
        return self


class Claim(Verified):
    """One statement by one speaker."""

    speaker: Slug
    negotiation: Slug | None
    said_on: PartialDate | None
    setting: Attested | None = None
    topics: list[Slug] = Field(default_factory=list)
    summary: NonEmpty = Field(description="Curator's neutral one-line restatement.")

    @model_validator(mode="after")
    def _nulls_are_explained(self) -> Claim:
        self._require_notes_for_nulls("said_on")
        return self


class CitationMode(StrEnum):
    """How a source reports a claim."""

    DIRECT = "direct"
    PARTIAL = "partial"
    PARAPHRASE = "paraphrase"


class Citation(Verified):
    """A claim as one source reports it."""

    claim: Slug
    mode: CitationMode
    cue: Evidence | None = Field(default=None, description="The attribution words: 'said', 'noted'.")
    evidence: Evidence


class DiscrepancyKind(StrEnum):
    """What the sources disagree about."""

    SPELLING = "spelling"
    TITLE = "title"
    STATUS = "status"
    FIGURE = "figure"
    DATE = "date"


class Variant(Record):
    """One version of a disputed value, with the spans that give it."""

    value: NonEmpty
    citations: Citations


class Discrepancy(Verified):
    """A point where sources disagree; every version is kept."""

    subject: NonEmpty
    kind: DiscrepancyKind
    negotiation: Slug | None = None
    person: Slug | None = None
    variants: list[Variant] = Field(min_length=2)
