"""GraphQL types for publishers and articles: Outlet, Source and its credit line."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.graph.common import Evidence, PartialDate, Record, evidence_list, partial_date
from api.graph.context import Info, data, described, index
from schema import models

if TYPE_CHECKING:
    from api.graph.claims import Citation


@strawberry.enum(description="What kind of publisher an outlet is.")
class OutletKind(Enum):
    NEWS_SITE = strawberry.enum_value("news-site", description="A news website.")
    WIRE_SERVICE = strawberry.enum_value("wire-service", description="A wire service other outlets adapt.")
    FORUM = strawberry.enum_value("forum", description="A discussion forum that reposts stories.")


@strawberry.type(description="One spelling of a name, with every span where it appears.")
class Alias:
    name: str = strawberry.field(description="The spelling as printed.")
    evidence: list[Evidence] = strawberry.field(description="The spans that print this spelling.")


def aliases(items: list[models.Alias]) -> list[Alias]:
    """Wraps pydantic aliases."""
    return [Alias(name=a.name, evidence=evidence_list(a.evidence)) for a in items]


@strawberry.type(description="A publisher or wire service.")
class Outlet(Record):
    record: strawberry.Private[models.Outlet]

    @described("The outlet's name.")
    def name(self) -> str:
        return self.record.name

    @described("What kind of publisher it is.")
    def kind(self) -> OutletKind:
        return OutletKind[self.record.kind.name]

    @described("Every spelling of the outlet's name in the seeds, with evidence.")
    def aliases(self) -> list[Alias]:
        return aliases(self.record.aliases)

    @described("The articles this outlet published.")
    def sources(self, info: Info) -> list[Source]:
        return [Source(record=s) for s in data(info).sources_by_outlet.get(self.record.id, [])]


@strawberry.type(description="A credit line: the article is adapted from another outlet's story.")
class Credit:
    record: strawberry.Private[models.Credit]

    @described("The credit line as printed.")
    def text(self) -> str:
        return self.record.text

    @described("The outlet the story comes from (e.g. a wire service).")
    def origin(self, info: Info) -> Outlet:
        return Outlet(record=data(info).outlets[self.record.origin])

    @described("The spans that print the credit line.")
    def evidence(self) -> list[Evidence]:
        return evidence_list(self.record.evidence)


@strawberry.type(description="One article: one seed text, with its outlet, headline, author and date.")
class Source(Record):
    record: strawberry.Private[models.Source]

    @described("File name of the seed text under seeds/.")
    def seed(self) -> str:
        return self.record.seed

    @described("sha256 of the seed file, hex.")
    def sha256(self) -> str:
        return self.record.sha256

    @described("The publishing outlet; null when no seed names it (see notes).")
    def outlet(self, info: Info) -> Outlet | None:
        outlet = self.record.outlet
        return None if outlet is None else Outlet(record=data(info).outlets[outlet])

    @described("The spans that name the outlet.")
    def outlet_evidence(self) -> list[Evidence]:
        return evidence_list(self.record.outlet_evidence)

    @described("The headline as printed; null if the text has none.")
    def headline(self) -> str | None:
        return None if self.record.headline is None else self.record.headline.value

    @described("The spans that print the headline.")
    def headline_evidence(self) -> list[Evidence]:
        return [] if self.record.headline is None else evidence_list(self.record.headline.evidence)

    @described("The author as printed; null if the text names none.")
    def author(self) -> str | None:
        return None if self.record.author is None else self.record.author.value

    @described("The spans that print the author.")
    def author_evidence(self) -> list[Evidence]:
        return [] if self.record.author is None else evidence_list(self.record.author.evidence)

    @described("When the article was published, to its known precision; null if unknown.")
    def published_on(self) -> PartialDate | None:
        return partial_date(self.record.published_on)

    @described("The credit line when the article is adapted from another outlet's story.")
    def credit(self) -> Credit | None:
        return None if self.record.credit is None else Credit(record=self.record.credit)

    @described("The full seed text exactly as stored; evidence offsets index into it.")
    def text(self, info: Info) -> str:
        return data(info).seed_texts[self.record.id]

    @described("The spans of this text that citations quote or paraphrase, by position, each once.")
    def cited_spans(self, info: Info) -> list[Evidence]:
        return evidence_list(index(info).cited_spans_by_source.get(self.record.id, []))

    @described(
        "Every span of this text any record rests on (names, dates, titles, "
        "citations), by position, each once: what a client highlights."
    )
    def evidence(self, info: Info) -> list[Evidence]:
        return evidence_list(index(info).evidence_by_source.get(self.record.id, []))

    @described("The citations (claims as reported) in this article, in file order.")
    def citations(self, info: Info) -> list[Annotated[Citation, strawberry.lazy("api.graph.claims")]]:
        from api.graph.claims import Citation

        return [Citation(record=c) for c in data(info).citations_by_source.get(self.record.id, [])]
