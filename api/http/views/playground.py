"""The self-hosted GraphiQL playground: its HTML page and the routes serving its bundled assets."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from api.http.views.pages import render
from api.locations import EXAMPLES_DIR

ASSETS_DIR = Path(__file__).resolve().parents[2] / "static" / "graphiql"
ASSETS_PATH = "/playground/assets"
GRAPHQL_PATH = "/graphql"
PAGE_PATH = "/playground"
"""The page again, at a path where ?query= always means "open this query" (GET /graphql?query= runs it)."""
INSTALL_COMMAND = "make playground"
"""The bundle is committed and ships in the wheel; this rebuilds it, with the venv's own node and npm."""
BUILD_COMMAND = "npm ci --prefix playground && node playground/build.mjs"
REQUIRED_ASSETS = ("playground.js", "playground.css", "editor.worker.js", "graphql.worker.js")

# Only our own origin: the page must work offline and tell no third party about a visit.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self' 'unsafe-inline'; "
    "font-src 'self' data:; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)

logger = logging.getLogger("parley.playground")


VARIABLES_SUFFIX = ".variables.json"
"""An example's variables, as a client would pass them, sit beside it (NN-name.variables.json)."""


@dataclass(frozen=True)
class ExampleTab:
    """One example query opened as a GraphiQL tab, with the variables a client would pass (if any)."""

    name: str
    query: str
    variables: dict[str, Any] | None = None


def load_examples(examples_dir: Path) -> list[ExampleTab]:
    """Takes the examples folder and returns one tab per *.graphql file, in file-name order."""
    if not examples_dir.is_dir():
        return []
    tabs = []
    for path in sorted(examples_dir.glob("*.graphql")):
        beside = path.with_name(path.stem + VARIABLES_SUFFIX)
        variables = json.loads(beside.read_text(encoding="utf-8")) if beside.is_file() else None
        tabs.append(ExampleTab(name=path.stem, query=path.read_text(encoding="utf-8"), variables=variables))
    return tabs


def missing_assets(assets_dir: Path) -> list[str]:
    """Returns the names of the bundled GraphiQL files that are not installed."""
    return [name for name in REQUIRED_ASSETS if not (assets_dir / name).is_file()]


def render_page(
    endpoint: str, share_url: str, assets_url: str, tabs: list[ExampleTab], home: str = "/"
) -> str:
    """Takes the GraphQL endpoint, share-link, assets and home URLs and the example tabs; returns the page."""
    tab_list = [
        {"query": tab.query, "name": tab.name}
        | ({"variables": json.dumps(tab.variables, indent=2, ensure_ascii=False)} if tab.variables else {})
        for tab in tabs
    ]
    config = {
        "endpoint": endpoint,
        "shareUrl": share_url,
        "assetsUrl": assets_url.rstrip("/") + "/",
        "tabs": tab_list,
        # Names the browser's saved GraphiQL state, so new examples replace tabs saved from old ones.
        "tabsVersion": hashlib.sha256(json.dumps(tab_list).encode()).hexdigest()[:12],
    }
    return render(
        "playground.html", root=home.rstrip("/"), assets=assets_url.rstrip("/"), config=config
    )


def render_missing_page(missing: list[str], root: str = "") -> str:
    """Returns the page shown instead of GraphiQL when its assets are not installed."""
    return render(
        "playground_missing.html",
        root=root,
        missing=missing,
        assets_dir=ASSETS_DIR,
        install_command=INSTALL_COMMAND,
        build_command=BUILD_COMMAND,
    )


@functools.cache
def _examples() -> list[ExampleTab]:
    return load_examples(EXAMPLES_DIR)


def examples() -> list[ExampleTab]:
    """The example tabs the playground opens (examples/*.graphql), in file-name order."""
    return _examples()


def playground_response(request: Request) -> Response:
    """Takes a browser's GET /graphql; returns the GraphiQL page (503 and instructions if not installed)."""
    missing = missing_assets(ASSETS_DIR)
    root = str(request.scope.get("root_path", ""))
    if missing:
        return HTMLResponse(render_missing_page(missing, root.rstrip("/")), status_code=503)
    return HTMLResponse(_page_at(root), headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY})


@functools.lru_cache(maxsize=8)
def _page_at(root: str) -> str:
    """The page for the app mounted at `root`, rendered once per mount path."""
    return render_page(root + GRAPHQL_PATH, root + PAGE_PATH, root + ASSETS_PATH, _examples(), root + "/")


def routes() -> list[BaseRoute]:
    """Returns the routes of the page's share links and bundled files; logs a warning if those are missing."""
    missing = missing_assets(ASSETS_DIR)
    if missing:
        logger.warning(
            "GraphiQL assets missing (%s) in %s: the playground at /graphql will not load; run `%s`",
            ", ".join(missing),
            ASSETS_DIR,
            INSTALL_COMMAND,
        )
    examples = _examples()
    logger.info("playground tabs: %s", ", ".join(tab.name for tab in examples) or "none")
    return [
        Route(PAGE_PATH, playground_response, methods=["GET", "HEAD"], name="playground"),
        Mount(ASSETS_PATH, app=StaticFiles(directory=ASSETS_DIR, check_dir=False), name="playground-assets"),
    ]
