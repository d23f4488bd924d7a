"""GET /: what the dataset is, its counts, its sources, example questions, downloads and how to cite it.

HTML for browsers (templates/home.html, with the schema.org Dataset as JSON-LD for dataset
catalogues), JSON otherwise; both built from the data `meta` serves (api.graph.meta.meta_for) and
the data package /downloads/ serves. Addresses are this server's, from the request's base URL.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from api.graph.meta import Meta, meta_for
from api.http.downloads import METADATA_TITLE, Shelf
from api.http.exports import Exports
from api.http.views.pages import fresh, page, root_path, wants_html
from api.http.views.playground import ExampleTab
from schema.model.catalogue import COUNT_LABELS, ENTITIES
from schema.model.dataset import Dataset
from schema.model.models import Source
from schema.publish.changes import CHANGES
from schema.publish.datapackage import DATAPACKAGE
from schema.publish.tabular import CLAIMS_CSV

EXAMPLE_COUNT = 6
SOURCE_LIST_LIMIT = 50
"""A synthetic dataset has thousands of sources; the home page lists the first ones and says how many."""


@dataclass(frozen=True)
class Example:
    """An example question: its words (the file's first comment line) and its playground tab."""

    name: str
    question: str


def examples_from(tabs: list[ExampleTab]) -> list[Example]:
    """Takes the playground's example tabs; returns the first six as questions."""
    found = []
    for tab in tabs[:EXAMPLE_COUNT]:
        first = next((line for line in tab.query.splitlines() if line.startswith("#")), tab.name)
        found.append(Example(tab.name, first.lstrip("# ").strip()))
    return found


def source_label(dataset: Dataset, source: Source) -> dict[str, str]:
    """Takes a source; returns its outlet (or "unknown outlet"), headline and date (or "date not printed")."""
    outlet = dataset.outlets[source.outlet].name if source.outlet is not None else "unknown outlet"
    headline = source.headline.value if source.headline is not None else "(no headline printed)"
    date = source.published_on.date if source.published_on is not None else "date not printed"
    return {"outlet": outlet, "headline": headline, "date": date}


def _size(count: int | None) -> str | None:
    if count is None:
        return None  # an export not built yet
    if count < 1024:
        return f"{count} B"
    if count < 1024 * 1024:
        return f"{count / 1024:.1f} KiB"
    return f"{count / 1024 / 1024:.1f} MiB"


@dataclass(frozen=True)
class DownloadInfo:
    """One row of the downloads: the file, what it is, its size and sha256 (None: an export not
    built yet, as a large dataset's home page does not build them), its media type."""

    name: str
    path: str
    title: str
    size: int | None
    sha256: str | None
    media_type: str

    @property
    def checksum(self) -> str:
        """The path of its `<name>.sha256` (sha256sum's format)."""
        return self.path + ".sha256"


@dataclass(frozen=True)
class RecordFiles:
    """One entity's records as two downloads: its fixture file (JSON) and the same as NDJSON."""

    stem: str
    title: str
    json: DownloadInfo
    ndjson: DownloadInfo | None


@dataclass(frozen=True)
class Listing:
    """Every download the home page lists: the files, then the records per entity."""

    files: tuple[DownloadInfo, ...]
    records: tuple[RecordFiles, ...]

    def every(self) -> list[DownloadInfo]:
        """Every row, files first, each record file and then its NDJSON."""
        found = list(self.files)
        for entity in self.records:
            found += [entity.json] if entity.ndjson is None else [entity.json, entity.ndjson]
        return found


PAGE_CACHE_SIZE = 8
"""Rendered home pages kept, per base URL and downloads list (an export's size shows once built)."""

EAGER_EXPORT_LIMIT = 20_000
"""Up to this many citations the home page builds every export to show its size and sha256; above
it (the build would hold up the first page), an export's size shows once its download built it."""

FILE_ORDER = ("parley.db", DATAPACKAGE, CLAIMS_CSV, CHANGES, "metadata.json")
"""/downloads/ files in the order the table lists them (the record files have their own table)."""
PACKAGE_TITLE = "Frictionless Data Package: every file here with its size, sha256 and schema"


def home_endpoint(
    dataset: Dataset, exports: Exports, tabs: list[ExampleTab], shelf: Shelf
) -> Callable[[Request], Any]:
    """Returns the GET / endpoint; `shelf` is /downloads/ (api.http.downloads), whose data package
    gives each file's title, size and sha256 (parley.db's from the start)."""
    info = meta_for(dataset)
    examples = examples_from(tabs)
    eager = len(dataset.citations) <= EAGER_EXPORT_LIMIT

    @functools.cache
    def described() -> Described:  # on the first request: building the package may hash parley.db
        return Described.of(shelf.package())

    async def export(name: str) -> DownloadInfo:
        built = await exports.aget(name) if eager else exports.built(name)
        return DownloadInfo(
            name,
            f"/exports/{name}",
            exports.titles.get(name, name),
            None if built is None else built.size,
            None if built is None else built.sha256,
            exports.media_type(name),
        )

    async def listing() -> Listing:
        resources = {r["path"]: r for r in await run_in_threadpool(shelf.resources)}
        package = shelf.package_download()
        shelved = {
            DATAPACKAGE: DownloadInfo(
                DATAPACKAGE, "/downloads/datapackage.json", PACKAGE_TITLE, package.size, package.sha256,
                "application/json",
            ),
            "metadata.json": DownloadInfo(
                "metadata.json", "/downloads/metadata.json", METADATA_TITLE, shelf.metadata.size,
                shelf.metadata.sha256, "application/json",
            ),
        }
        for path, resource in resources.items():
            digest = str(resource.get("hash", ""))
            shelved[path] = DownloadInfo(
                path,
                f"/downloads/{path}",
                str(resource.get("title", path)),
                resource.get("bytes"),
                digest.removeprefix("sha256:") or None,
                str(resource.get("mediatype", "application/octet-stream")),
            )
        files = [shelved[name] for name in FILE_ORDER if name in shelved]
        files += [await export(name) for name in exports.names if name.endswith(".jsonld")]
        records = []
        for entry in ENTITIES:
            if entry.file in shelved:
                ndjson = f"{entry.stem}.ndjson"
                records.append(
                    RecordFiles(
                        entry.stem,
                        str(resources[entry.file].get("description", entry.stem)),
                        shelved[entry.file],
                        await export(ndjson) if ndjson in exports.names else None,
                    )
                )
        return Listing(tuple(files), tuple(records))

    @functools.lru_cache(maxsize=PAGE_CACHE_SIZE)
    def rendered(root: str, base: str, found: Listing) -> Response:
        return _html(dataset, info, examples, found, root, base, described())

    async def endpoint(request: Request) -> Response:
        found = await listing()
        base = str(request.base_url).rstrip("/")
        if wants_html(request):
            return fresh(rendered(root_path(request), base, found))
        body = orjson.dumps(_json(dataset, info, examples, found, base, described()))
        return Response(body, media_type="application/json")

    return endpoint


def citation_text(info: Meta, url: str) -> str:
    """Returns the dataset's citation, naming this server's address `url` and the dataset version."""
    title = info.title or info.name
    licence = ", ".join(lic.name for lic in info.licences)
    return f"{info.name} (dataset version {info.dataset_version}). {title}. Licensed {licence}. {url}"


@dataclass(frozen=True)
class Described:
    """What the data package says of the dataset beyond `meta`: its description and contributors."""

    description: str
    creators: tuple[str, ...]

    @classmethod
    def of(cls, package: bytes) -> Described:
        """Reads them from datapackage.json's bytes."""
        loaded = orjson.loads(package)
        contributors = [c for c in loaded.get("contributors", []) if isinstance(c, dict)]
        return cls(str(loaded.get("description", "")), tuple(str(c.get("title")) for c in contributors))


def dataset_jsonld(
    info: Meta, files: Sequence[DownloadInfo], base: str, described: Described
) -> dict[str, Any]:
    """Returns the schema.org Dataset this server publishes, for dataset catalogues: its name,
    description, version, licence, creator and every download as a DataDownload `distribution`."""
    licence = next((lic.path for lic in info.licences if lic.path), None)
    creators = [{"@type": "Organization", "name": name} for name in described.creators]
    return {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": base + "/",
        "url": base + "/",
        "name": info.title or info.name,
        "alternateName": info.name,
        "description": described.description,
        "version": info.dataset_version,
        "license": licence,
        "creator": creators,
        "isAccessibleForFree": True,
        "citation": citation_text(info, base + "/"),
        "distribution": [
            {
                "@type": "DataDownload",
                "name": f.name,
                "description": f.title,
                "contentUrl": base + f.path,
                "encodingFormat": f.media_type,
                **({} if f.size is None else {"contentSize": f"{f.size} B"}),
            }
            for f in files
        ],
    }


def _json(
    dataset: Dataset, info: Meta, examples: list[Example], found: Listing, base: str, described: Described
) -> dict[str, Any]:
    licences = [{"name": lic.name, "title": lic.title, "path": lic.path} for lic in info.licences]
    sources = [
        {"id": s.id, **source_label(dataset, s), "reader": f"{base}/sources/{s.id}"}
        for s in list(dataset.sources.values())[:SOURCE_LIST_LIMIT]
    ]
    files = found.every()
    return {
        "name": info.name,
        "title": info.title,
        "version": info.dataset_version,
        "datasetVersion": info.dataset_version,
        "softwareVersion": info.software_version,
        "licences": licences,
        "counts": {c.entity: c.count for c in info.counts},
        "sources": sources,
        "examples": [
            {"question": e.question, "playground": f"{base}/playground?example={e.name}"} for e in examples
        ],
        "downloads": [
            {
                "name": f.name,
                "title": f.title,
                "url": base + f.path,
                "bytes": f.size,
                "sha256": f.sha256,
                "checksum": base + f.checksum,
                "mediaType": f.media_type,
            }
            for f in files
        ],
        "cite": citation_text(info, base + "/"),
        "dataset": dataset_jsonld(info, files, base, described),
        "links": {
            "home": base + "/",
            "graphql": base + "/graphql",
            "playground": base + "/playground",
            "sdl": base + "/schema.graphql",
            "datapackage": base + "/downloads/datapackage.json",
            "fixtures": base + "/fixtures/datapackage.json",
            "health": base + "/healthz",
            "files": {f.name: base + f.url for f in info.files},
            "exports": [base + f.path for f in files if f.path.startswith(("/exports/", "/downloads/"))],
        },
    }


def _jsonld_script(document: dict[str, Any]) -> str:
    """The JSON-LD as the text of a <script type="application/ld+json">: `<`, `>` and `&` escaped as
    JSON escapes, so no text in it can end the element."""
    text = json.dumps(document, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _html(
    dataset: Dataset,
    info: Meta,
    examples: list[Example],
    found: Listing,
    root: str,
    base: str,
    described: Described,
) -> Response:
    shown = list(dataset.sources.values())[:SOURCE_LIST_LIMIT]
    sources = [
        {"id": s.id, **source_label(dataset, s), "citations": len(dataset.citations_by_source.get(s.id, []))}
        for s in shown
    ]
    return page(
        "home.html",
        root=root,
        title=info.title or info.name,
        name=info.name,
        version=info.dataset_version,
        software_version=info.software_version,
        counts=[(COUNT_LABELS.get(c.entity, c.entity), c.count) for c in info.counts],
        sources=sources,
        more=len(dataset.sources) - len(shown),
        examples=examples,
        licences=info.licences,
        files=found.files,
        records=found.records,
        size=_size,
        citation=citation_text(info, base + "/"),
        jsonld=_jsonld_script(dataset_jsonld(info, found.every(), base, described)),
    )
