"""Statements: Claim (one statement by one speaker) and Citation (one report of it), with their
filters (who spoke, for which side, where it was reported, when, and what was said) and orders."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import strawberry

from api.graph.common import (
    AS_OF,
    REF,
    DateRange,
    Evidence,
    Record,
    attested_fields,
    date_field,
    record_field,
)
from api.graph.context import Context, Info, data, described, index
from api.graph.entity import Entity, Where
from api.graph.ordering import Key
from api.graph.refs import citation_matches, independent_stories, slug_of
from api.graph.relay import Node
from api.graph.search_index import fts_match
from api.graph.sources import Outlet, Source
from api.graph.text import normalise
from api.graph.type_registry import lazy, wrap
from schema.model import catalogue, models
from schema.store.snapshot import TOPICS

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


@strawberry.type(description="One statement by one speaker, once, however many articles report it.")
class Claim(Record):
    record: strawberry.Private[models.Claim]

    @described(
        "Who said it (may be an unnamed group or role).", graphql_type=lazy("Person", "api.graph.people")
    )
    def speaker(self, info: Info) -> Node:
        return wrap("Person", data(info).people[self.record.speaker])

    @described(
        "The round of talks the statement is about; null if none.",
        graphql_type=lazy("Negotiation", "api.graph.negotiations") | None,
    )
    def negotiation(self, info: Info) -> Node | None:
        slug = self.record.negotiation
        return None if slug is None else wrap("Negotiation", data(info).negotiations[slug])

    said_on = date_field("said_on", "When the words were said, to its known precision; null if unknown.")
    setting, setting_evidence = attested_fields(
        "setting",
        "Where or to whom it was said, as printed (e.g. to reporters).",
        "The spans that print the setting.",
    )

    @described("Topic slugs, e.g. rare-earths, export-controls.")
    def topics(self) -> list[str]:
        return list(self.record.topics)

    summary = record_field("summary", str, "The curator's neutral one-line restatement (not a quote).")

    @described("Each article's report of the claim, in file order.")
    def citations(self, info: Info, outlet: OutletArg = None, as_of: AsOfArg = None) -> list[Citation]:
        context = info.context
        citations = context.derived("citations_of_claims", CitationsOfClaims)
        if outlet is None:  # the usual case (asOf at most), without a citation_matches call per citation
            return citations.published_by(self.record.id, as_of)
        dataset = context.dataset
        cited = citations.of(self.record.id)
        return [w for w, _ in cited if citation_matches(dataset, w.record, outlet=outlet, as_of=as_of)]

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
        dataset, position = data(info), index(info).position
        seen = {c.evidence.source for c in dataset.citations_by_claim.get(self.record.id, [])}
        in_order = sorted(seen, key=lambda s: position[(catalogue.SOURCES.stem, s)])
        return [Source(record=dataset.sources[s]) for s in in_order]



class CitationsOfClaims:
    """Per claim, its citations' GraphQL wrappers (one per record, reused by every request: records
    and wrappers are never changed while served) with their source ids, in file order. Keeps at most
    `limit` claims; reaching it forgets them all (the store's own rule, no per-hit bookkeeping)."""

    limit = 4096

    def __init__(self, context: Context) -> None:
        self.by_claim = context.dataset.citations_by_claim
        self.kept: dict[str, tuple[tuple[Citation, str], ...]] = {}
        self.published = published = context.index.published_to
        # A loaded day is a plain dict read (no Python frame); the mapping's own get loads the rest.
        self.loaded_day = dict.get.__get__(published) if isinstance(published, dict) else published.get

    def published_by(self, claim: str, as_of: dt.date | None) -> list[Citation]:
        """The claim's citations whose article was published by `as_of` (all of them for None):
        `citation_matches(as_of=...)`, from each source's last publication day, without decoding
        the sources."""
        cited = self.of(claim)
        if as_of is None:
            return [wrapper for wrapper, _ in cited]
        published, loaded_day = self.published, self.loaded_day
        out = []
        for wrapper, source in cited:
            day = loaded_day(source)
            if day is None:
                day = published.get(source)
            if day is not None and day <= as_of:
                out.append(wrapper)
        return out

    def of(self, claim: str) -> tuple[tuple[Citation, str], ...]:
        """The claim's citations, wrapped, each with its source id."""
        found = self.kept.get(claim)
        if found is None:
            found = tuple((Citation(record=c), c.evidence.source) for c in self.by_claim.get(claim, ()))
            if len(self.kept) >= self.limit:
                self.kept.clear()
            self.kept[claim] = found
        return found

@strawberry.type(description="A claim as one article reports it, with the exact span and its mode.")
class Citation(Record):
    record: strawberry.Private[models.Citation]

    @described("The claim reported.")
    def claim(self, info: Info) -> Claim:
        return Claim(record=data(info).claims[self.record.claim])

    mode = record_field("mode", models.CitationMode, "Direct quote, partial quote or paraphrase.")

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


@strawberry.input(
    description="Conditions on claims; all given conditions must hold. References take a slug or a "
    "global ID. Citation conditions (outlet, source, mode, publishedOn, asOf) must all hold for one "
    "and the same citation."
)
class ClaimFilter:
    speaker: strawberry.ID | None = strawberry.field(default=None, description="The speaking Person.")
    party: strawberry.ID | None = strawberry.field(
        default=None, description="The speaker's Party (from delegate seats and reported affiliations)."
    )
    delegates_only: bool | None = strawberry.field(
        default=None,
        description="true: only claims by people holding a delegate seat (in the claim's negotiation when "
        "it has one); false: only claims by anyone else.",
    )
    outlet: strawberry.ID | None = strawberry.field(
        default=None, description="As reported by: an Outlet that published an article citing the claim."
    )
    source: strawberry.ID | None = strawberry.field(default=None, description="A Source citing the claim.")
    negotiation: strawberry.ID | None = strawberry.field(
        default=None, description="The Negotiation the claim is about."
    )
    mode: models.CitationMode | None = strawberry.field(
        default=None, description="A citation reports the claim in this mode."
    )
    topic: str | None = strawberry.field(default=None, description="A topic slug, e.g. rare-earths.")
    said_on: DateRange | None = strawberry.field(
        default=None,
        description="The words were certainly said within this range (unknown dates never match).",
    )
    published_on: DateRange | None = strawberry.field(
        default=None, description="A citing article was certainly published within this range."
    )
    as_of: dt.date | None = strawberry.field(
        default=None,
        description="As of a day: a citing article was certainly published on or before it "
        "(articles with unknown publication date are left out).",
    )
    text: str | None = strawberry.field(
        default=None,
        description="Words in a citation's quoted text, the summary, or the speaker's name or aliases; "
        "case-insensitive, straight and curly quotes alike.",
    )

    def has_citation_conditions(self) -> bool:
        """Whether any condition applies to individual citations."""
        return any(
            x is not None for x in (self.outlet, self.source, self.mode, self.published_on, self.as_of)
        )

    def sql(self, context: Context) -> Where:
        """The filter as SQL over the claims table (see `entity.Filter`). A text (case- and
        quote-blind) is looked for in the claim's texts: its quoted words, summary and speaker's
        names (`claim_texts`, one row of `search_claims` per claim, normalised)."""
        refs = _slugs(self, _CLAIM_REFS)
        where = Where()
        if "speaker" in refs:
            where.add("t.speaker = ?", refs["speaker"])
        if "party" in refs:
            where.add(_PARTY, refs["party"])
        if self.delegates_only is not None:
            where.add(_DELEGATE if self.delegates_only else f"NOT {_DELEGATE}")
        if "negotiation" in refs:
            where.add("t.negotiation = ?", refs["negotiation"])
        if self.topic is not None:
            where.add("t.pos IN (SELECT pos FROM lists WHERE name = ? AND key = ?)", TOPICS, self.topic)
        if self.said_on is not None:
            condition, params = self.said_on.sql("t.said_from", "t.said_to")
            where.add(condition, *params)
        if self.text is not None:
            wanted = normalise(self.text)
            if not _sql_text(wanted):
                where.add("0")  # no verified text holds NUL or a lone surrogate
            elif len(wanted) >= 3:  # the trigram index finds substrings of 3 characters or more
                where.add(f"t.pos IN ({_SEARCH} WHERE search_claims MATCH ? AND instr(text, ?) > 0)",
                          fts_match(wanted), wanted)
            else:
                where.add(f"t.pos IN ({_SEARCH} WHERE instr(text, ?) > 0)", wanted)
        if self.has_citation_conditions():
            one = Where()
            if "source" in refs:
                one.add("c.source = ?", refs["source"])
            if self.mode is not None:
                one.add("c.mode = ?", self.mode.name)
            _sources(one, "c.source", refs.get("outlet"), self.published_on, self.as_of)
            held = " AND ".join(one.conditions)
            where.add(f"t.id IN (SELECT c.claim FROM citations c WHERE {held})", *one.params)
        return where


_CLAIM_REFS = {
    "speaker": "Person",
    "party": "Party",
    "negotiation": "Negotiation",
    "source": "Source",
    "outlet": "Outlet",
}
_CITATION_REFS = {"claim": "Claim", "speaker": "Person", "source": "Source", "outlet": "Outlet"}
_PARTY = "t.speaker IN (SELECT p.person FROM person_parties p, json_each(p.parties) j WHERE j.value = ?)"
_DELEGATE = (
    "EXISTS (SELECT 1 FROM delegates d WHERE d.person = t.speaker"
    " AND (t.negotiation IS NULL OR d.negotiation = t.negotiation))"
)
"""The speaker holds a delegate seat (in the claim's negotiation if it has one)."""
_SEARCH = "SELECT rowid FROM search_claims"
"""A claim's row of search_claims (rowid = its position) holds its `claim_texts`, one per line."""


def _slugs(where: Any, refs: dict[str, str]) -> dict[str, str]:
    """The slugs of the references given in a filter, by field; raises UserInputError as slug_of."""
    given = {name: getattr(where, name) for name in refs}
    return {name: slug_of(value, refs[name]) for name, value in given.items() if value is not None}


def _sql_text(text: str) -> bool:
    """Whether SQLite can take the text as a parameter (it ends strings at NUL; UTF-8 only)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _sources(
    where: Where, column: str, outlet: str | None, published_on: DateRange | None, as_of: dt.date | None
) -> None:
    """Adds `column IN (the sources meeting these conditions)` to `where`, if any is given: published
    by the outlet, certainly within the range, certainly on or before the day (`published_by`)."""
    one = Where()
    if outlet is not None:
        one.add("s.outlet = ?", outlet)
    if published_on is not None:
        condition, params = published_on.sql("s.published_from", "s.published_to")
        one.add(condition, *params)
    if as_of is not None:
        one.add("s.published_to <= ?", as_of.isoformat())
    if one.conditions:
        held = " AND ".join(one.conditions)
        where.add(f"{column} IN (SELECT s.id FROM sources s WHERE {held})", *one.params)


@strawberry.input(description="Conditions on citations (claims as each article reports them).")
class CitationFilter:
    claim: strawberry.ID | None = strawberry.field(default=None, description="The Claim" + REF)
    speaker: strawberry.ID | None = strawberry.field(default=None, description="The claim's speaker" + REF)
    source: strawberry.ID | None = strawberry.field(default=None, description="The citing Source" + REF)
    outlet: strawberry.ID | None = strawberry.field(default=None, description="The publishing Outlet" + REF)
    mode: models.CitationMode | None = strawberry.field(
        default=None, description="Direct, partial or paraphrase."
    )
    published_on: DateRange | None = strawberry.field(
        default=None, description="The article was certainly published within this range."
    )
    as_of: dt.date | None = strawberry.field(default=None, description="Citations in articles " + AS_OF)
    text: str | None = strawberry.field(default=None, description="Words in the cited span.")

    def sql(self, context: Context) -> Where:
        """The filter as SQL over the citations table (see `entity.Filter`). The text rule is
        checked on the `exact` column in Python (`text_matches`), after FTS5 narrowed it to the
        citations of claims whose texts hold the words (a superset)."""
        refs = _slugs(self, _CITATION_REFS)
        where = Where()
        if "claim" in refs:
            where.add("t.claim = ?", refs["claim"])
        if "speaker" in refs:
            where.add("t.claim IN (SELECT id FROM claims WHERE speaker = ?)", refs["speaker"])
        _sources(where, "t.source", refs.get("outlet"), self.published_on, self.as_of)
        if "source" in refs:
            where.add("t.source = ?", refs["source"])
        if self.mode is not None:
            where.add("t.mode = ?", self.mode.name)
        if self.text is not None:
            wanted = normalise(self.text)
            if _sql_text(wanted) and len(wanted) >= 3:  # a citation's words are among its claim's texts
                claims = f"SELECT c.id FROM claims c WHERE c.pos IN ({_SEARCH} WHERE search_claims MATCH ?)"
                where.add(f"t.claim IN ({claims})", fts_match(wanted))
            # text_matches(self.text, exact), its needle normalised once
            where.check = ("t.exact", lambda exact: wanted in normalise(exact), f"text:{wanted}")
        return where


_CITING = "FROM citations c JOIN sources s ON s.id = c.source"
"""A claim's citations with their sources, in an order key's SQL."""


CLAIMS = Entity(
    stem=catalogue.CLAIMS.stem,
    object_type=Claim,
    filter=ClaimFilter,
    order_keys=dict(
        SAID_ON=Key(
            "By when the words were said; unknown last.",
            sql=("t.said_from", "t.said_to"),
        ),
        FIRST_PUBLISHED_ON=Key(
            "By the earliest publication date of a citing article.",
            # (first day, last day) tuples compare as these fixed-width "first/last" strings do
            sql=(f"(SELECT MIN(s.published_from || '/' || s.published_to) {_CITING} WHERE c.claim = t.id)",),
        ),
        SPEAKER_NAME=Key(
            "By the speaker's canonical name.",
            # SQLite compares text as UTF-8 bytes: in code point order, as Python compares str
            sql=("(SELECT p.folded_name FROM people p WHERE p.id = t.speaker)",),
        ),
        INDEPENDENT_SOURCE_COUNT=Key(
            "By how many independent stories report the claim.",
            sql=(f"(SELECT COUNT(DISTINCT s.story) {_CITING} WHERE c.claim = t.id)",),
        ),
    ),
    lookup_doc="A claim by slug.",
    connection_doc="Statements, one per speaker and utterance, however many articles report them.",
    indexed={
        "speaker": ("Person", lambda c: c.dataset.claims_by_speaker),
        "negotiation": ("Negotiation", lambda c: c.dataset.claims_by_negotiation),
        "source": ("Source", lambda c: c.dataset.claims_by_source),
        "outlet": ("Outlet", lambda c: c.dataset.claims_by_outlet),
    },
)
CITATIONS = Entity(
    stem=catalogue.CITATIONS.stem,
    object_type=Citation,
    filter=CitationFilter,
    order_keys=dict(
        PUBLISHED_ON=Key(
            "By the citing article's date.",
            sql=(
                "(SELECT s.published_from FROM sources s WHERE s.id = t.source)",
                "(SELECT s.published_to FROM sources s WHERE s.id = t.source)",
            ),
        ),
        POSITION=Key(
            "By source (file order), then offset.",
            sql=("(SELECT s.pos FROM sources s WHERE s.id = t.source)", "t.start"),
        ),
    ),
    indexed={
        "claim": ("Claim", lambda c: c.dataset.citations_by_claim),
        "source": ("Source", lambda c: c.dataset.citations_by_source),
    },
    lookup_doc="A citation by slug.",
    connection_doc="Claims as each article reports them.",
)
