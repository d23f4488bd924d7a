"""GET /: what the dataset is, its counts, its sources, example questions, downloads and how to cite it.

HTML for browsers, JSON otherwise; both built from the data `meta` serves (api.graph.meta.meta_for).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from api.graph.meta import Meta, meta_for
from api.http.exports import Exports
from api.http.views.pages import escape, join, page, root_path, wants_html
from api.http.views.playground import ExampleTab
from schema.model.catalogue import COUNT_LABELS
from schema.model.dataset import Dataset
from schema.model.models import Source

EXAMPLE_COUNT = 6
SOURCE_LIST_LIMIT = 50
"""A synthetic dataset has thousands of sources; the home page lists the first ones and says how many."""

HOME_CSS = """
.lede { font-size: 1.08rem; max-width: 46rem; }
.counts { display: grid; grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr)); gap: .5rem;
  padding: 0; list-style: none; }
.counts li { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .45rem .7rem; }
.counts b { display: block; font-size: 1.4rem; }
.cards { list-style: none; padding: 0; display: grid; gap: .6rem; }
.cards li { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; }
.cards .meta { color: var(--muted); font-size: .92rem; }
.examples { padding-left: 1.2rem; } .examples li { margin: .3rem 0; }
.downloads td:nth-child(2) { white-space: nowrap; }
.cite { background: #fff; border-left: 4px solid var(--accent); padding: .6rem .9rem; }
@media (max-width: 600px) { .downloads thead { display: none; } .downloads tr { display: block;
  border-bottom: 1px solid var(--line); padding: .3rem 0; } .downloads td { display: block; border: 0;
  padding: .1rem 0; } }
"""


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


def _size(count: int) -> str:
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


EAGER_EXPORT_LIMIT = 20_000
"""Up to this many citations the home page builds every export to show its size and sha256 (about 3 s
at 10k claims); above it, an export's size shows once its first download has built it."""


def home_endpoint(
    dataset: Dataset, exports: Exports, tabs: list[ExampleTab], extra: Sequence[str] = ()
) -> Callable[[Request], Any]:
    """Returns the GET / endpoint; `extra` are further download paths (a snapshot's /downloads/*)."""
    info = meta_for(dataset)
    examples = examples_from(tabs)
    licence = ", ".join(lic.name for lic in info.licences) or "no licence given"
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

    async def endpoint(request: Request) -> Response:
        found = await downloads()
        if wants_html(request):
            return _html(dataset, info, examples, found, licence, root_path(request))
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
    dataset: Dataset, info: Meta, examples: list[Example], files: list[DownloadInfo], licence: str, root: str
) -> Response:
    counts = join(
        f"<li><b>{c.count:,}</b>{escape(COUNT_LABELS.get(c.entity, c.entity))}</li>" for c in info.counts
    )
    shown = list(dataset.sources.values())[:SOURCE_LIST_LIMIT]
    sources = join(
        f'<li data-source="{escape(s.id)}">'
        f'<a href="{root}/sources/{escape(s.id)}">{escape(label["headline"])}</a>'
        f'<div class="meta">{escape(label["outlet"])} · {escape(label["date"])} · '
        f"{len(dataset.citations_by_source.get(s.id, []))} citations</div></li>"
        for s in shown
        for label in [source_label(dataset, s)]
    )
    more = len(dataset.sources) - len(shown)
    more_note = f'<p class="muted">…and {more:,} more: query <code>sources</code>.</p>' if more else ""
    questions = join(
        f'<li><a href="{root}/playground?example={escape(e.name)}">{escape(e.question)}</a></li>'
        for e in examples
    )
    rows = join(
        f'<tr><td><a href="{root}{escape(f.path)}">{escape(f.name)}</a></td>'
        f"<td>{_size(f.size) if f.size is not None else 'size known after the first download'}</td>"
        f'<td class="mono">{"sha256 " + escape(f.sha256) if f.sha256 else ""}</td></tr>'
        for f in files
    )
    licence_links = join(
        f'<a href="{escape(lic.path)}">{escape(lic.title or lic.name)}</a> ({escape(lic.name)})'
        if lic.path
        else escape(lic.name)
        for lic in info.licences
    )
    citation = _citation_text(info, "<this server's address>")
    body = f"""
<h1>{escape(info.title or info.name)}</h1>
<p class="lede">A hand-verified record of who said what at the June 2025 US-China trade talks in London,
and which outlet reported it. Every statement points at the exact words of one of the news articles below:
open an article to see each quotation and paraphrase highlighted, with its speaker.</p>
<p><a href="{root}/playground">Open the GraphQL playground</a> · <a href="{root}/graphql">/graphql</a>
(POST queries here) · <a href="{root}/schema.graphql">schema (SDL)</a></p>
<h2 id="counts">What it holds</h2>
<ul class="counts">{counts}</ul>
<h2 id="sources">The articles</h2>
<ul class="cards">{sources}</ul>{more_note}
<h2 id="examples">Questions to start with</h2>
<ol class="examples">{questions}</ol>
<h2 id="downloads">Downloads</h2>
<p>The curated records are licensed {licence_links or escape(licence)}. The article texts are third-party
news, quoted for verification. <a href="{root}/fixtures/datapackage.json">datapackage.json</a> describes
every file (Frictionless Data Package; claims.csv has a Table Schema).</p>
<table class="downloads"><thead><tr><th>File</th><th>Size</th><th>Checksum</th></tr></thead>
<tbody>{rows}</tbody></table>
<h2 id="cite">How to cite</h2>
<p class="cite">{escape(citation)}</p>
<p class="muted">Dataset <b>{escape(info.name)}</b>, version <b>{escape(info.version)}</b>.</p>
"""
    return page(f"{info.title or info.name}", body, head=HOME_CSS, root=root)
