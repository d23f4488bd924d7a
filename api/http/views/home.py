"""GET /: what the dataset is, its counts, its sources, example questions, downloads and how to cite it.

HTML for browsers (templates/home.html), JSON otherwise; both built from the data `meta` serves
(api.graph.meta.meta_for).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from api.graph.meta import Meta, meta_for
from api.http.exports import Exports
from api.http.views.pages import fresh, page, root_path, wants_html
from api.http.views.playground import ExampleTab
from schema.model.catalogue import COUNT_LABELS
from schema.model.dataset import Dataset
from schema.model.models import Source

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
    name: str
    path: str
    size: int | None
    """None: an export not built yet (a large dataset's home page does not build them)."""
    sha256: str | None
    media_type: str


PAGE_CACHE_SIZE = 8
"""Rendered home pages kept, per mount path and downloads list (an export's size shows once built)."""

EAGER_EXPORT_LIMIT = 20_000
"""Up to this many citations the home page builds every export to show its size and sha256; above
it (the build would hold up the first page), an export's size shows once its download built it."""


def home_endpoint(
    dataset: Dataset, exports: Exports, tabs: list[ExampleTab], extra: Sequence[str] = ()
) -> Callable[[Request], Any]:
    """Returns the GET / endpoint; `extra` are further download paths (a snapshot's /downloads/*)."""
    info = meta_for(dataset)
    examples = examples_from(tabs)
    eager = len(dataset.citations) <= EAGER_EXPORT_LIMIT
    files = [DownloadInfo(f.name, f.url, f.bytes, f.sha256, "application/json") for f in info.files]

    async def downloads() -> list[DownloadInfo]:
        found = list(files)
        for name in exports.names:
            built = await exports.aget(name) if eager else exports.built(name)
            found.append(
                DownloadInfo(
                    name,
                    f"/exports/{name}",
                    None if built is None else built.size,
                    None if built is None else built.sha256,
                    exports.media_type(name),
                )
            )
        for path in extra:
            found.append(DownloadInfo(path.rsplit("/", 1)[1], path, None, None, "application/octet-stream"))
        return found

    @functools.lru_cache(maxsize=PAGE_CACHE_SIZE)
    def rendered(root: str, found: tuple[DownloadInfo, ...]) -> Response:
        return _html(dataset, info, examples, found, root)

    async def endpoint(request: Request) -> Response:
        found = await downloads()
        if wants_html(request):
            return fresh(rendered(root_path(request), tuple(found)))
        body = orjson.dumps(_json(dataset, info, examples, found, request))
        return Response(body, media_type="application/json")

    return endpoint


def _citation_text(info: Meta, url: str) -> str:
    title = info.title or info.name
    licence = ", ".join(lic.name for lic in info.licences)
    return f"{info.name} (version {info.version}). {title}. Licensed {licence}. {url}"


def _json(
    dataset: Dataset, info: Meta, examples: list[Example], files: list[DownloadInfo], request: Request
) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/")
    licences = [{"name": lic.name, "title": lic.title, "path": lic.path} for lic in info.licences]
    sources = [
        {"id": s.id, **source_label(dataset, s), "reader": f"{base}/sources/{s.id}"}
        for s in list(dataset.sources.values())[:SOURCE_LIST_LIMIT]
    ]
    return {
        "name": info.name,
        "title": info.title,
        "version": info.version,
        "licences": licences,
        "counts": {c.entity: c.count for c in info.counts},
        "sources": sources,
        "examples": [
            {"question": e.question, "playground": f"{base}/playground?example={e.name}"} for e in examples
        ],
        "downloads": [
            {
                "name": f.name,
                "url": base + f.path,
                "bytes": f.size,
                "sha256": f.sha256,
                "mediaType": f.media_type,
            }
            for f in files
        ],
        "cite": _citation_text(info, base + "/"),
        "links": {
            "home": base + "/",
            "graphql": base + "/graphql",
            "playground": base + "/playground",
            "sdl": base + "/schema.graphql",
            "datapackage": base + "/fixtures/datapackage.json",
            "health": base + "/healthz",
            "files": {f.name: base + f.url for f in info.files},
            "exports": [base + f.path for f in files if f.path.startswith(("/exports/", "/downloads/"))],
        },
    }


def _html(
    dataset: Dataset, info: Meta, examples: list[Example], files: Sequence[DownloadInfo], root: str
) -> Response:
    shown = list(dataset.sources.values())[:SOURCE_LIST_LIMIT]
    sources = [
        {"id": s.id, **source_label(dataset, s), "citations": len(dataset.citations_by_source.get(s.id, []))}
        for s in shown
    ]
    downloads = [{"name": f.name, "path": f.path, "size": _size(f.size), "sha256": f.sha256} for f in files]
    return page(
        "home.html",
        root=root,
        title=info.title or info.name,
        name=info.name,
        version=info.version,
        counts=[(COUNT_LABELS.get(c.entity, c.entity), c.count) for c in info.counts],
        sources=sources,
        more=len(dataset.sources) - len(shown),
        examples=examples,
        licences=info.licences,
        downloads=downloads,
        citation=_citation_text(info, "<this server's address>"),
    )
