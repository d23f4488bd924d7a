"""The pages' shared parts: the templates (Jinja2, autoescaped), the CSP, the mount path, the favicon."""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.templating import Jinja2Templates

from api.http.downloads import Download

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,  # every value is escaped unless the template says otherwise
        undefined=jinja2.StrictUndefined,  # a misspelt name is an error, not an empty string
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates ship with the code; a change needs a restart, as code does
    )
)
# `tojson` keeps the keys' order and non-ASCII text (it still escapes <, >, & and ' for HTML).
templates.env.policies["json.dumps_kwargs"] = {"ensure_ascii": False}


def render(template: str, /, **context: Any) -> str:
    """Renders `template` (a file under templates/) with `context`."""
    return templates.get_template(template).render(context)


def page(template: str, /, *, script: str | None = None, **context: Any) -> HTMLResponse:
    """Renders `template` (a page extending page.html) with `context`.

    `script` names the template of the page's one inline script; its Content-Security-Policy allows
    nothing from another origin and only that script, by its hash.
    """
    body = render(template, script=script, **context)
    policy = content_security_policy(render(script) if script else "")
    return HTMLResponse(body, headers={"Content-Security-Policy": policy})


def fresh(rendered: Response) -> HTMLResponse:
    """A new response with a kept page's body and CSP (a response object serves one request)."""
    policy = rendered.headers["content-security-policy"]
    return HTMLResponse(rendered.body, headers={"Content-Security-Policy": policy})


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
