# ruff: noqa: RUF001  (the test is about curly quotes, dashes and look-alike letters)
"""The reader's span picker, in Debian's chromium on a live `parley serve`: selecting words shows the
selector `parley anchor` computes for them (offsets in code points, prefix and suffix as long as the
server's CONTEXT) and a citation stub in the fixtures' shape. Spans are chosen from the data: words
after curly quotes, dashes, non-breaking spaces and line breaks, across a line break and a citation's
end, a repeated word's second occurrence; and, in an article added with `parley add-source`, words
after emoji and other astral characters and across CRLF line ends. Also: each speaker's marks have a
colour of their own, and the mode marks are labelled badges outside the text."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from schema.curate.anchor import occurrences
from schema.model.models import Citation
from tests.datafiles import FIXTURES, SEEDS, copy_inputs, edit_records, read_records
from tests.e2e.test_browser import _browser, browser  # noqa: F401  (the chromium fixture)
from tests.live_server import PARLEY
from tests.serving import serving

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

Span = tuple[str, int, int]
"""(source id, start, end) in code points."""

ARTICLE = (
    "Envoys meet again 🤝 in London\r\n\r\n"
    "The envoy 😀 said “progress is real” — and 𝒳 marks the spot.\u00a0Trade’s future 🚀 looks bright.\r\n"
    "Flags 🇺🇸🇨🇳 flew; a coder 👩\u200d💻 typed. “We’ll see,” one aide said – twice: “We’ll see.”\n"
)
"""A made-up article for the picker only (never in fixtures/): astral characters, a flag pair, a ZWJ
sequence, curly quotes, dashes, a non-breaking space, CRLF line ends, words that occur twice."""


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without whitespace at its edges (the picker selects words, not the space around them)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _first(texts: dict[str, str], pattern: str) -> Span:
    for source, text in texts.items():
        found = re.search(pattern, text)
        if found:
            return source, *_trimmed(text, *found.span())
    raise AssertionError(f"no text has {pattern!r}")


def _spans(texts: dict[str, str], ends: list[Span]) -> dict[str, Span]:
    """Named spans to select, each found in the data by what comes before or inside it."""
    spans = {
        "after a left curly quote": _first(texts, r"(?<=“)\w+(?: \w+)?"),
        "after a right curly quote": _first(texts, r"(?<=[”’] )\w+ \w+"),
        "after an apostrophe": _first(texts, r"(?<=\w’)\w+ \w+"),
        "after a dash": _first(texts, r"(?<=[–—] )\w+ \w+"),
        "after a non-breaking space": _first(texts, r"(?<=\xa0)[^\s\xa0]+(?: \w+)?"),
        "across a line break": _first(texts, r"\w+\W?\n+\s*\w+"),
    }
    for source, text in texts.items():
        repeated = next((w for w in re.findall(r"\b\w{5,}\b", text) if len(occurrences(text, w)) > 1), None)
        if repeated:
            second = occurrences(text, repeated)[1]
            spans["a repeated word's second occurrence"] = (source, second, second + len(repeated))
            break
    if ends:  # across the end of a highlight, where its mode badge is drawn
        source, _, end = ends[0]
        text = texts[source]
        spans["across a citation's end"] = (source, *_trimmed(text, end - 4, min(len(text), end + 8)))
    return spans


def _anchored(
    inputs: tuple[Path, Path], tmp_path: Path, texts: dict[str, str], spans: dict[str, Span]
) -> Any:
    """What `parley anchor` writes for each span given only its source, exact words and occurrence (on
    a copy of the data being served)."""
    fixtures = Path(shutil.copytree(inputs[0], tmp_path / "anchored" / "fixtures"))
    seeds = Path(shutil.copytree(inputs[1], tmp_path / "anchored" / "seeds"))
    claim = read_records(fixtures, "claims")[0]["id"]
    names = list(spans)

    def add(records: list[dict[str, Any]]) -> None:
        for n, name in enumerate(names):
            source, start, end = spans[name]
            exact = texts[source][start:end]
            occurrence = occurrences(texts[source], exact).index(start) + 1
            evidence = {"source": source, "exact": exact, "occurrence": occurrence}
            records.append({"id": f"picker-{n}", "claim": claim, "mode": "direct", "evidence": evidence})

    edit_records(fixtures, "citations", add)
    result = subprocess.run(
        [str(PARLEY), "anchor", "--fixtures", str(fixtures), "--seeds", str(seeds)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    by_id = {r["id"]: r["evidence"] for r in read_records(fixtures, "citations")}
    return {name: by_id[f"picker-{n}"] for n, name in enumerate(names)}


def _utf16(text: str, offset: int) -> int:
    return len(text[:offset].encode("utf-16-le")) // 2


RANGE = """
  const text = document.getElementById('text');
  const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0, node, started = false;
  while ((node = walker.nextNode())) {
    const length = node.data.length;
    if (!started && from <= seen + length) { range.setStart(node, from - seen); started = true; }
    if (started && to <= seen + length) { range.setEnd(node, to - seen); break; }
    seen += length;
  }
"""
"""JavaScript: `range` spans the words between UTF-16 offsets `from` and `to` of the text as shown."""

BOX = "([from, to]) => {" + RANGE + """  const box = range.getBoundingClientRect();
  return {x: box.left + box.width / 2, y: box.top + box.height / 2};
}"""
"""The middle of the words between two UTF-16 offsets, in the window's coordinates."""

SELECT = "([from, to]) => {" + RANGE + """  document.getElementById('picker-selector').textContent = '';
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}"""
"""Selects the words between two UTF-16 offsets of the text as shown (the DOM's own unit, which the
test works out from the code points: independent of the picker's arithmetic)."""


PICKED = "() => document.getElementById('picker-selector').textContent !== ''"
"""True once the picker has shown a selector (SELECT empties it first)."""


def _picked(page: Any, text: str, start: int, end: int) -> Any:
    page.evaluate(SELECT, [_utf16(text, start), _utf16(text, end)])
    page.wait_for_function(PICKED, timeout=5_000)
    return json.loads(page.locator("#picker-selector").inner_text())


@dataclass(frozen=True)
class Added:
    """A served copy of the data with ARTICLE added by `parley add-source`."""

    base: str
    source: str
    fixtures: Path
    seeds: Path


@pytest.fixture(scope="module")
def added(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Added]:
    root = tmp_path_factory.mktemp("picker")
    fixtures, seeds = copy_inputs(root)
    article = root / "article.txt"
    article.write_bytes(ARTICLE.encode("utf-8"))
    result = subprocess.run(
        [str(PARLEY), "add-source", str(article), "--id", "picker-article",
         "--fixtures", str(fixtures), "--seeds", str(seeds)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    args = ("--fixtures", str(fixtures), "--seeds", str(seeds), "--snapshot", str(root / "parley.db"))
    with serving(root / "serve.log", *args) as served:
        yield Added(served.base, "picker-article", fixtures, seeds)


def _check_picks(
    page: Any, base: str, texts: dict[str, str], spans: dict[str, Span], anchored: dict[str, Any]
) -> None:
    """Selects each span on its reader page and compares the picker's selector with anchor's."""
    for name, (source, start, end) in spans.items():
        page.goto(f"{base}/sources/{source}")
        requests: list[str] = []

        def listener(request: Any, seen: list[str] = requests) -> None:
            seen.append(request.url)

        page.on("request", listener)
        picked = _picked(page, texts[source], start, end)
        page.remove_listener("request", listener)
        assert list(picked.items()) == list(anchored[name].items()), name
        assert requests == [], name  # client-side only: picking asks the server for nothing


def test_picking_words_shows_the_selector_parley_anchor_computes(
    live_server: str, browser: object, tmp_path: Path  # noqa: F811
) -> None:
    from tests.api_client import dataset

    served = dataset()
    texts = {source: served.seed_texts[source] for source in served.sources}
    ends = [(c.evidence.source, c.evidence.start, c.evidence.end) for c in served.citations.values()]
    spans = _spans(texts, ends)
    assert len(spans) == 8
    anchored = _anchored((FIXTURES, SEEDS), tmp_path, texts, spans)
    context = _browser(browser).new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _check_picks(page, live_server, texts, spans, anchored)

    # The stub: the fixtures' citation shape, with the claim typed in, the mode chosen and a cue pinned.
    source, start, end = spans["after a dash"]
    claim = next(iter(served.claims))
    first_word = re.search(r"\w+", texts[source])
    assert first_word is not None
    page.goto(f"{live_server}/sources/{source}")
    cue = _picked(page, texts[source], *first_word.span())
    page.click("#picker-cue")
    evidence = _picked(page, texts[source], start, end)
    page.fill("#picker-claim", claim)
    page.select_option("#picker-mode", "paraphrase")
    stub = json.loads(page.locator("#picker-stub").inner_text())
    assert set(stub) == {key for record in read_records(FIXTURES, "citations") for key in record}
    chosen = (stub["claim"], stub["mode"], stub["cue"], stub["evidence"])
    assert chosen == (claim, "paraphrase", cue, evidence)
    assert Citation.model_validate(stub).evidence.exact == texts[source][start:end]
    context.close()


def test_picking_after_emoji_and_across_crlf_in_an_added_article(
    added: Added, browser: object, tmp_path: Path  # noqa: F811
) -> None:
    text = ARTICLE
    source = added.source
    spans: dict[str, Span] = {}
    for n, found in enumerate(re.finditer(r"(?<=[\U00010000-\U0010FFFF] )\w+(?: \w+)?", text)):
        spans[f"after astral character #{n}"] = (source, *found.span())
    spans["an emoji and a flag pair inside"] = (source, text.index("Trade’s"), text.index(" flew") + 5)
    spans["across CRLF line ends"] = (source, text.index("London"), text.index("The envoy") + 3)
    spans["from a ZWJ sequence to a quote"] = (source, text.index("👩"), text.rindex("We’ll see"))
    again = occurrences(text, "We’ll see")
    assert len(again) == 2
    spans["the second of two"] = (source, again[1], again[1] + len("We’ll see"))
    assert len(spans) >= 8
    anchored = _anchored((added.fixtures, added.seeds), tmp_path, {source: text}, spans)
    context = _browser(browser).new_context(viewport={"width": 800, "height": 900})
    page = context.new_page()
    page.goto(f"{added.base}/sources/{source}")
    assert page.evaluate("document.getElementById('text').textContent") == text  # CR kept
    _check_picks(page, added.base, {source: text}, spans, anchored)
    # A double-click selects a word the way a person does: the word after the rocket.
    word = re.search(r"(?<=🚀 )\w+", text)
    assert word is not None
    page.goto(f"{added.base}/sources/{source}")
    box = page.evaluate(BOX, [_utf16(text, word.start()), _utf16(text, word.end())])
    page.mouse.dblclick(box["x"], box["y"])
    page.wait_for_function(PICKED, timeout=5_000)
    picked = json.loads(page.locator("#picker-selector").inner_text())
    expected = _anchored((added.fixtures, added.seeds), tmp_path / "word", {source: text},
                         {"word": (source, *word.span())})["word"]
    assert list(picked.items()) == list(expected.items())
    context.close()


MARKS = """() => Array.from(document.querySelectorAll('#text mark[data-citation]')).map((mark) => ({
  claim: mark.dataset.claim,
  mode: mark.dataset.mode,
  background: getComputedStyle(mark).backgroundColor,
  underline: getComputedStyle(mark).borderBottomColor,
  badge: getComputedStyle(mark, '::after').content,
}))"""


def test_speakers_colours_differ_and_mode_badges_name_the_mode(
    live_server: str, browser: object  # noqa: F811
) -> None:
    from tests.api_client import dataset

    served = dataset()
    context = _browser(browser).new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    for source in served.sources:
        page.goto(f"{live_server}/sources/{source}")
        colours: dict[str, tuple[str, str]] = {}
        for mark in page.evaluate(MARKS):
            assert mark["badge"] == json.dumps(mark["mode"]), mark  # drawn as the word: "direct", ...
            speaker = served.claims[mark["claim"]].speaker
            assert colours.setdefault(speaker, (mark["background"], mark["underline"])) == (
                mark["background"], mark["underline"]
            )
        backgrounds = [background for background, _ in colours.values()]
        assert len(set(backgrounds)) == len(backgrounds), (source, colours)
    context.close()
