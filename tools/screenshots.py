"""`make screenshots`: the pictures in docs/, taken with Debian's headless chromium on a real `parley serve`.

The home page (its top, and its downloads), the reader of seed 001 and the playground (first example
run), each at 1280 and 800 px; the permalink page of the claim with the most citations and the
/sources/ index at 1280, 800 and 360 px.
Not part of the test run (the browser tests write only to a temporary directory).
Usage: .venv/bin/python tools/screenshots.py [OUT_DIR]   (default docs/)
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
READER = "asean-now-fragile-progress"  # seed 001
WIDTHS = {1280: 860, 800: 900}
WAIT_MS = 60_000
PERMALINK_WIDTHS = {1280: 860, 800: 900, 360: 740}


@contextlib.contextmanager
def server() -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    parley = Path(sys.executable).parent / "parley"
    process = subprocess.Popen([str(parley), "serve", "--host", "127.0.0.1", "--port", str(port)], cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(f"{base}/healthz", timeout=2).status == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"parley serve did not start on {base}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> int:
    from playwright.sync_api import sync_playwright

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with server() as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width, height in WIDTHS.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            page.goto(f"{base}/")
            page.screenshot(path=str(out / f"home-{width}.png"))
            page.evaluate("document.getElementById('downloads').scrollIntoView()")
            page.screenshot(path=str(out / f"home-downloads-{width}.png"))
            page.goto(f"{base}/sources/{READER}")
            mark = page.locator("#text mark[data-citation]").nth(1)
            mark.scroll_into_view_if_needed()
            page.evaluate("window.scrollBy(0, -120)")
            mark.hover()
            page.locator("#card").wait_for(state="visible")
            page.screenshot(path=str(out / f"reader-{width}.png"))
            page.goto(f"{base}/playground")
            page.wait_for_selector(".graphiql-execute-button", timeout=WAIT_MS)
            page.click(".graphiql-execute-button")
            page.locator(".graphiql-response").get_by_text('"Donald Trump"').wait_for(timeout=WAIT_MS)
            name = "playground.png" if width == 1280 else f"playground-{width}.png"
            page.screenshot(path=str(out / name))
            written += [f"home-{width}.png", f"home-downloads-{width}.png", f"reader-{width}.png", name]
            context.close()
        written += permalinks(browser, base, out)
        browser.close()
    for name in written:
        print(f"wrote {out / name}")
    return 0


def permalinks(browser: Any, base: str, out: Path) -> list[str]:
    """docs/claim-<width>.png (the claim cited most often, the whole page) and docs/sources-<width>.png."""
    import json

    citations = json.loads((REPO / "fixtures" / "citations.json").read_text(encoding="utf-8"))
    counts: dict[str, int] = {}
    for citation in citations:
        counts[citation["claim"]] = counts.get(citation["claim"], 0) + 1
    claim = max(counts, key=lambda c: (counts[c], c))
    written = []
    for width, height in PERMALINK_WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(f"{base}/claims/{claim}")
        page.screenshot(path=str(out / f"claim-{width}.png"), full_page=True)  # citations and how to cite
        page.goto(f"{base}/sources/")
        page.screenshot(path=str(out / f"sources-{width}.png"))
        written += [f"claim-{width}.png", f"sources-{width}.png"]
        context.close()
    return written


if __name__ == "__main__":
    sys.exit(main())
