"""Open exports built once from the dataset: citations as W3C Web Annotations (JSON-LD) and as CSV, and
each fixture file as NDJSON (one record a line) for streaming loaders."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from api.http.downloads import Download, checksum_line
from schema.model.dataset import FIXTURE_MODELS, Dataset
from schema.model.models import Citation, Evidence, PartialDate, PersonKind
from schema.publish import tabular

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
NDJSON = "application/x-ndjson"
CSV_COLUMNS = tabular.CSV_COLUMNS


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
    """Returns claims.csv (schema.publish.tabular: one row per citation, header row first)."""
    return tabular.claims_csv({name: f.content for name, f in dataset.files.items()}).decode("utf-8")


def ndjson(dataset: Dataset, stem: str) -> bytes:
    """Takes the dataset and a fixture stem; returns its records as newline-delimited JSON, in file order."""
    records = orjson.loads(dataset.files[f"{stem}.json"].content)
    return b"".join(orjson.dumps(record) + b"\n" for record in records)


TITLES = {
    "annotations.jsonld": "Every citation as a W3C Web Annotation (JSON-LD)",
    tabular.CLAIMS_CSV: "Claims as reported: one row per citation, with its Table Schema in datapackage.json",
    "context.jsonld": "The W3C Web Annotation JSON-LD context, for reading annotations.jsonld offline",
}


class Exports:
    """The export files, each built on its first request (or first listing), then kept.

    Not at start-up: on a large dataset the JSON-LD alone is slow and large to build.
    """

    def __init__(self, dataset: Dataset) -> None:
        def table() -> bytes:  # file bytes read only now: the snapshot streams them
            return tabular.claims_csv({name: f.content for name, f in dataset.files.items()})

        self._builders: dict[str, tuple[Callable[[], bytes], str]] = {
            "annotations.jsonld": (
                lambda: json.dumps(annotations_document(dataset), ensure_ascii=False, indent=2).encode(),
                ANNOTATIONS_MEDIA_TYPE,
            ),
            tabular.CLAIMS_CSV: (table, tabular.CSV_MEDIA_TYPE),
            "context.jsonld": (ANNO_CONTEXT_FILE.read_bytes, "application/ld+json"),
        }
        self.titles = dict(TITLES)
        """Export name -> what it is, in a few words (the home page's downloads table)."""
        for stem in FIXTURE_MODELS:
            if f"{stem}.json" in dataset.files:
                self._builders[f"{stem}.ndjson"] = (functools.partial(ndjson, dataset, stem), NDJSON)
                self.titles[f"{stem}.ndjson"] = f"{stem}.json as NDJSON: one record a line"
        self._built: dict[str, Download] = {}
        self._lock = threading.Lock()

    @property
    def names(self) -> list[str]:
        """The export file names, in listing order."""
        return list(self._builders)

    def media_type(self, name: str) -> str:
        """Returns the media type the named export is served with."""
        return self._builders[name][1]

    def get(self, name: str) -> Download:
        """Returns the named export, building it first if no request has yet (call it off the event loop)."""
        with self._lock:
            if name not in self._built:
                build, media_type = self._builders[name]
                self._built[name] = Download.of(name, build(), media_type)
            return self._built[name]

    def built(self, name: str) -> Download | None:
        """Returns the named export if a request has built it, else None (builds nothing)."""
        return self._built.get(name)

    async def aget(self, name: str) -> Download:
        """`get` for a request handler: a build runs in a worker thread, not on the event loop."""
        built = self._built.get(name)
        return built if built is not None else await run_in_threadpool(self.get, name)


def routes(exports: Exports) -> list[BaseRoute]:
    """Returns /exports/<name> and /exports/<name>.sha256 for every export, and /fixtures/claims.csv
    (the data package's CSV resource; /downloads/claims.csv is the shelf's, api.http.downloads).

    Each answers like the fixture downloads: strong ETag (sha256), Cache-Control, Content-Disposition,
    304 when If-None-Match names the ETag or is *.
    """
    table: list[BaseRoute] = [_route(f"/fixtures/{tabular.CLAIMS_CSV}", tabular.CLAIMS_CSV, exports)]
    checksums = [_checksum_route(f"/exports/{name}.sha256", name, exports) for name in exports.names]
    return table + checksums + [_route(f"/exports/{name}", name, exports) for name in exports.names]


def _route(path: str, name: str, exports: Exports) -> Route:
    async def endpoint(request: Request) -> Response:
        return (await exports.aget(name)).respond(request)

    return Route(path, endpoint, methods=["GET", "HEAD"], name=path)


def _checksum_route(path: str, name: str, exports: Exports) -> Route:
    """`<export>.sha256`: the export's sha256 and name, as `sha256sum -c` reads them."""

    async def endpoint(request: Request) -> Response:
        return checksum_line(await exports.aget(name))

    return Route(path, endpoint, methods=["GET"], name=path)
