"""Permalinks: /claims/<id>, /people/<id> and /negotiations/<id> (a source's is its reader,
/sources/<id>), a claim's citation as CSL-JSON, and the /sources/ index.

Each record page runs one GraphQL document (records/<kind>.graphql) through the app's engine, so a
client asking for JSON gets exactly what the API answers for it (the document's `data`), a browser
gets that same answer rendered (templates/<kind>.html), and the page's playground link opens the
document with its variables. Which one is chosen by the Accept header; every answer says
`Vary: Accept`. Unknown ids are 404, as a page to a browser and JSON to clients (errors.py).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from api.engine.pipeline import Engine
from api.engine.request import GraphQLRequest
from api.graph.meta import meta_for
from api.http import transport
from api.http.views.errors import HTML, JSON, error_response
from api.http.views.home import source_label
from api.http.views.pages import fresh, page, root_path
from api.http.views.reader import MODE_WORDS
from schema.model.dataset import Dataset
from schema.store.reader import StoredDataset
from schema.text.sentences import SentenceIndex

CSL_JSON = "application/vnd.citationstyles.csl+json"
"""CSL-JSON's media type (Citation Style Language input data)."""
RECORDS_DIR = Path(__file__).resolve().parent / "records"


@dataclass(frozen=True)
class RecordKind:
    """One kind of record with a permalink page: its path, GraphQL document and template."""

    name: str  # the document's root field: "claim"
    path: str  # "/claims"
    label: str  # what an unknown id is called in a 404: "claim"

    @functools.cached_property
    def document(self) -> str:
        """The GraphQL document the page runs (records/<name>.graphql)."""
        return (RECORDS_DIR / f"{self.name}.graphql").read_text(encoding="utf-8")

    def variables(self, slug: str) -> dict[str, str]:
        """The document's variables for a record: its slug (as `negotiation` too, the claim filter's ID)."""
        return {"slug": slug, "negotiation": slug} if "$negotiation" in self.document else {"slug": slug}


CLAIM = RecordKind("claim", "/claims", "claim")
PERSON = RecordKind("person", "/people", "person")
NEGOTIATION = RecordKind("negotiation", "/negotiations", "negotiation")
KINDS = (CLAIM, PERSON, NEGOTIATION)


def documents() -> list[str]:
    """The permalink pages' GraphQL documents (trusted with --persisted-only: their playground links run)."""
    return [kind.document for kind in KINDS]


def playground_link(root: str, kind: RecordKind, slug: str) -> str:
    """The playground with the record's document and variables filled in."""
    params = {"query": kind.document, "variables": json.dumps(kind.variables(slug))}
    query = urlencode(params, quote_via=quote)
    return f"{root}/playground?{query}"


def fragment(words: str) -> str:
    """A text fragment directive's text (`#:~:text=`), so a link scrolls a browser to the words in the
    reader: every character but letters and digits percent-encoded ("-", "," and "&" have meanings there)."""
    return quote(words, safe="").replace("-", "%2D")


def base_address(request: Request) -> str:
    """This server's address as the client reached it, mount path included, without the final slash."""
    return str(request.base_url).rstrip("/")


def date_parts(date: str) -> list[int]:
    """Takes a partial date ("2025-06-10", "2025-06" or "2025"); returns CSL date-parts at its precision."""
    return [int(part) for part in date.split("-")]


def claim_csl(claim: dict[str, Any], dataset: Dataset, url: str) -> dict[str, Any]:
    """Takes a claim as the API answers it (records/claim.graphql) and its permalink; returns its CSL-JSON
    item: an entry in this dataset, by its speaker when named, issued when it was said, at the date's
    precision (nothing more exact than the data knows), with the outlets that report it as a note."""
    info = meta_for(dataset)
    reports = "; ".join(
        f"{(c['source']['outlet'] or {}).get('name', 'unknown outlet')} ({MODE_WORDS[c['mode'].lower()]})"
        for c in claim["citations"]
    )
    item: dict[str, Any] = {
        "id": claim["slug"],
        "type": "entry",
        "title": claim["summary"],
        "container-title": info.title or info.name,
        "publisher": info.name,
        "version": info.version,
        "genre": "claim",
        "URL": url,
        "note": f"Speaker: {claim['speaker']['name']}. Reported by: {reports}." if reports else None,
    }
    if claim["speaker"]["named"]:
        item["author"] = [{"literal": claim["speaker"]["name"]}]
    if claim["saidOn"] is not None:
        item["issued"] = {"date-parts": [date_parts(claim["saidOn"]["date"])]}
    return {key: value for key, value in item.items() if value is not None}


def cite_text(item: dict[str, Any]) -> str:
    """A plain-text reference written from a CSL-JSON item: who (when). What [claim id]. In the dataset,
    version. URL. An item with no author (an unnamed speaker) starts with its title."""
    when = "-".join(f"{p:02d}" for p in item["issued"]["date-parts"][0]) if "issued" in item else "n.d."
    what = f"{item['title'].rstrip('.')} [{item['genre']} {item['id']}]"
    lead = f"{item['author'][0]['literal']} ({when}). {what}" if "author" in item else f"{what} ({when})"
    return f"{lead}. In {item['container-title']}, version {item['version']}. {item['URL']}"


class Permalinks:
    """The record pages of one app: its engine answers the documents; the dataset gives seed texts."""

    def __init__(self, engine: Engine, dataset: Dataset) -> None:
        self.engine, self.dataset = engine, dataset

    @functools.lru_cache(maxsize=64)  # noqa: B019 - one Permalinks per app, kept as long as the app
    def sentences(self, source: str) -> SentenceIndex:
        """A seed's sentences (the last sources asked for are kept)."""
        return SentenceIndex(self.dataset.seed_texts[source])

    async def answer(self, kind: RecordKind, slug: str) -> dict[str, Any]:
        """Runs the kind's document for `slug`; returns the answer's `data` (its record null if unknown)."""
        status, body = await self.engine.run(GraphQLRequest(kind.document, kind.variables(slug)), "GET")
        answer = orjson.loads(body)
        if status != 200 or answer.get("errors"):
            failure = f"{kind.name} page query for {slug!r} failed ({status}): {answer.get('errors')}"
            raise RuntimeError(failure)
        data: dict[str, Any] = answer["data"]
        return data

    def in_sentence(self, evidence: dict[str, Any], source: str) -> dict[str, str]:
        """The sentence(s) around a span: the words before it, the span itself and the words after."""
        index = self.sentences(source)
        found = index.overlapping(evidence["start"], evidence["end"])
        text = self.dataset.seed_texts[source]
        start = min([evidence["start"], *(index.sentences[i].start for i in found)])
        end = max([evidence["end"], *(index.sentences[i].end for i in found)])
        return {
            "before": text[start : evidence["start"]],
            "exact": text[evidence["start"] : evidence["end"]],
            "after": text[evidence["end"] : end],
        }

    def endpoint(self, kind: RecordKind) -> Callable[[Request], Any]:
        """GET <kind.path>/{id}: the page, its JSON or (a claim) its CSL-JSON, chosen by Accept."""
        offers = [JSON, HTML, CSL_JSON] if kind is CLAIM else [JSON, HTML]

        async def endpoint(request: Request) -> Response:
            slug = request.path_params["id"]
            chosen = transport.best_match(request.headers.get("accept"), offers)
            data = await self.answer(kind, slug)
            record = data[kind.name]
            if record is None:
                listing = kind.path.strip("/")  # the GraphQL root field listing them
                message = f"No {kind.label} with id {slug!r}; GraphQL's {listing}(...) lists them."
                return error_response(request, 404, message)
            if chosen is None:
                return error_response(request, 406, f"{kind.path}/{slug} is served as " + ", ".join(offers) +
                                      "; the Accept header allows none of them.")
            url = f"{base_address(request)}{kind.path}/{slug}"
            headers = {"Vary": "Accept", "Link": f'<{url}>; rel="canonical"'}
            if kind is CLAIM:
                headers["Link"] += f', <{url}.csl.json>; rel="alternate"; type="{CSL_JSON}"'
            if chosen == CSL_JSON:
                return Response(orjson.dumps([claim_csl(record, self.dataset, url)]), media_type=CSL_JSON,
                                headers=headers)
            if chosen == JSON:
                return Response(orjson.dumps(data), media_type=JSON, headers=headers)
            context = self.context(kind, data, request)
            rendered = page(f"{kind.name}.html", root=root_path(request), url=url, **context)
            rendered.headers.update(headers)
            return rendered

        return endpoint

    def csl_endpoint(self) -> Callable[[Request], Any]:
        """GET /claims/{id}.csl.json: the claim's CSL-JSON whatever the Accept header (a link to save)."""

        async def endpoint(request: Request) -> Response:
            slug = request.path_params["id"]
            record = (await self.answer(CLAIM, slug))["claim"]
            if record is None:
                message = f"No claim with id {slug!r}; GraphQL's claims(...) lists them."
                return error_response(request, 404, message)
            url = f"{base_address(request)}{CLAIM.path}/{slug}"
            return Response(orjson.dumps([claim_csl(record, self.dataset, url)]), media_type=CSL_JSON)

        return endpoint

    def context(self, kind: RecordKind, data: dict[str, Any], request: Request) -> dict[str, Any]:
        """What a record's template shows besides the answer itself."""
        root = root_path(request)
        found: dict[str, Any] = {"data": data, "record": data[kind.name], "mode_words": MODE_WORDS,
                                 "fragment": fragment,
                                 "playground": playground_link(root, kind, data[kind.name]["slug"])}
        if kind is CLAIM:
            claim = data["claim"]
            url = f"{base_address(request)}{CLAIM.path}/{claim['slug']}"
            found["cite"] = cite_text(claim_csl(claim, self.dataset, url))
            found["contexts"] = {c["slug"]: self.in_sentence(c["evidence"], c["source"]["slug"])
                                 for c in claim["citations"]}
        if kind is NEGOTIATION:
            by_party: dict[str, list[dict[str, Any]]] = {}
            for delegate in data["negotiation"]["delegates"]:
                by_party.setdefault(delegate["party"]["name"], []).append(delegate)
            found["by_party"] = by_party
        return found


def source_counts(dataset: StoredDataset) -> dict[str, tuple[int, int]]:
    """Source id -> (claims, citations) citing it: one statement over the snapshot's readable
    `citations` table, rather than decoding every citation."""
    assert dataset.store is not None, "served datasets are snapshots"
    sql = "SELECT source, COUNT(DISTINCT claim), COUNT(*) FROM citations GROUP BY source"
    rows = dataset.store.query(sql)
    return {source: (claims, citations) for source, claims, citations in rows}


PAGE_CACHE_SIZE = 8
"""Rendered /sources/ answers kept, per mount path (HTML) or address (JSON)."""


def sources_index(dataset: StoredDataset) -> Callable[[Request], Any]:
    """GET /sources/: every source (headline, outlet, published date, claims and citations) linking to
    its reader; JSON (the home page's source entries with the counts) to clients. The data does not
    change while served, so the rows are gathered once and each answer is kept."""

    @functools.cache
    def rows() -> list[dict[str, Any]]:
        counts = source_counts(dataset)
        return [{"id": source.id, **source_label(dataset, source),
                 "claims": counts.get(source.id, (0, 0))[0], "citations": counts.get(source.id, (0, 0))[1]}
                for source in dataset.sources.values()]

    @functools.lru_cache(maxsize=PAGE_CACHE_SIZE)
    def html(root: str) -> Response:
        return page("sources.html", root=root, sources=rows())

    @functools.lru_cache(maxsize=PAGE_CACHE_SIZE)
    def listing(base: str) -> bytes:
        return orjson.dumps([{**row, "reader": f"{base}/sources/{row['id']}"} for row in rows()])

    async def endpoint(request: Request) -> Response:
        chosen = transport.best_match(request.headers.get("accept"), [JSON, HTML])
        if chosen is None:
            return error_response(request, 406, "/sources/ is served as JSON or HTML; the Accept header "
                                  "allows neither.")
        headers = {"Vary": "Accept"}
        if chosen == JSON:
            body = await run_in_threadpool(listing, base_address(request))
            return Response(body, media_type=JSON, headers=headers)
        rendered = fresh(await run_in_threadpool(html, root_path(request)))
        rendered.headers.update(headers)
        return rendered

    return endpoint


def routes(engine: Engine, dataset: StoredDataset) -> list[BaseRoute]:
    """The permalink routes: each record kind's page, a claim's .csl.json, and the /sources/ index."""
    pages = Permalinks(engine, dataset)
    found: list[BaseRoute] = [
        Route("/sources/", sources_index(dataset), methods=["GET"]),
        Route("/claims/{id:str}.csl.json", pages.csl_endpoint(), methods=["GET"]),
    ]
    found += [Route(f"{kind.path}/{{id:str}}", pages.endpoint(kind), methods=["GET"]) for kind in KINDS]
    return found
