"""Synthetic article texts: invented word pools and a writer that records spans as it appends."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from schema.load.selectors import CONTEXT

MARK = "SYNTHETIC \u2014 not a real article"
"""Opens and closes every synthetic seed text, so no one mistakes one for news."""


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Ada Basil Cora Dario Elin Farid Greta Hiro Ines Jonas Kira Lars Mina Nils Olga Pavel Quinn Rosa "
    "Sami Tove Ugo Vera Wim Xenia Yuri Zora Anton Bea Cyril Dana Emil Fleur Gil Hana Ivo Juno Kai Lena "
    "Milo Noor Otto Pia Rafe Sol Teo Una Vik Wren Yara Zeno Arlo Brit Cas Dina Ezra Flo Gus Hedda Ilse"
)
LAST_NAMES = _words(
    "Abbott Brandt Castell Dorsey Ekwall Falkner Gaudet Halloran Ibarra Janssen Kovac Lindqvist Moreau "
    "Novak Okafor Pellegrini Quist Rasmussen Sandoval Thorne Ulrich Varga Whitlock Xu Yilmaz Zeller Aster "
    "Bellamy Corwin Dahl Eberhardt Fontaine Gruber Haskins Ivers Jovanovic Kessler Larkin Mendez Nyberg "
    "Orsini Prescott Quaid Renner Stavros Tanaka Underhill Vance Weller Yates Zimmer Alder Birch Crane "
    "Dunmore Ellery Finch Garrow Hollis Ingram Jessup Kimura Lowell Marsh Nolan Oakes Pryor Rowan Sutter"
)
PARTIES = ("Avalon", "Borealia", "Cascadia", "Dorvania", "Estmark", "Fennland", "Galdor", "Hesperia")
CITIES = ("Port Ellis", "Varna Bay", "Kestrel", "Lowmarsh", "Ostrava Nova", "Quillon", "Redhaven", "Tamsk")
VENUES = ("Harbour Hall", "the Old Exchange", "Lantern House", "the Glass Pavilion", "Mercer Court")
ROLES = (
    "trade minister",
    "deputy negotiator",
    "chief economist",
    "policy adviser",
    "spokesperson",
    "analyst",
    "tariff commissioner",
    "envoy",
)
ORGS = (
    "the Ministry of Commerce",
    "the Treasury",
    "the Institute for Trade",
    "the Port Authority",
    "Meridian Bank",
    "the Export Council",
)
TITLES = ("Trade Minister", "Deputy Trade Minister", "Treasury Secretary", "Chief Negotiator", "Envoy")
TOPICS = (
    "tariffs",
    "export-controls",
    "rare-earths",
    "semiconductors",
    "shipping",
    "agriculture",
    "currency",
    "talks-progress",
)
VOCABULARY = _words(
    "we expect progress on tariffs export licences rare earth supply chains semiconductors shipping "
    "grain quotas currency bands the framework remains fragile but talks are constructive and both "
    "sides want a durable agreement before the deadline our delegation will not accept unilateral "
    "measures compliance reviews steel aluminium magnets batteries ports customs inspections relief "
    "retaliation truce handshake verification schedule phased reduction baseline duties investment "
    "screening licences approvals are moving quickly slowly carefully today tomorrow next week"
)
SETTINGS = ("to reporters", "at a press briefing", "in a televised interview", "on the sidelines")
CUES = ("said", "noted", "told reporters", "stressed")
OUTLET_WORDS = ("Ledger", "Courier", "Dispatch", "Monitor", "Wire", "Herald", "Review", "Gazette")


def long_date(day: dt.date) -> str:
    """Returns a date as articles print it, e.g. 'June 9, 2025'."""
    return f"{day:%B} {day.day}, {day.year}"


@dataclass(frozen=True)
class Span:
    """A span of one synthetic article; it becomes an Evidence selector once the text is final."""

    source: str
    start: int
    end: int


@dataclass
class ArticleWriter:
    """Builds one article text piece by piece and returns a Span for each piece it is asked to mark."""

    source: str
    parts: list[str] = field(default_factory=list)
    length: int = 0

    def add(self, text: str) -> Span:
        """Appends text and returns its span (offsets are code points, as Python strings count them)."""
        span = Span(self.source, self.length, self.length + len(text))
        self.parts.append(text)
        self.length += len(text)
        return span

    def line(self, *pieces: str) -> list[Span]:
        """Appends the pieces and a newline; returns the span of every odd piece (the marked ones)."""
        spans = [self.add(p) for p in pieces]
        self.add("\n")
        return spans[1::2]

    def text(self) -> str:
        """Returns the finished text."""
        return "".join(self.parts)


def evidence_json(span: Span, texts: dict[str, str]) -> dict[str, Any]:
    """Takes a span and the finished texts by source id; returns the Evidence selector as JSON data."""
    text = texts[span.source]
    return {
        "source": span.source,
        "exact": text[span.start : span.end],
        "prefix": text[max(0, span.start - CONTEXT) : span.start],
        "suffix": text[span.end : span.end + CONTEXT],
        "start": span.start,
        "end": span.end,
    }
