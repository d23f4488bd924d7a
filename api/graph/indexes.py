"""Indexes the API derives from a Dataset once: spans per source, parties per person, text to match."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from api.graph.text import normalise
from schema.dataset import FIXTURE_MODELS, Dataset
from schema.models import Claim, Delegate, Discrepancy, Evidence, Negotiation, Source
from schema.selectors import dataset_evidence


def published_by(source: Source, as_of: dt.date) -> bool:
    """Returns whether the source was certainly published on or before `as_of`.

    A partial date counts only once its last possible day has passed (June 2025 is in by 2025-06-30);
    a source with no known publication date is never counted as published by any date.
    """
    return source.published_on is not None and source.published_on.latest() <= as_of


@dataclass(frozen=True)
class ApiIndex:
    """Derived lookups over one Dataset; build it with `ApiIndex.build`."""

    evidence_by_source: dict[str, list[Evidence]]
    cited_spans_by_source: dict[str, list[Evidence]]
    parties_by_person: dict[str, set[str]]
    claim_texts: dict[str, list[str]]
    position: dict[tuple[str, str], int]
    """(fixture stem, id) -> position in its file, the default order."""
    delegates_by_party: dict[str, list[Delegate]]
    """Party id -> its delegate seats, in file order."""
    discrepancies_by_negotiation: dict[str, list[Discrepancy]]
    """Negotiation id -> discrepancies about it, or (with no negotiation) about one of its delegates."""
    successors: dict[str, list[Negotiation]]
    """Negotiation id -> the rounds naming it as their predecessor, in file order."""

    @classmethod
    def build(cls, dataset: Dataset) -> ApiIndex:
        """Takes a loaded dataset and returns its derived indexes."""
        spans: dict[str, dict[tuple[int, int], Evidence]] = defaultdict(dict)
        for evidence in dataset_evidence(dataset):
            spans[evidence.source].setdefault((evidence.start, evidence.end), evidence)
        cited: dict[str, dict[tuple[int, int], Evidence]] = defaultdict(dict)
        for citation in dataset.citations.values():
            span = citation.evidence
            cited[span.source].setdefault((span.start, span.end), span)

        parties: dict[str, set[str]] = defaultdict(set)
        for delegate in dataset.delegates.values():
            parties[delegate.person].add(delegate.party)
        for person in dataset.people.values():
            parties[person.id].update(a.party for a in person.affiliations if a.party)

        speakers: dict[str, list[str]] = {}  # speaker id -> normalised name and aliases, shared
        position = {
            (stem, record_id): i
            for stem in FIXTURE_MODELS
            for i, record_id in enumerate(getattr(dataset, stem))
        }
        delegates_by_party: dict[str, list[Delegate]] = defaultdict(list)
        for delegate in dataset.delegates.values():
            delegates_by_party[delegate.party].append(delegate)
        successors: dict[str, list[Negotiation]] = defaultdict(list)
        for negotiation in dataset.negotiations.values():
            if negotiation.predecessor is not None:
                successors[negotiation.predecessor].append(negotiation)
        return cls(
            evidence_by_source={s: [e for _, e in sorted(v.items())] for s, v in spans.items()},
            cited_spans_by_source={s: [e for _, e in sorted(v.items())] for s, v in cited.items()},
            parties_by_person=dict(parties),
            claim_texts={c.id: _claim_texts(dataset, c, speakers) for c in dataset.claims.values()},
            position=position,
            delegates_by_party=dict(delegates_by_party),
            discrepancies_by_negotiation=_discrepancies_by_negotiation(dataset),
            successors=dict(successors),
        )


def _discrepancies_by_negotiation(dataset: Dataset) -> dict[str, list[Discrepancy]]:
    """Negotiation id -> in file order, the discrepancies naming it, and those naming no negotiation
    but a person holding a seat in it."""
    found: dict[str, list[Discrepancy]] = defaultdict(list)
    for discrepancy in dataset.discrepancies.values():
        if discrepancy.negotiation is not None:
            found[discrepancy.negotiation].append(discrepancy)
        elif discrepancy.person is not None:
            seats = dataset.delegates_by_person.get(discrepancy.person, [])
            for negotiation in dict.fromkeys(d.negotiation for d in seats):
                found[negotiation].append(discrepancy)
    return dict(found)


def _claim_texts(dataset: Dataset, claim: Claim, speakers: dict[str, list[str]]) -> list[str]:
    """Returns the normalised texts a claim's text filter matches against.

    `speakers` memoises each speaker's normalised names: a speaker has many claims.
    """
    names = speakers.get(claim.speaker)
    if names is None:
        speaker = dataset.people[claim.speaker]
        names = [normalise(t) for t in (speaker.name, *(a.name for a in speaker.aliases))]
        speakers[claim.speaker] = names
    texts = [normalise(claim.summary), *names]
    texts += [normalise(c.evidence.exact) for c in dataset.citations_by_claim.get(claim.id, [])]
    return texts
