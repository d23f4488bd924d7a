"""The plan of a synthetic dataset: how many of each entity, who speaks where, in what proportions."""

from __future__ import annotations

import datetime as dt
import math
import random
import re
from dataclasses import dataclass, field

from api.synth.text import (
    CITIES,
    FIRST_NAMES,
    LAST_NAMES,
    ORGS,
    OUTLET_WORDS,
    PARTIES,
    ROLES,
    SETTINGS,
    TOPICS,
    VENUES,
    VOCABULARY,
)

FIRST_DAY = dt.date(2025, 1, 6)


def slugify(text: str) -> str:
    """Returns a lowercase kebab-case slug of the text."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True)
class PlannedPerson:
    """A speaker: a named individual with a role, or an unnamed spokesperson or group."""

    id: str
    name: str
    named: bool
    group: bool
    surname: str
    role: str
    org: str
    party: str


@dataclass(frozen=True)
class PlannedClaim:
    """One statement: its speaker, the article that quotes it, and an optional second report."""

    id: str
    speaker: int
    source: int
    second_source: int | None
    quote: str
    topics: tuple[str, ...]
    said_on: dt.date | None
    setting: str | None
    in_negotiation: bool


@dataclass
class Plan:
    """Everything drawn at random, fixed before any text is written (same seed, same dataset)."""

    claims: int
    seed: int
    rng: random.Random = field(init=False)
    parties: list[str] = field(init=False)
    negotiations: int = field(init=False)
    outlets: list[str] = field(init=False)
    source_negotiation: list[int] = field(init=False)
    source_outlet: list[int | None] = field(init=False)
    people: list[PlannedPerson] = field(init=False)
    planned_claims: list[PlannedClaim] = field(init=False)

    def __post_init__(self) -> None:
        # Proportions follow the hand-curated data: ~7 claims per article, ~6 per speaker, a fifth
        # of claims reported twice; negotiations, outlets and parties grow slowly with size.
        n, self.rng = self.claims, random.Random(self.seed)
        self.parties = list(PARTIES[: min(len(PARTIES), 2 + n // 20_000)])
        self.negotiations = max(2, n // 400)
        sources = max(5, math.ceil(n / 7))
        outlet_count = max(5, sources // 30)
        self.outlets = [
            f"{PARTIES[i % 8]} {OUTLET_WORDS[i // 8 % 8]}" + (f" {i // 64 + 1}" if i >= 64 else "")
            for i in range(outlet_count)
        ]
        self.source_negotiation = [j * self.negotiations // sources for j in range(sources)]
        self.source_outlet = [
            j if j < outlet_count else (None if j % 10 == 7 else self.rng.randrange(outlet_count))
            for j in range(sources)
        ]
        # Every person speaks at least once, so there are never more people than claims.
        self.people = [self._person(i) for i in range(min(n, max(20, n // 6)))]
        self.planned_claims = self._claims()

    def negotiation_parties(self, k: int) -> tuple[str, str]:
        """Returns the two parties of negotiation k."""
        count = len(self.parties)
        return self.parties[k % count], self.parties[(k + 1) % count]

    def negotiation_name(self, k: int) -> str:
        """Returns the display name of negotiation k."""
        a, b = self.negotiation_parties(k)
        return f"Round {k + 1} {a}\u2013{b} trade talks"

    def _person(self, i: int) -> PlannedPerson:
        party = self.parties[i % len(self.parties)]
        if i % 10 == 9:
            group = i % 20 == 19
            name = (
                f"officials familiar with the {party} position ({i // 20 + 1})"
                if group
                else f"a spokesperson for the {party} delegation ({i // 20 + 1})"
            )
            return PlannedPerson(f"unnamed-{i}", name, False, group, name, "", "", party)
        first = FIRST_NAMES[i % len(FIRST_NAMES)]
        # (i // F + i % F) mod L is unique per first name, so names repeat only after F * L * 26 people.
        last = LAST_NAMES[(i // len(FIRST_NAMES) + i % len(FIRST_NAMES)) % len(LAST_NAMES)]
        initial = chr(65 + i // (len(FIRST_NAMES) * len(LAST_NAMES)) % 26)
        name = f"{first} {initial}. {last}"
        role, org = ROLES[i % len(ROLES)], ORGS[i % len(ORGS)]
        return PlannedPerson(f"p{i}-{slugify(name)}", name, True, False, last, role, org, party)

    def _claims(self) -> list[PlannedClaim]:
        n, rng, sources = self.claims, self.rng, len(self.source_negotiation)
        people = len(self.people)
        # Every person speaks at least once; the rest follow a Zipf-like curve (a few speak a lot).
        weights = [1 / (rank + 1) ** 0.9 for rank in range(people)]
        speakers = list(range(people)) + rng.choices(range(people), weights=weights, k=max(0, n - people))
        rng.shuffle(speakers)
        planned = []
        for i in range(n):
            source = i * sources // n
            neighbours = [s for s in (source + 1, source - 1) if 0 <= s < sources]
            second = neighbours[0] if neighbours and rng.random() < 0.2 else None
            words = rng.sample(VOCABULARY, rng.randint(7, 14))
            quote = " ".join(words).capitalize() + "."
            start = FIRST_DAY + dt.timedelta(days=7 * self.source_negotiation[source])
            planned.append(
                PlannedClaim(
                    id=f"c{i}-{slugify(' '.join(words[:3]))}",
                    speaker=speakers[i],
                    source=source,
                    second_source=second,
                    quote=quote,
                    topics=tuple(sorted(set(rng.sample(TOPICS, rng.randint(1, 2))))),
                    said_on=None if rng.random() < 0.15 else start + dt.timedelta(days=rng.randint(0, 2)),
                    setting=None if rng.random() < 0.4 else rng.choice(SETTINGS),
                    in_negotiation=rng.random() >= 0.05,
                )
            )
        return planned

    def place(self, k: int) -> tuple[str, str]:
        """Returns the city and venue of negotiation k."""
        return CITIES[k % len(CITIES)], VENUES[k % len(VENUES)]
