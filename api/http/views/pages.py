"""Small self-contained HTML pages (no external assets): the shared layout, the favicon and the CSP."""

from __future__ import annotations

import base64
import hashlib
import html
import struct
import zlib
from collections.abc import Iterable
from functools import cache

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from api.http.downloads import Download

BASE_CSS = """
:root { --ink: #1f2937; --muted: #5b6472; --line: #d8dde5; --accent: #1d4ed8; --bg: #fbfbfa; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
a { color: var(--accent); }
a:focus-visible, [tabindex]:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
header.bar { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; align-items: baseline;
  padding: .55rem 1rem; background: var(--ink); color: #e5e7eb; }
header.bar a { color: #fff; }
header.bar .brand { font-weight: 700; font-size: 1.1rem; text-decoration: none; }
main { max-width: 62rem; margin: 0 auto; padding: 1rem 1rem 3rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: .6rem 0 .4rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
.muted { color: var(--muted); }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; }
.mono { overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
@media (max-width: 600px) { body { font-size: 15px; } main { padding: .6rem .7rem 2rem; }
  h1 { font-size: 1.3rem; } }
@media print { header.bar, .no-print { display: none !important; } body { background: #fff; }
  a { color: inherit; } }
"""


def page(title: str, body: str, *, head: str = "", script: str = "", root: str = "") -> HTMLResponse:
    """Returns a whole page: the layout, `body` inside <main>, an optional inline script.

    Its Content-Security-Policy allows nothing from another origin and only the page's own inline script.
    """
    script_tag = f"<script>{script}</script>" if script else ""
    document = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="icon" href="{root}/favicon.ico" sizes="32x32">
<style>{BASE_CSS}{head}</style>
</head>
<body>
<header class="bar"><a class="brand" href="{root}/">parley</a>
<a href="{root}/">home</a><a href="{root}/playground">playground</a>
<a href="{root}/fixtures/datapackage.json">datapackage.json</a>
</header>
<main>
{body}
</main>
{script_tag}
</body>
</html>
"""
    return HTMLResponse(document, headers={"Content-Security-Policy": content_security_policy(script)})


def content_security_policy(script: str) -> str:
    """Nothing from other origins; inline styles; the one inline script by its hash."""
    scripts = "'none'"
    if script:
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
        scripts = f"'sha256-{digest}'"
    return (
        f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


def root_path(request: Request) -> str:
    """The prefix the app is mounted under ("" at the root)."""
    return str(request.scope.get("root_path", "")).rstrip("/")


def wants_html(request: Request) -> bool:
    """Whether the client (a browser) asks for HTML."""
    return "text/html" in request.headers.get("accept", "")


def escape(value: object) -> str:
    """HTML-escapes any value's text, quotes included."""
    return html.escape(str(value), quote=True)


def join(parts: Iterable[str]) -> str:
    """Concatenates HTML fragments."""
    return "".join(parts)


# The favicon: a speech bubble with a quotation mark, drawn here as a 32x32 PNG inside an ICO file.
_SIZE = 32


def _pixel(x: int, y: int) -> tuple[int, int, int, int]:
    blue, white, clear = (29, 78, 216, 255), (255, 255, 255, 255), (0, 0, 0, 0)
    cx, cy = x + 0.5, y + 0.5
    in_body = 2 <= cx <= 30 and 3 <= cy <= 23 and not _outside_corner(cx, cy)
    in_tail = 7 <= cx <= 15 and 23 <= cy <= 30 and (15 - cx) >= (cy - 23) * 1.1
    if not (in_body or in_tail):
        return clear
    # Two quotation-mark blobs: a dot with a short stroke below it, twice.
    for ox in (10.5, 19.5):
        if (cx - ox) ** 2 + (cy - 11) ** 2 <= 9 or (ox - 1 <= cx <= ox + 2 and 11 <= cy <= 17 - (cx - ox)):
            return white
    return blue


def _outside_corner(cx: float, cy: float) -> bool:
    radius = 5.0
    for corner_x, corner_y in ((2 + radius, 3 + radius), (30 - radius, 3 + radius),
                               (2 + radius, 23 - radius), (30 - radius, 23 - radius)):
        near_x = cx < corner_x if corner_x < 16 else cx > corner_x
        near_y = cy < corner_y if corner_y < 13 else cy > corner_y
        if near_x and near_y and (cx - corner_x) ** 2 + (cy - corner_y) ** 2 > radius**2:
            return True
    return False


def _png(size: int) -> bytes:
    rows = b"".join(
        b"\x00" + b"".join(bytes(_pixel(x, y)) for x in range(size)) for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(
        b"IEND", b""
    )


@cache
def favicon() -> Download:
    """Returns /favicon.ico: one 32x32 PNG image in an ICO container (as every browser accepts)."""
    png = _png(_SIZE)
    directory = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", _SIZE, _SIZE, 0, 0, 1, 32, len(png), 6 + 16)
    return Download.of("favicon.ico", directory + entry + png, "image/vnd.microsoft.icon")


async def favicon_endpoint(request: Request) -> Response:
    """GET /favicon.ico."""
    response = favicon().respond(request)
    del response.headers["content-disposition"]  # an icon, shown in place
    return response
