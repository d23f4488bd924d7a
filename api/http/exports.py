"""Open exports built once from the dataset: citations as W3C Web Annotations (JSON-LD) and as CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from schema.dataset import Dataset
from schema.models import Citation, Evidence, PartialDate, PersonKind

ANNO_CONTEXT_URL = "http://www.w3.org/ns/anno.jsonld"
ANNO_CONTEXT_FILE = Path(__file__).resolve().parents[1] / "static" / "jsonld" / "anno.jsonld"
"""A local copy of the W3C Web Annotation context, so nothing is fetched from w3.org."""
BASE_IRI = "urn:parley:"
"""Prefix of every record's IRI: urn:parley:<kind>:<id>, the id being the fixture record's slug."""

# Terms parley adds to the Web Annotation vocabulary; written out in full so no second file is needed.
PARLEY_TERMS: dict[str, Any] = {
    "parley": f"{BASE_IRI}terms:",
    "speaker": {"@id": "parley:speaker", "@type": "@id"},
    "saidOn": "parley:saidOn",
    "mode": "parley:citationMode",
    "cue": "parley:cue",
    "seed": "parley:seedFile",
    "outlet": {"@id": "parley:outlet", "@type": "@id"},
    "publishedOn": "parley:publishedOn",
}
ANNOTATIONS_MEDIA_TYPE = f'application/ld+json; profile="{ANNO_CONTEXT_URL}"'
CSV_COLUMNS = (
    "citation_id",
    "claim_id",
    "speaker",
    "said_on",
    "source_id",
    "outlet",
    "published_on",
    "mode",
    "exact",
)


def iri(kind: str, record_id: str) -> str:
    """Takes a record kind and id and returns its IRI, e.g. urn:parley:claim:trump-china-not-easy."""
    return f"{BASE_IRI}{kind}:{record_id}"


def _date(value: PartialDate | None) -> str | None:
    return value.date if value is not None else None


def _selectors(evidence: Evidence) -> list[dict[str, Any]]:
    return [
        {
            "type": "TextQuoteSelector",
            "exact": evidence.exact,
            "prefix": evidence.prefix,
            "suffix": evidence.suffix,
        },
        {"type": "TextPositionSelector", "start": evidence.start, "end": evidence.end},
    ]


def _drop_none(node: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in node.items() if value is not None}


def annotation(dataset: Dataset, citation: Citation) -> dict[str, Any]:
    """Takes one citation and returns it as a Web Annotation: body = the claim, target = the source span."""
    claim = dataset.claims[citation.claim]
    speaker = dataset.people[claim.speaker]
    source = dataset.sources[citation.evidence.source]
    outlet = dataset.outlets[source.outlet] if source.outlet is not None else None
    body = {
        "id": iri("claim", claim.id),
        "type": "TextualBody",
        "purpose": "describing",
        "value": claim.summary,
        "format": "text/plain",
        "language": "en",
        "speaker": _drop_none(
            {
                "id": iri("person", speaker.id),
                "type": "Person" if speaker.kind is PersonKind.INDIVIDUAL else None,
                "name": speaker.name,
            }
        ),
        "saidOn": _date(claim.said_on),
    }
    target_source = {
        "id": iri("source", source.id),
        "type": "Text",
        "format": "text/plain",
        "label": source.headline.value if source.headline is not None else None,
        "seed": source.seed,
        "outlet": {"id": iri("outlet", outlet.id), "name": outlet.name} if outlet is not None else None,
        "publishedOn": _date(source.published_on),
    }
    return _drop_none(
        {
            "id": iri("citation", citation.id),
            "type": "Annotation",
            "motivation": "describing",
            "mode": citation.mode.value,
            "cue": citation.cue.exact if citation.cue is not None else None,
            "body": _drop_none(body),
            "target": {
                "type": "SpecificResource",
                "source": _drop_none(target_source),
                "selector": _selectors(citation.evidence),
            },
        }
    )


def annotations_document(dataset: Dataset) -> dict[str, Any]:
    """Takes the dataset and returns every citation, in file order, as one Web Annotation collection."""
    items = [annotation(dataset, citation) for citation in dataset.citations.values()]
    return {
        "@context": [ANNO_CONTEXT_URL, PARLEY_TERMS],
        "id": iri("export", "annotations"),
        "type": "AnnotationCollection",
        "label": "parley: every citation of a claim as a W3C Web Annotation",
        "total": len(items),
        "first": {
            "id": iri("export", "annotations-page-1"),
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": items,
        },
    }


def claims_csv(dataset: Dataset) -> str:
    """Takes the dataset and returns one CSV row per citation (RFC 4180, header row first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for citation in dataset.citations.values():
        claim = dataset.claims[citation.claim]
        source = dataset.sources[citation.evidence.source]
        outlet = dataset.outlets[source.outlet].name if source.outlet is not None else ""
        writer.writerow(
            (
                citation.id,
                claim.id,
                dataset.people[claim.speaker].name,
                _date(claim.said_on) or "",
                source.id,
                outlet,
                _date(source.published_on) or "",
                citation.mode.value,
                citation.evidence.exact,
            )
        )
    return buffer.getvalue()


def routes(dataset: Dataset) -> list[BaseRoute]:
    """Takes the dataset; returns the /exports/* routes, each body built on its first request, then kept.

    Not at start-up: at 100k claims the JSON-LD alone takes seconds and hundreds of MB to build.
    """
    bodies: dict[str, tuple[Callable[[], bytes], str]] = {
        "/exports/annotations.jsonld": (
            lambda: json.dumps(annotations_document(dataset), ensure_ascii=False, indent=2).encode(),
            ANNOTATIONS_MEDIA_TYPE,
        ),
        "/exports/claims.csv": (
            lambda: claims_csv(dataset).encode(),
            "text/csv; charset=utf-8; header=present",
        ),
        "/exports/context.jsonld": (ANNO_CONTEXT_FILE.read_bytes, "application/ld+json"),
    }
    return [_route(path, build, media_type) for path, (build, media_type) in bodies.items()]


def _route(path: str, build: Callable[[], bytes], media_type: str) -> Route:
    built: list[bytes] = []

    async def endpoint(request: Request) -> Response:
        if not built:
            built.append(await run_in_threadpool(build))
        return Response(built[0], media_type=media_type)

    return Route(path, endpoint, methods=["GET", "HEAD"], name=path.rsplit("/", 1)[-1])
