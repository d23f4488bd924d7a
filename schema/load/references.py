"""Cross-references between fixture records: which fields point where, and the checks that they resolve."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from schema.model.catalogue import BY_STEM, CITATIONS, CLAIMS, DELEGATES, NEGOTIATIONS
from schema.model.catalogue import REFERENCES as REFERENCES  # re-exported: derived there
from schema.model.models import Citation, Claim, Delegate, Negotiation, Verified


def values_at(value: object, spec: str, path: str = "") -> Iterator[tuple[str, object]]:
    """Takes a record and a field spec like "affiliations[].party" and yields (path, value) for each hit.

    None along the way yields nothing: an optional reference that is unset names nothing.
    """
    if value is None:
        return
    if not spec:
        yield path, value
        return
    head, _, rest = spec.partition(".")
    name = head.removesuffix("[]")
    child = getattr(value, name)
    child_path = f"{path}.{name}" if path else name
    if head.endswith("[]"):
        for index, item in enumerate(child):
            yield from values_at(item, rest, f"{child_path}[{index}]")
    else:
        yield from values_at(child, rest, child_path)


def dangling_references(
    stem: str, record: Verified, known_ids: Mapping[str, set[str]]
) -> Iterator[tuple[str, str]]:
    """Yields (field path, message) for each reference in the record that names no known record.

    `known_ids` holds the ids per stem; a stem missing from it (its file could not be read) is
    not checked, so one broken file does not bury the report in follow-on errors.
    """
    for spec, target in REFERENCES.get(stem, []):
        if target not in known_ids:
            continue
        ids = known_ids[target]
        if "." not in spec and "[" not in spec:  # a plain field: no walk, no path to build
            value = getattr(record, spec)
            hits = [] if value is None or value in ids else [(spec, value)]
        else:
            hits = [(path, value) for path, value in values_at(record, spec) if value not in ids]
        for path, value in hits:
            yield path, f"unknown {BY_STEM[target].noun} {value!r}"


def rule_problems(
    records: Mapping[str, Sequence[Verified]], cited: set[object] | None
) -> Iterator[tuple[str, Verified, str, str]]:
    """Yields (stem, record, field, message) for rules that span records.

    Every claim has a citation (`cited` holds the claim of every citation record, valid or not,
    or is None when citations.json could not be read); every delegate has a title and sits for a
    party of its negotiation; a citation's cue is in the same source as its evidence; no
    negotiation is its own predecessor.
    """
    if cited is not None:
        for claim in records.get(CLAIMS.stem, []):
            if isinstance(claim, Claim) and claim.id not in cited:
                yield CLAIMS.stem, claim, "id", f"claim has no citation in {CITATIONS.file}"
    negotiations = {n.id: n for n in records.get(NEGOTIATIONS.stem, []) if isinstance(n, Negotiation)}
    for delegate in records.get(DELEGATES.stem, []):
        if not isinstance(delegate, Delegate):
            continue
        if not delegate.titles:
            yield DELEGATES.stem, delegate, "titles", "delegate has no title with citations"
        negotiation = negotiations.get(delegate.negotiation)
        if negotiation is not None and delegate.party not in negotiation.parties:
            yield (
                DELEGATES.stem,
                delegate,
                "party",
                (f"party {delegate.party!r} is not a party of negotiation {negotiation.id!r}"),
            )
    for citation in records.get(CITATIONS.stem, []):
        if (
            isinstance(citation, Citation)
            and citation.cue
            and citation.cue.source != citation.evidence.source
        ):
            yield (
                CITATIONS.stem,
                citation,
                "cue.source",
                (f"cue is in {citation.cue.source!r} but the evidence is in {citation.evidence.source!r}"),
            )
    for negotiation in negotiations.values():
        if negotiation.predecessor == negotiation.id:
            yield NEGOTIATIONS.stem, negotiation, "predecessor", "a negotiation cannot precede itself"
