"""GET /sources/<id>: an article's text as stored, every cited span highlighted with who said it.

The highlighted spans are `Source.citedSpans` (ApiIndex.cited_spans_by_source): one source of truth with
the API. Each citation of the source is exactly one <mark data-citation="<id>"> (citations that quote
the same words nest); cues and the spans sources disagree on are marked too. Where two spans cross,
the inner one is closed and reopened around the boundary: the reopened part carries
data-citation-part, never a second data-citation.
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
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from api.graph.indexes import ApiIndex
from api.http.downloads import not_found
from api.http.views.home import source_label
from api.http.views.pages import escape, join, page, root_path, wants_html
from schema.model.dataset import Dataset
from schema.model.models import Citation

# (background, border/ink) per speaker, in order of first appearance in the article.
PALETTE = [
    ("#dbeafe", "#1d4ed8"),
    ("#fce7f3", "#be185d"),
    ("#dcfce7", "#15803d"),
    ("#fef3c7", "#b45309"),
    ("#ede9fe", "#6d28d9"),
    ("#ffedd5", "#c2410c"),
    ("#cffafe", "#0e7490"),
    ("#e2e8f0", "#334155"),
]
MODE_MARKS = {"direct": "\u201c\u201d", "partial": "\u201c\u2026\u201d", "paraphrase": "\u2248"}
MODE_WORDS = {
    "direct": "direct quotation",
    "partial": "partial quotation",
    "paraphrase": "paraphrase",
}
_RANK = {"citation": 0, "discrepancy": 1, "cue": 2}

READER_CSS = """
.source-meta { color: var(--muted); margin: 0 0 .8rem; }
.source-meta span + span::before { content: " · "; }
.legend { display: flex; flex-wrap: wrap; gap: .35rem 1rem; padding: .5rem .7rem; background: #fff;
  border: 1px solid var(--line); border-radius: 6px; font-size: .92rem; list-style: none; }
.legend li { display: flex; align-items: center; gap: .35rem; }
.swatch { display: inline-block; width: 1.6em; height: 1.05em; border-radius: 3px; border-bottom: 3px solid; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; background: #fff; border: 1px solid var(--line);
  border-radius: 6px; padding: 1rem 1.1rem; line-height: 1.75; max-width: 48rem; font-size: 1.02rem; }
mark.c { color: inherit; border-radius: 2px; padding: 0 .05em; border-bottom: 3px solid;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; cursor: help; }
mark.c mark.c { padding: .15em 0; }
mark.c.m-partial { border-bottom-style: dashed; }
mark.c.m-paraphrase { border-bottom-style: dotted; background-image: none; font-style: italic; }
mark.c[data-citation]::after { content: attr(data-mode-mark); font-size: .7em; vertical-align: super;
  font-style: normal; color: var(--muted); padding-left: .1em; }
.cue { text-decoration: underline wavy #6b7280; text-underline-offset: .25em; }
.disc { outline: 2px dashed #dc2626; outline-offset: 1px; border-radius: 2px; }
#card { position: absolute; z-index: 10; max-width: min(26rem, 92vw); background: #fff; color: var(--ink);
  border: 1px solid var(--line); border-radius: 8px; box-shadow: 0 6px 24px rgba(0,0,0,.18);
  padding: .6rem .8rem; font-size: .93rem; line-height: 1.45; }
#card[hidden] { display: none; }
#card .who { font-weight: 700; }
#card .entry + .entry { border-top: 1px solid var(--line); margin-top: .45rem; padding-top: .45rem; }
ol.citations { padding-left: 1.4rem; max-width: 48rem; }
ol.citations li { margin: .55rem 0; }
ol.citations q { font-style: italic; }
.dot { display: inline-block; width: .8em; height: .8em; border-radius: 50%; vertical-align: baseline; }
@media print { #card { display: none !important; } .text { border: 0; padding: 0; }
  ol.citations a.play { display: none; } }
"""

READER_JS = r"""
(() => {
  const data = JSON.parse(document.getElementById('reader-data').textContent);
  const card = document.getElementById('card');
  let hideTimer = null;
  const primary = (mark) => mark.dataset.citation || mark.dataset.citationPart;
  function marksAt(node) {
    const found = [];
    for (let el = node; el && el !== document.body; el = el.parentElement) {
      if (el.matches && el.matches('mark[data-citation], mark[data-citation-part]')) {
        const id = primary(el);
        if (!found.includes(id)) found.push(id);
      }
    }
    return found;
  }
  function entry(id) {
    const c = data[id];
    const div = document.createElement('div');
    div.className = 'entry';
    const who = document.createElement('div');
    who.className = 'who';
    who.textContent = c.speaker;
    const how = document.createElement('div');
    how.textContent = c.modeWords + (c.saidOn ? ' · said ' + c.saidOn : '');
    const what = document.createElement('div');
    what.textContent = c.summary;
    const link = document.createElement('a');
    link.href = c.playground;
    link.textContent = 'Open this claim in the playground';
    div.append(who, how, what, link);
    return div;
  }
  function show(anchor, ids) {
    clearTimeout(hideTimer);
    card.replaceChildren(...ids.map(entry));
    card.hidden = false;
    const box = anchor.getBoundingClientRect();
    const width = Math.min(card.offsetWidth, window.innerWidth - 16);
    const left = Math.max(8, Math.min(box.left, window.innerWidth - width - 8));
    card.style.left = (left + window.scrollX) + 'px';
    card.style.top = (box.bottom + window.scrollY + 6) + 'px';
    for (const el of document.querySelectorAll('[aria-describedby="card"]')) {
      el.removeAttribute('aria-describedby');
    }
    anchor.setAttribute('aria-describedby', 'card');
  }
  function hideSoon() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(() => { card.hidden = true; }, 250);
  }
  document.addEventListener('mouseover', (event) => {
    if (card.contains(event.target)) { clearTimeout(hideTimer); return; }
    const ids = marksAt(event.target);
    if (ids.length) {
      const mark = event.target.closest('mark');
      show(mark, ids);
    } else if (!card.hidden) {
      hideSoon();
    }
  });
  document.addEventListener('focusin', (event) => {
    if (card.contains(event.target)) { clearTimeout(hideTimer); return; }
    const ids = marksAt(event.target);
    if (ids.length) show(event.target, ids); else card.hidden = true;
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') { card.hidden = true; return; }
    const mark = event.target.closest && event.target.closest('mark[data-citation]');
    if (mark && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      const link = card.querySelector('a');
      if (link) link.focus();
    }
  });
})();
"""


@dataclass
class _Span:
    start: int
    end: int
    kind: str  # citation, cue or discrepancy
    key: str
    attrs: dict[str, str] = field(default_factory=dict)
    opened: bool = False

    def open_tag(self) -> str:
        attrs = dict(self.attrs)
        if self.opened and self.kind == "citation":  # a reopened part: never a second data-citation
            attrs = {k: v for k, v in attrs.items() if k in ("class", "data-mode-mark")}
            attrs["data-citation-part"] = self.key
            attrs.pop("data-mode-mark", None)
        elif self.opened:
            attrs = {k: v for k, v in attrs.items() if k not in ("id", "tabindex")}
        self.opened = True
        tag = "mark" if self.kind == "citation" else "span"
        return f"<{tag}" + join(f' {name}="{escape(value)}"' for name, value in attrs.items()) + ">"

    def close_tag(self) -> str:
        return "</mark>" if self.kind == "citation" else "</span>"


def render_text(text: str, spans: list[_Span]) -> str:
    """Takes the text and its spans; returns the HTML, each span's first element carrying its attributes.

    Elements nest by position (longest first); where two cross, the inner one is closed at the boundary
    and reopened after it.
    """
    starts: dict[int, list[_Span]] = {}
    ends: dict[int, list[_Span]] = {}
    for span in spans:
        starts.setdefault(span.start, []).append(span)
        ends.setdefault(span.end, []).append(span)
    boundaries = sorted({0, len(text), *starts, *ends})
    out: list[str] = []
    stack: list[_Span] = []
    for i, position in enumerate(boundaries):
        closing = ends.get(position, [])
        reopen: list[_Span] = []
        if closing:
            lowest = min(stack.index(s) for s in closing)
            while len(stack) > lowest:
                top = stack.pop()
                out.append(top.close_tag())
                if top not in closing:
                    reopen.append(top)
            reopen.reverse()
        new = sorted(starts.get(position, []), key=lambda s: (-s.end, _RANK[s.kind], s.key))
        for span in [*reopen, *new]:
            out.append(span.open_tag())
            stack.append(span)
        if i + 1 < len(boundaries):
            out.append(escape(text[position : boundaries[i + 1]]).replace("&#x27;", "'"))
    return "".join(out)


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
                    "data-mode-mark": MODE_MARKS[mode],
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


def _palette_css() -> str:
    return join(
        f"mark.c.sp{i} {{ background: {bg}; border-bottom-color: {ink}; }}"
        f" .sp{i}-swatch {{ background: {bg}; border-color: {ink}; }} .sp{i}-dot {{ background: {ink}; }}\n"
        for i, (bg, ink) in enumerate(PALETTE)
    )


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
            return not_found(f"No source with id {source_id!r}; GET / lists them.")
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
        cached = rendered(source_id, root)
        policy = cached.headers["content-security-policy"]
        return HTMLResponse(cached.body, headers={"Content-Security-Policy": policy})

    return endpoint


def _page(dataset: Dataset, source_id: str, found: ReaderData, root: str) -> Response:
    source = dataset.sources[source_id]
    label = source_label(dataset, source)
    text_html = render_text(dataset.seed_texts[source_id], found.spans)
    speaker_colour = {pid: i % len(PALETTE) for i, (pid, _, _) in enumerate(found.speakers)}
    legend = join(
        f'<li><span class="swatch sp{speaker_colour[pid]}-swatch"></span>{escape(name)} ({n})</li>'
        for pid, name, n in found.speakers
    )
    modes = join(
        f'<li><span class="swatch" style="border-bottom-style:{style};border-color:#334155"></span>'
        f"{MODE_MARKS[mode]} {MODE_WORDS[mode]}</li>"
        for mode, style in (("direct", "solid"), ("partial", "dashed"), ("paraphrase", "dotted"))
    )
    extras = (
        '<li><span class="cue">said</span>&nbsp;attribution cue</li>'
        '<li><span class="disc">word</span>&nbsp;sources disagree (hover for what)</li>'
    )
    items = []
    for citation in found.citations:
        card = found.cards[citation.id]
        colour = speaker_colour[dataset.claims[citation.claim].speaker]
        items.append(
            f'<li data-for="{escape(citation.id)}"><span class="dot sp{colour}-dot"></span> '
            f"<b>{escape(card['speaker'])}</b>, {escape(card['modeWords'])}: "
            f"<q>{escape(citation.evidence.exact)}</q>"
            f"<br>{escape(card['summary'])} "
            f'<a href="#c-{escape(citation.id)}">in the text</a> · '
            f'<a class="play" href="{escape(card["playground"])}">in the playground</a></li>'
        )
    author = source.author.value if source.author is not None else None
    meta_bits = [label["outlet"], label["date"], *([f"by {author}"] if author else []),
                 *([source.credit.text] if source.credit is not None else [])]
    meta_html = join(f"<span>{escape(bit)}</span>" for bit in meta_bits)
    data = json.dumps(found.cards, ensure_ascii=False).replace("<", "\\u003c")
    cited_count = len(found.citations)
    body = f"""
<p class="no-print"><a href="{root}/">← all articles</a></p>
<h1>{escape(label["headline"])}</h1>
<p class="source-meta">{meta_html}</p>
<p class="muted">The article's text exactly as stored ({escape(source.seed)}, sha256
<span class="mono">{escape(source.sha256)}</span>). {cited_count} citations are highlighted, coloured by
speaker; hover or tab to one for who said it.</p>
<ul class="legend" aria-label="Speakers">{legend}</ul>
<ul class="legend" aria-label="Marks">{modes}{extras}</ul>
<div class="text" id="text">{text_html}</div>
<h2 id="citations">Citations in this article</h2>
<ol class="citations">{join(items)}</ol>
<div id="card" role="tooltip" hidden></div>
<script type="application/json" id="reader-data">{data}</script>
"""
    title = f"{label['headline']} · parley reader"
    return page(title, body, head=READER_CSS + _palette_css(), script=READER_JS, root=root)
