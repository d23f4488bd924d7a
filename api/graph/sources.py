"""Publishers and articles: Outlet, Source and its credit line, with their filters and orders."""

from __future__ import annotations

import datetime as dt

import strawberry

from api.graph.common import (
    AS_OF,
    REF,
    DateRange,
    Evidence,
    Record,
    attested_fields,
    date_field,
    evidence_field,
    evidence_list,
    record_field,
)
from api.graph.context import Context, Info, data, described, index
from api.graph.entity import Entity
from api.graph.indexes import published_by
from api.graph.ordering import BY_NAME, Key, date_key
from api.graph.refs import slug_of, text_matches
from api.graph.relay import Node
from api.graph.type_registry import lazy_list, wrap
from schema.model import catalogue, models


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

    name = record_field("name", str, "The outlet's name.")
    kind = record_field("kind", models.OutletKind, "What kind of publisher it is.")

    @described("Every spelling of the outlet's name in the seeds, with evidence.")
    def aliases(self) -> list[Alias]:
        return aliases(self.record.aliases)

    @described("The articles this outlet published.")
    def sources(self, info: Info) -> list[Source]:
        return [Source(record=s) for s in data(info).sources_by_outlet.get(self.record.id, [])]


@strawberry.type(description="A credit line: the article is adapted from another outlet's story.")
class Credit:
    record: strawberry.Private[models.Credit]

    text = record_field("text", str, "The credit line as printed.")

    @described("The outlet the story comes from (e.g. a wire service).")
    def origin(self, info: Info) -> Outlet:
        return Outlet(record=data(info).outlets[self.record.origin])

    evidence = evidence_field("evidence", "The spans that print the credit line.")


@strawberry.type(description="One article: one seed text, with its outlet, headline, author and date.")
class Source(Record):
    record: strawberry.Private[models.Source]

    seed = record_field("seed", str, "File name of the seed text under seeds/.")
    sha256 = record_field("sha256", str, "sha256 of the seed file, hex.")

    @described("The publishing outlet; null when no seed names it (see notes).")
    def outlet(self, info: Info) -> Outlet | None:
        outlet = self.record.outlet
        return None if outlet is None else Outlet(record=data(info).outlets[outlet])

    outlet_evidence = evidence_field("outlet_evidence", "The spans that name the outlet.")
    headline, headline_evidence = attested_fields(
        "headline",
        "The headline as printed; null if the text has none.",
        "The spans that print the headline.",
    )
    author, author_evidence = attested_fields(
        "author", "The author as printed; null if the text names none.", "The spans that print the author."
    )
    published_on = date_field(
        "published_on", "When the article was published, to its known precision; null if unknown."
    )

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

    @described(
        "The citations (claims as reported) in this article, in file order.",
        graphql_type=lazy_list("Citation", "api.graph.claims"),
    )
    def citations(self, info: Info) -> list[Node]:
        return [wrap("Citation", c) for c in data(info).citations_by_source.get(self.record.id, [])]


@strawberry.input(description="Conditions on outlets.")
class OutletFilter:
    text: str | None = strawberry.field(default=None, description="Words in the name or an alias.")
    kind: models.OutletKind | None = strawberry.field(default=None, description="The kind of publisher.")

    def passes(self, _: Context, r: models.Outlet) -> bool:
        """Whether the outlet meets every condition."""
        if self.kind is not None and r.kind is not self.kind:
            return False
        return text_matches(self.text, r.name, *(a.name for a in r.aliases))


@strawberry.input(description="Conditions on sources (articles).")
class SourceFilter:
    outlet: strawberry.ID | None = strawberry.field(default=None, description="The publishing Outlet" + REF)
    published_on: DateRange | None = strawberry.field(
        default=None, description="Certainly published within this range."
    )
    as_of: dt.date | None = strawberry.field(default=None, description="Articles " + AS_OF)
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


OUTLETS = Entity(
    stem=catalogue.OUTLETS.stem,
    object_type=Outlet,
    filter=OutletFilter,
    order_keys=dict(NAME=BY_NAME),
    lookup_doc="An outlet by slug.",
    connection_doc="Publishers and wire services.",
)
SOURCES = Entity(
    stem=catalogue.SOURCES.stem,
    object_type=Source,
    filter=SourceFilter,
    order_keys=dict(
        PUBLISHED_ON=Key("By publication date; unknown last.", lambda _, r: date_key(r.published_on)),
        SEED=Key("By seed file name.", lambda _, r: r.seed),
    ),
    indexed={"outlet": ("Outlet", lambda c: c.dataset.sources_by_outlet)},
    lookup_doc="A source (article) by slug.",
    connection_doc="Articles: one per seed text.",
)
