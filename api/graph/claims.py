"""GraphQL types for statements: Claim (one statement by one speaker) and Citation (one report of it)."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.graph.common import Evidence, PartialDate, Record, evidence_list, partial_date
from api.graph.context import Info, data, described
from api.graph.refs import citation_matches, independent_stories
from api.graph.sources import Outlet, Source
from schema import models

if TYPE_CHECKING:
    from api.graph.negotiations import Negotiation
    from api.graph.people import Person

OutletArg = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="As reported by: only citations in articles this Outlet published."),
]
AsOfArg = Annotated[
    dt.date | None,
    strawberry.argument(
        description="As of: only citations in articles certainly published on or before this day "
        "(articles with unknown publication date are left out)."
    ),
]


@strawberry.enum(description="How a source reports a claim.")
class CitationMode(Enum):
    DIRECT = strawberry.enum_value("direct", description="Quoted in full, in quotation marks.")
    PARTIAL = strawberry.enum_value("partial", description="A quoted fragment inside reported speech.")
    PARAPHRASE = strawberry.enum_value("paraphrase", description="Reported in the outlet's own words.")


@strawberry.type(description="One statement by one speaker, once, however many articles report it.")
class Claim(Record):
    record: strawberry.Private[models.Claim]

    @described("Who said it (may be an unnamed group or role).")
    def speaker(self, info: Info) -> Annotated[Person, strawberry.lazy("api.graph.people")]:
        from api.graph.people import Person

        return Person(record=data(info).people[self.record.speaker])

    @described("The round of talks the statement is about; null if none.")
    def negotiation(
        self, info: Info
    ) -> Annotated[Negotiation, strawberry.lazy("api.graph.negotiations")] | None:
        from api.graph.negotiations import Negotiation

        slug = self.record.negotiation
        return None if slug is None else Negotiation(record=data(info).negotiations[slug])

    @described("When the words were said, to its known precision; null if unknown.")
    def said_on(self) -> PartialDate | None:
        return partial_date(self.record.said_on)

    @described("Where or to whom it was said, as printed (e.g. to reporters).")
    def setting(self) -> str | None:
        return None if self.record.setting is None else self.record.setting.value

    @described("The spans that print the setting.")
    def setting_evidence(self) -> list[Evidence]:
        return [] if self.record.setting is None else evidence_list(self.record.setting.evidence)

    @described("Topic slugs, e.g. rare-earths, export-controls.")
    def topics(self) -> list[str]:
        return list(self.record.topics)

    @described("The curator's neutral one-line restatement (not a quote).")
    def summary(self) -> str:
        return self.record.summary

    @described("Each article's report of the claim, in file order.")
    def citations(self, info: Info, outlet: OutletArg = None, as_of: AsOfArg = None) -> list[Citation]:
        dataset = data(info)
        return [
            Citation(record=c)
            for c in dataset.citations_by_claim.get(self.record.id, [])
            if citation_matches(dataset, c, outlet=outlet, as_of=as_of)
        ]

    @described(
        "How many independent stories report the claim: copies of one wire story (articles "
        "credited as adapted from it) count once, as that story."
    )
    def independent_source_count(self, info: Info, as_of: AsOfArg = None) -> int:
        dataset = data(info)
        cited = [
            c
            for c in dataset.citations_by_claim.get(self.record.id, [])
            if citation_matches(dataset, c, as_of=as_of)
        ]
        return len(independent_stories(dataset, cited))

    @described("The outlets that published an article citing the claim, each once.")
    def outlets(self, info: Info) -> list[Outlet]:
        dataset = data(info)
        slugs: dict[str, None] = {}
        for citation in dataset.citations_by_claim.get(self.record.id, []):
            outlet = dataset.sources[citation.evidence.source].outlet
            if outlet is not None:
                slugs.setdefault(outlet)
        return [Outlet(record=dataset.outlets[s]) for s in slugs]

    @described("The articles citing the claim, each once, in file order.")
    def sources(self, info: Info) -> list[Source]:
        dataset = data(info)
        seen = {c.evidence.source for c in dataset.citations_by_claim.get(self.record.id, [])}
        return [Source(record=s) for s in dataset.sources.values() if s.id in seen]


@strawberry.type(description="A claim as one article reports it, with the exact span and its mode.")
class Citation(Record):
    record: strawberry.Private[models.Citation]

    @described("The claim reported.")
    def claim(self, info: Info) -> Claim:
        return Claim(record=data(info).claims[self.record.claim])

    @described("Direct quote, partial quote or paraphrase.")
    def mode(self) -> CitationMode:
        return CitationMode[self.record.mode.name]

    @described("The attribution words ('said', 'noted', 'told reporters'); null if none.")
    def cue(self) -> Evidence | None:
        return None if self.record.cue is None else Evidence(record=self.record.cue)

    @described("The span of the article that reports the claim.")
    def evidence(self) -> Evidence:
        return Evidence(record=self.record.evidence)

    @described("The article (shortcut for evidence.source).")
    def source(self, info: Info) -> Source:
        return Source(record=data(info).sources[self.record.evidence.source])

    @described("The outlet that published the article; null if unknown.")
    def outlet(self, info: Info) -> Outlet | None:
        dataset = data(info)
        slug = dataset.sources[self.record.evidence.source].outlet
        return None if slug is None else Outlet(record=dataset.outlets[slug])
