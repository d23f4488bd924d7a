"""GET /sources/<id>: an article's text as stored, every cited span highlighted with who said it.

The spans are the API's `Source.citedSpans` (ApiIndex.cited_spans_by_source). Each citation is
exactly one <mark data-citation="<id>"> (citations quoting the same words nest); cues and disputed
spans are marked too. Where two spans cross, the inner one is closed and reopened around the
boundary: the reopened part carries data-citation-part, never a second data-citation. The page
is templates/reader.html.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from api.errors import excerpt
from api.graph.indexes import ApiIndex
from api.http.views.home import source_label
from api.http.views.pages import fresh, page, render, root_path, wants_html
from schema.load.selectors import CONTEXT
from schema.model.dataset import Dataset
from schema.model.models import Citation

PALETTE = [
    ("#dbeafe", "#1d4ed8"),  # blue
    ("#fce7f3", "#be185d"),  # pink
    ("#dcfce7", "#15803d"),  # green
    ("#fef3c7", "#b45309"),  # amber
    ("#ede9fe", "#6d28d9"),  # violet
    ("#ffedd5", "#c2410c"),  # orange
    ("#cffafe", "#0e7490"),  # cyan
    ("#e2e8f0", "#334155"),  # slate
    ("#ecfccb", "#4d7c0f"),  # lime
    ("#fee2e2", "#b91c1c"),  # red
    ("#fae8ff", "#a21caf"),  # fuchsia
    ("#efe4d6", "#7c4a1e"),  # brown
]
"""(background, underline and ink) per speaker, given in order of first appearance in the article: no
two speakers of one article share a colour unless it has more speakers than the palette has colours."""
MODE_WORDS = {
    "direct": "direct quotation",
    "partial": "partial quotation",
    "paraphrase": "paraphrase",
}
_RANK = {"citation": 0, "discrepancy": 1, "cue": 2}

SCRIPT = "reader.js"
"""The template of the page's inline script: the hover cards and the span picker, which shows the W3C
selector of the words selected (offsets in code points, CONTEXT code points of prefix and suffix, as
`parley anchor` writes them) and a citation stub, computed in the browser from the text shown."""


@dataclass
class _Span:
    start: int
    end: int
    kind: str  # citation, cue or discrepancy
    key: str
    attrs: dict[str, str] = field(default_factory=dict)
    opened: bool = False

    @property
    def tag(self) -> str:
        return "mark" if self.kind == "citation" else "span"

    def opening(self) -> dict[str, str]:
        """The attributes of this span's next element: all of them the first time, fewer when reopened."""
        attrs = dict(self.attrs)
        if self.opened and self.kind == "citation":  # a reopened part: never a second data-citation
            attrs = {k: v for k, v in attrs.items() if k == "class"}
            attrs["data-citation-part"] = self.key
        elif self.opened:
            attrs = {k: v for k, v in attrs.items() if k not in ("id", "tabindex")}
        self.opened = True
        return attrs


Piece = tuple[str, str | None, Any]
"""("text", None, words), ("open", tag, attributes) or ("close", tag, None): what source_text.html shows."""


def text_pieces(text: str, spans: list[_Span]) -> list[Piece]:
    """Takes the text and its spans; returns its pieces and the elements opening and closing around them.

    Each span's first element carries its attributes. Elements nest by position (longest first); where two
    cross, the inner one is closed at the boundary and reopened after it.
    """
    starts: dict[int, list[_Span]] = {}
    ends: dict[int, list[_Span]] = {}
    for span in spans:
        starts.setdefault(span.start, []).append(span)
        ends.setdefault(span.end, []).append(span)
    boundaries = sorted({0, len(text), *starts, *ends})
    out: list[Piece] = []
    stack: list[_Span] = []
    for i, position in enumerate(boundaries):
        closing = ends.get(position, [])
        reopen: list[_Span] = []
        if closing:
            lowest = min(stack.index(s) for s in closing)
            while len(stack) > lowest:
                top = stack.pop()
                out.append(("close", top.tag, None))
                if top not in closing:
                    reopen.append(top)
            reopen.reverse()
        new = sorted(starts.get(position, []), key=lambda s: (-s.end, _RANK[s.kind], s.key))
        for span in [*reopen, *new]:
            out.append(("open", span.tag, span.opening()))
            stack.append(span)
        if i + 1 < len(boundaries):
            out.append(("text", None, text[position : boundaries[i + 1]]))
    return out


def render_text(text: str, spans: list[_Span]) -> str:
    """Takes the text and its spans; returns the HTML of the text with its marks (source_text.html)."""
    return render("source_text.html", pieces=text_pieces(text, spans))


def _operation_name(slug: str) -> str:
    return "Claim" + "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", slug) if part)


def claim_query(claim_id: str) -> str:
    """The GraphQL query a highlight's playground link opens: the claim, its speaker and every citation."""
    return (
        f"# The claim behind a highlight in the source reader.\n"
        f"query {_operation_name(claim_id)} {{\n"
        f"  claim(slug: {json.dumps(claim_id)}) {{\n"
        "    summary\n    speaker { name }\n    saidOn { date precision }\n"
        "    citations {\n      mode\n      source { headline outlet { name } }\n"
        "      evidence { exact start end }\n    }\n  }\n}\n"
    )


@dataclass(frozen=True)
class ReaderData:
    """What one source's page shows: the spans, the speakers in order and each citation's card."""

    spans: list[_Span]
    speakers: list[tuple[str, str, int]]  # (person id, name, citations)
    cards: dict[str, dict[str, str]]
    citations: list[Citation]


def reader_data(dataset: Dataset, index: ApiIndex, source_id: str, root: str) -> ReaderData:
    """Takes the dataset, its ApiIndex and a source id; returns the spans and cards of its reader page."""
    cited = index.cited_spans_by_source.get(source_id, [])
    by_position: dict[tuple[int, int], list[Citation]] = {}
    for citation in dataset.citations_by_source.get(source_id, []):
        by_position.setdefault((citation.evidence.start, citation.evidence.end), []).append(citation)
    ordered = [c for e in cited for c in by_position.get((e.start, e.end), [])]
    speaker_order: dict[str, int] = {}
    counts: dict[str, int] = {}
    for citation in ordered:
        speaker = dataset.claims[citation.claim].speaker
        speaker_order.setdefault(speaker, len(speaker_order))
        counts[speaker] = counts.get(speaker, 0) + 1
    spans: list[_Span] = []
    cards: dict[str, dict[str, str]] = {}
    for citation in ordered:
        claim = dataset.claims[citation.claim]
        person = dataset.people[claim.speaker]
        colour = speaker_order[claim.speaker] % len(PALETTE)
        mode = citation.mode.value
        spans.append(
            _Span(
                citation.evidence.start,
                citation.evidence.end,
                "citation",
                citation.id,
                {
                    "id": f"c-{citation.id}",
                    "class": f"c sp{colour} m-{mode}",
                    "data-citation": citation.id,
                    "data-claim": claim.id,
                    "data-speaker": person.name,
                    "data-mode": mode,
                    "tabindex": "0",
                },
            )
        )
        if citation.cue is not None and citation.cue.source == source_id:
            spans.append(
                _Span(citation.cue.start, citation.cue.end, "cue", f"cue:{citation.id}",
                      {"class": "cue", "data-cue": citation.id, "title": f"attribution cue: {person.name}"})
            )
        cards[citation.id] = {
            "speaker": person.name,
            "mode": mode,
            "modeWords": MODE_WORDS[mode],
            "summary": claim.summary,
            "saidOn": claim.said_on.date if claim.said_on is not None else "",
            "playground": f"{root}/playground?query={quote(claim_query(claim.id))}",
        }
    for discrepancy in dataset.discrepancies.values():
        for variant in discrepancy.variants:
            for n, evidence in enumerate(variant.citations):
                if evidence.source != source_id:
                    continue
                title = f"Sources disagree: {discrepancy.subject}. This article: {variant.value!r}."
                spans.append(
                    _Span(evidence.start, evidence.end, "discrepancy",
                          f"disc:{discrepancy.id}:{variant.value}:{n}",
                          {"class": "disc", "data-discrepancy": discrepancy.id, "title": title})
                )
    speakers = [
        (person_id, dataset.people[person_id].name, counts[person_id])
        for person_id in sorted(speaker_order, key=speaker_order.__getitem__)
    ]
    return ReaderData(spans, speakers, cards, ordered)


PAGE_CACHE_SIZE = 256
"""Rendered reader pages kept (per source and mount path): a synthetic dataset has thousands of sources."""


def reader_endpoint(dataset: Dataset, index: ApiIndex) -> Callable[[Request], Any]:
    """Returns the GET /sources/{id} endpoint; the last PAGE_CACHE_SIZE pages rendered are kept."""

    @functools.lru_cache(maxsize=PAGE_CACHE_SIZE)
    def rendered(source_id: str, root: str) -> Response:
        return _page(dataset, source_id, reader_data(dataset, index, source_id, root), root)

    async def endpoint(request: Request) -> Response:
        source_id = request.path_params["id"]
        source = dataset.sources.get(source_id)
        if source is None:
            raise HTTPException(404, f"No source with id {excerpt(source_id)}; GET /sources/ lists them.")
        root = root_path(request)
        if not wants_html(request):
            found = reader_data(dataset, index, source_id, root)
            body = {
                "id": source_id,
                "text": dataset.seed_texts[source_id],
                "citedSpans": [{"start": e.start, "end": e.end, "exact": e.exact}
                               for e in index.cited_spans_by_source.get(source_id, [])],
                "citations": [{"id": c.id, **found.cards[c.id], "start": c.evidence.start,
                               "end": c.evidence.end} for c in found.citations],
            }
            return Response(orjson.dumps(body), media_type="application/json")
        return fresh(rendered(source_id, root))

    return endpoint


def _page(dataset: Dataset, source_id: str, found: ReaderData, root: str) -> Response:
    source = dataset.sources[source_id]
    label = source_label(dataset, source)
    speaker_colour = {pid: i % len(PALETTE) for i, (pid, _, _) in enumerate(found.speakers)}
    citations = [  # each citation's card, and what the list under the text adds
        {**found.cards[c.id], "id": c.id, "exact": c.evidence.exact,
         "colour": speaker_colour[dataset.claims[c.claim].speaker]}
        for c in found.citations
    ]
    author = source.author.value if source.author is not None else None
    meta = [label["outlet"], label["date"], *([f"by {author}"] if author else []),
            *([source.credit.text] if source.credit is not None else [])]
    return page(
        "reader.html",
        script=SCRIPT,
        root=root,
        headline=label["headline"],
        meta=meta,
        seed=source.seed,
        sha256=source.sha256,
        palette=PALETTE,
        modes=list(MODE_WORDS),
        mode_words=MODE_WORDS,
        source_id=source_id,
        length=len(dataset.seed_texts[source_id]),
        context=CONTEXT,
        speakers=[(speaker_colour[pid], name, n) for pid, name, n in found.speakers],
        pieces=text_pieces(dataset.seed_texts[source_id], found.spans),
        citations=citations,
        cards=found.cards,
    )
