"""`search(text)` across people, claims, sources, outlets and negotiations, and `resolvePerson(name)`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Annotated, TypeVar

import strawberry

from api.errors import UserInputError
from api.graph.claims import Claim
from api.graph.common import Evidence, evidence_list
from api.graph.context import Info, data
from api.graph.deadline import checked
from api.graph.negotiations import Negotiation
from api.graph.people import Person
from api.graph.relay import MAX_PAGE
from api.graph.search_index import search_index
from api.graph.sources import Outlet, Source
from api.graph.text import name_distance, normalise
from schema.model import models

T = TypeVar("T")

SearchResult = Annotated[
    Person | Claim | Source | Outlet | Negotiation,
    strawberry.union("SearchResult", description="Anything `search` can find."),
]


@strawberry.type(description="One search result, with the text it matched.")
class SearchHit:
    item: SearchResult = strawberry.field(description="The record found.")
    matched: str = strawberry.field(description="The text that matched (a name, alias, quote, headline…).")


@strawberry.type(description="A person a name may refer to, with the spelling that matched and its evidence.")
class PersonMatch:
    person: Person = strawberry.field(description="The candidate person.")
    matched: str = strawberry.field(description="The spelling (canonical name or alias) that matched.")
    distance: int = strawberry.field(
        description="Edits between the query and that spelling, ignoring case, spaces, punctuation, "
        "quote style and diacritics (0 = same letters)."
    )
    evidence: list[Evidence] = strawberry.field(description="Where that spelling appears in the seeds.")


def _spellings(person: models.Person) -> list[tuple[str, list[models.Evidence]]]:
    spellings = [(a.name, list(a.evidence)) for a in person.aliases]
    if all(a.name != person.name for a in person.aliases):
        spellings.insert(0, (person.name, []))
    return spellings


def resolve_person(
    info: Info,
    name: Annotated[str, strawberry.argument(description="A name as spelled anywhere, even misspelled.")],
) -> list[PersonMatch]:
    """People a name may refer to, best match first: case-, quote- and diacritics-insensitive,
    tolerating about one wrong letter in five."""
    matches = []
    candidates = search_index(info.context)
    for person in checked(candidates.people_named(name)):  # from the name index, in file order
        best: tuple[int, str, list[models.Evidence]] | None = None
        for spelling, evidence in _spellings(person):
            distance = name_distance(name, spelling)
            if distance is not None and (best is None or distance < best[0]):
                best = (distance, spelling, evidence)
        if best is not None:
            matches.append(
                PersonMatch(
                    person=Person(record=person),
                    matched=best[1],
                    distance=best[0],
                    evidence=evidence_list(best[2]),
                )
            )
    matches.sort(key=lambda m: m.distance)
    return matches


def _first_hit(needle: str, texts: list[str | None]) -> str | None:
    for text in texts:
        if text is not None and needle in normalise(text):
            return text
    return None


def _until_full(hits: list[SearchHit], first: int, candidates: Iterable[T]) -> Iterator[T]:
    """Yields candidates while fewer than `first` hits are found, looking before reading the next,
    so a kind of record is not queried at all once the page is full (and the deadline holds)."""
    items = checked(candidates)
    while len(hits) < first:
        item = next(items, None)
        if item is None:
            return
        yield item


def search(
    info: Info,
    text: Annotated[str, strawberry.argument(description="Words to find (case- and quote-insensitive).")],
    first: Annotated[
        int, strawberry.argument(description="At most this many results (1 to 100).")
    ] = MAX_PAGE,
) -> list[SearchHit]:
    """Finds people (by name, alias or near-miss spelling), claims (quoted words, summary, speaker),
    sources (headline, author), outlets and negotiations; grouped in that order, file order within."""
    if not 1 <= first <= MAX_PAGE:
        raise UserInputError(f"`first` must be between 1 and {MAX_PAGE}, got {first}")
    needle = normalise(text)
    if not needle:
        raise UserInputError("`text` must not be blank")
    candidates = search_index(info.context)  # candidates in file order; all but claims are checked here
    hits: list[SearchHit] = []
    for person in _until_full(hits, first, candidates.people_for(needle, text, first)):
        found = _first_hit(needle, [person.name, *(a.name for a in person.aliases), person.description])
        if found is None:
            found = next((s for s, _ in _spellings(person) if name_distance(text, s) is not None), None)
        if found is not None:
            hits.append(SearchHit(item=Person(record=person), matched=found))
    for claim in _until_full(hits, first, candidates.claims_for(needle, first - len(hits))):
        hits.append(SearchHit(item=Claim(record=claim), matched=_claim_match(info, claim, needle)))
    for source in _until_full(hits, first, candidates.sources_for(needle, first - len(hits))):
        attested = [source.headline, source.author]
        found = _first_hit(needle, [a.value for a in attested if a is not None])
        if found is not None:
            hits.append(SearchHit(item=Source(record=source), matched=found))
    for outlet in _until_full(hits, first, candidates.outlets_for(needle, first - len(hits))):
        found = _first_hit(needle, [outlet.name, *(a.name for a in outlet.aliases)])
        if found is not None:
            hits.append(SearchHit(item=Outlet(record=outlet), matched=found))
    for negotiation in _until_full(hits, first, candidates.negotiations_for(needle, first - len(hits))):
        places = [negotiation.location, negotiation.venue, negotiation.host]
        found = _first_hit(needle, [negotiation.name, *(p.value for p in places if p is not None)])
        if found is not None:
            hits.append(SearchHit(item=Negotiation(record=negotiation), matched=found))
    return hits[:first]


def _claim_match(info: Info, claim: models.Claim, needle: str) -> str:
    """Returns the first original text of the claim that holds the needle (quote, summary or name)."""
    dataset = data(info)
    speaker = dataset.people[claim.speaker]
    cited = [c.evidence.exact for c in dataset.citations_by_claim.get(claim.id, [])]
    texts: list[str | None] = [*cited, claim.summary, speaker.name, *(a.name for a in speaker.aliases)]
    return _first_hit(needle, texts) or claim.summary
