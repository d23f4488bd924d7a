"""The reader's colours and mode marks, read from the served HTML: within an article each speaker has a
colour of their own (given in order of first appearance, up to the palette's size), the palette's
colours differ, and a highlight's mode is a labelled badge, never a character that reads as a
quotation mark. The page also carries what the span picker needs: the source, the text's length in
code points and the server's CONTEXT."""

from __future__ import annotations

import re

from schema.load.selectors import CONTEXT
from tests.api.http.test_pages import BROWSER, parse
from tests.api_client import client, dataset

QUOTE_LIKE = re.compile("[\"'\u00ab\u00bb\u2018-\u201f\u2039\u203a\u2248\u2026]")
"""Quotation marks of every kind, and the marks the reader used to draw (… and ≈)."""


def _page(source: str) -> str:
    response = client().get(f"/sources/{source}", headers=BROWSER)
    assert response.status_code == 200
    return response.text


def _palette(page: str) -> dict[int, tuple[str, str]]:
    """Colour number -> (background, underline) from the page's own style rules."""
    rules = re.findall(r"mark\.c\.sp(\d+) \{ background: (#\w+); border-bottom-color: (#\w+); \}", page)
    return {int(n): (background, ink) for n, background, ink in rules}


def test_each_speaker_in_an_article_has_a_colour_of_their_own() -> None:
    data = dataset()
    sizes = set()
    for source in data.sources:
        page = _page(source)
        palette = _palette(page)
        sizes.add(len(palette))
        assert len(set(palette.values())) == len(palette), palette  # no two colours alike
        assert len({background for background, _ in palette.values()}) == len(palette)
        colour_of: dict[str, int] = {}
        for tag, attrs in parse(page).elements:
            if tag != "mark" or "data-citation" not in attrs:
                continue
            speaker = data.claims[attrs["data-claim"]].speaker
            colour = int(re.findall(r"\bsp(\d+)\b", attrs["class"])[0])
            assert colour in palette
            assert colour_of.setdefault(speaker, colour) == colour, (source, speaker)  # one per speaker
        speakers = {data.claims[c.claim].speaker for c in data.citations_by_source.get(source, [])}
        assert set(colour_of) == speakers, source
        first = list(colour_of.values())[: len(palette)]  # in order of first appearance
        assert len(set(first)) == len(first), (source, colour_of)
    assert len(sizes) == 1
    # The data's most crowded article fits the palette, so no two of its speakers share a colour.
    crowds = [{data.claims[c.claim].speaker for c in cited} for cited in data.citations_by_source.values()]
    most = max(len(speakers) for speakers in crowds)
    assert most <= sizes.pop()


def test_a_highlights_mode_is_a_labelled_badge_not_a_quotation_mark() -> None:
    data = dataset()
    modes = {citation.mode.value for citation in data.citations.values()}
    for source in data.sources:
        page = _page(source)
        assert "content: attr(data-mode)" in page  # the badge's words are the mode's name
        for tag, attrs in parse(page).elements:
            if tag == "mark" and "data-citation" in attrs:
                assert attrs["data-mode"] == data.citations[attrs["data-citation"]].mode.value
                assert attrs["data-mode"] in modes
                marks_only = [v for v in attrs.values() if v and all(QUOTE_LIKE.match(ch) for ch in v)]
                assert marks_only == [], attrs  # nothing for CSS to draw that reads as a quotation mark
        legend = re.search(r'<ul class="legend" aria-label="Marks">(.*?)</ul>', page, re.S)
        assert legend is not None
        assert re.findall(r'<span class="badge">(\w+)</span>', legend.group(1)) == [
            "direct", "partial", "paraphrase"
        ]


def test_the_page_carries_what_the_span_picker_needs() -> None:
    data = dataset()
    for source in data.sources:
        text = next(attrs for tag, attrs in parse(_page(source)).elements if attrs.get("id") == "text")
        assert text["data-source"] == source
        assert int(text["data-length"]) == len(data.seed_texts[source])
        assert int(text["data-context"]) == CONTEXT
        shown = "".join(parse(_page(source), "text").text)
        assert shown == data.seed_texts[source]
