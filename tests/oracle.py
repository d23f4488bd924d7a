"""A test oracle: the claim and citation filters and orders written out in Python over the loader's
records, independently of the SQL that serves them, so a test can compute what the API must answer.

The API states each rule once, in SQL over the snapshot (api/graph/claims.py); these are the same
rules as the schema's descriptions word them, for comparing the two.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from api.errors import UserInputError
from api.graph.refs import slug_of
from api.graph.text import normalise
from schema.model.dataset import Dataset
from schema.model.models import Citation, Claim, PartialDate, Source


class WrongType(Exception):
    """A reference is a global ID of another type: the API answers with an error."""


def slug(value: str, type_name: str) -> str:
    """A slug or a global ID of `type_name` -> the slug; WrongType for an ID of another type."""
    try:
        return slug_of(value, type_name)
    except UserInputError:
        raise WrongType(value) from None


def _day(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def _within(date: PartialDate | None, span: dict[str, str]) -> bool:
    if date is None:
        return False
    first, last = _day(span.get("from")), _day(span.get("to"))
    return (first is None or date.earliest() >= first) and (last is None or date.latest() <= last)


def _published_by(source: Source, day: dt.date) -> bool:
    return source.published_on is not None and source.published_on.latest() <= day


class Oracle:
    """The filters and orders over one loaded dataset; `claims(where, order)` and
    `citations(where, order)` return ids in the order the API must list them."""

    def __init__(self, data: Dataset) -> None:
        self.data = data
        self.parties: dict[str, set[str]] = {}
        for d in data.delegates.values():
            self.parties.setdefault(d.person, set()).add(d.party)
        for p in data.people.values():
            self.parties.setdefault(p.id, set()).update(a.party for a in p.affiliations if a.party)

    def _claim_texts(self, claim: Claim) -> list[str]:
        speaker = self.data.people[claim.speaker]
        texts = [claim.summary, speaker.name, *(a.name for a in speaker.aliases)]
        texts += [c.evidence.exact for c in self.data.citations_by_claim.get(claim.id, [])]
        return [normalise(t) for t in texts]

    def _citation_holds(self, c: Citation, where: dict[str, Any]) -> bool:
        source = self.data.sources[c.evidence.source]
        if "outlet" in where and source.outlet != slug(where["outlet"], "Outlet"):
            return False
        if "source" in where and source.id != slug(where["source"], "Source"):
            return False
        if "mode" in where and c.mode.name != where["mode"]:
            return False
        if "publishedOn" in where and not _within(source.published_on, where["publishedOn"]):
            return False
        return "asOf" not in where or _published_by(source, _day(where["asOf"]))  # type: ignore[arg-type]

    def claim_passes(self, claim: Claim, where: dict[str, Any]) -> bool:
        """Whether a claim meets the filter (ClaimFilter's descriptions)."""
        if "speaker" in where and claim.speaker != slug(where["speaker"], "Person"):
            return False
        if "party" in where and slug(where["party"], "Party") not in self.parties.get(claim.speaker, set()):
            return False
        if "delegatesOnly" in where:
            seats = self.data.delegates_by_person.get(claim.speaker, [])
            seated = bool(seats) if claim.negotiation is None else any(
                d.negotiation == claim.negotiation for d in seats
            )
            if seated != where["delegatesOnly"]:
                return False
        if "negotiation" in where and claim.negotiation != slug(where["negotiation"], "Negotiation"):
            return False
        if "topic" in where and where["topic"] not in claim.topics:
            return False
        if "saidOn" in where and not _within(claim.said_on, where["saidOn"]):
            return False
        if "text" in where and not any(normalise(where["text"]) in t for t in self._claim_texts(claim)):
            return False
        citing = ("outlet", "source", "mode", "publishedOn", "asOf")  # held by one and the same citation
        conditions = {k: v for k, v in where.items() if k in citing}
        if conditions:
            cited = self.data.citations_by_claim.get(claim.id, [])
            return any(self._citation_holds(c, conditions) for c in cited)
        return True

    def citation_passes(self, c: Citation, where: dict[str, Any]) -> bool:
        """Whether a citation meets the filter (CitationFilter's descriptions)."""
        if "claim" in where and c.claim != slug(where["claim"], "Claim"):
            return False
        if "speaker" in where and self.data.claims[c.claim].speaker != slug(where["speaker"], "Person"):
            return False
        if "text" in where and normalise(where["text"]) not in normalise(c.evidence.exact):
            return False
        return self._citation_holds(c, where)

    def _claim_keys(self) -> dict[str, Callable[[Claim], Any]]:
        def first_published(claim: Claim) -> Any:
            dates = [self.data.sources[c.evidence.source].published_on for c in self._cited(claim)]
            known = [(d.earliest(), d.latest()) for d in dates if d is not None]
            return min(known) if known else None

        def stories(claim: Claim) -> int:
            found = set()
            for c in self._cited(claim):
                s = self.data.sources[c.evidence.source]
                found.add(f"outlet:{s.credit.origin}" if s.credit else f"source:{s.id}")
            return len(found)

        return {
            "SLUG": lambda r: r.id,
            "SAID_ON": lambda r: None if r.said_on is None else (r.said_on.earliest(), r.said_on.latest()),
            "FIRST_PUBLISHED_ON": first_published,
            "SPEAKER_NAME": lambda r: self.data.people[r.speaker].name.casefold(),
            "INDEPENDENT_SOURCE_COUNT": stories,
        }

    def _citation_keys(self) -> dict[str, Callable[[Citation], Any]]:
        sources = list(self.data.sources)

        def published(c: Citation) -> Any:
            date = self.data.sources[c.evidence.source].published_on
            return None if date is None else (date.earliest(), date.latest())

        return {
            "SLUG": lambda r: r.id,
            "PUBLISHED_ON": published,
            "POSITION": lambda r: (sources.index(r.evidence.source), r.evidence.start),
        }

    def _cited(self, claim: Claim) -> list[Citation]:
        return self.data.citations_by_claim.get(claim.id, [])

    @staticmethod
    def _ordered(records: list[Any], order: tuple[str, str] | None, keys: dict[str, Any]) -> list[str]:
        """Nulls last in either direction, ties in file order."""
        if order is not None and order[0] != "FILE_ORDER":
            key = keys[order[0]]
            present = [r for r in records if key(r) is not None]
            missing = [r for r in records if key(r) is None]
            present.sort(key=key, reverse=order[1] == "DESC")  # stable: ties keep file order
            records = present + missing
        elif order is not None and order[1] == "DESC":
            records = records[::-1]
        return [r.id for r in records]

    def claims(self, where: dict[str, Any] | None, order: tuple[str, str] | None = None) -> list[str]:
        """The ids of the claims the API lists for this filter and order."""
        kept = [c for c in self.data.claims.values() if self.claim_passes(c, where or {})]
        return self._ordered(kept, order, self._claim_keys())

    def citations(self, where: dict[str, Any] | None, order: tuple[str, str] | None = None) -> list[str]:
        """The ids of the citations the API lists for this filter and order."""
        kept = [c for c in self.data.citations.values() if self.citation_passes(c, where or {})]
        return self._ordered(kept, order, self._citation_keys())


class FullScan:
    """Search candidates with no index: every record of each kind, in file order (claims: each one
    whose texts hold the needle, the one kind the snapshot's index decides rather than narrows).
    Put in a context in place of its search index, `search` answers as a full scan would."""

    def __init__(self, data: Any, claim_texts: Any) -> None:
        self.data, self.claim_texts = data, claim_texts

    def people_for(self, needle: str, text: str, wanted: int = 0) -> Any:
        return iter(self.data.people.values())

    def people_named(self, text: str) -> Any:
        return iter(self.data.people.values())

    def claims_for(self, needle: str, wanted: int = 0) -> Any:
        texts = self.claim_texts
        return (c for c in self.data.claims.values() if any(needle in t for t in texts[c.id]))

    def sources_for(self, needle: str, wanted: int = 0) -> Any:
        return iter(self.data.sources.values())

    def outlets_for(self, needle: str, wanted: int = 0) -> Any:
        return iter(self.data.outlets.values())

    def negotiations_for(self, needle: str, wanted: int = 0) -> Any:
        return iter(self.data.negotiations.values())


def derived(data: Dataset) -> Any:
    """The API's derived lookups worked out over the loader's records, as the build writes them."""
    from types import SimpleNamespace

    from api.graph.indexes import _claim_texts, _derived
    from schema.model.catalogue import ENTITIES

    speakers: dict[str, list[str]] = {}
    return SimpleNamespace(
        **_derived(data),
        claim_texts={c.id: _claim_texts(data, c, speakers) for c in data.claims.values()},
        published_to={s.id: s.published_on.latest() for s in data.sources.values() if s.published_on},
        position={(e.stem, i): n for e in ENTITIES for n, i in enumerate(data.tables[e.stem])},
    )
