"""Byte-exact downloads with strong ETags: fixture files, their JSON Schemas and the SDL."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from api.errors import NOT_FOUND
from schema.dataset import FIXTURE_MODELS, Dataset

JSON_SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema" / "json"
CACHE_CONTROL = "public, max-age=3600, must-revalidate"


@dataclass(frozen=True)
class Download:
    """One downloadable file: exact bytes, media type and the sha256 that is its ETag."""

    name: str
    content: bytes
    media_type: str
    sha256: str

    @classmethod
    def of(cls, name: str, content: bytes, media_type: str) -> Download:
        """Takes a file's name, bytes and media type; returns it with its sha256."""
        return cls(name, content, media_type, hashlib.sha256(content).hexdigest())

    def etag(self) -> str:
        """Returns the strong ETag: the quoted sha256 of the bytes."""
        return f'"{self.sha256}"'

    def respond(self, request: Request) -> Response:
        """Returns the file, or 304 Not Modified when If-None-Match names its ETag."""
        headers = {"ETag": self.etag(), "Cache-Control": CACHE_CONTROL}
        if _matches(request.headers.get("if-none-match"), self.etag()):
            return Response(status_code=304, headers=headers)
        headers["Content-Disposition"] = f'attachment; filename="{self.name}"'
        return Response(self.content, media_type=self.media_type, headers=headers)


def _matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names this ETag (weak comparison, as RFC 9110 asks) or is *."""
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


def not_found(message: str) -> Response:
    """Returns a 404 JSON body in the same error shape the GraphQL endpoint uses."""
    body = {"errors": [{"message": message, "extensions": {"code": NOT_FOUND}}]}
    return Response(orjson.dumps(body), status_code=404, media_type="application/json")


def _json_schemas() -> dict[str, Download]:
    found = {}
    for stem in FIXTURE_MODELS:
        path = JSON_SCHEMA_DIR / f"{stem}.schema.json"
        if path.is_file():
            found[stem] = Download.of(path.name, path.read_bytes(), "application/schema+json")
    return found


def download_routes(dataset: Dataset, sdl: str) -> list[BaseRoute]:
    """Returns the routes for /fixtures/, /fixtures/<name>, /schema/<stem>.schema.json, /schema.graphql."""
    fixtures = {
        name: Download(name, f.content, "application/json", f.sha256) for name, f in dataset.files.items()
    }
    schemas = _json_schemas()
    sdl_file = Download.of("schema.graphql", sdl.encode("utf-8"), "application/graphql; charset=utf-8")

    async def fixture_index(request: Request) -> Response:
        descriptor = fixtures.get("datapackage.json")
        if descriptor is None:
            return not_found("This dataset has no datapackage.json.")
        return descriptor.respond(request)

    async def fixture_file(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in fixtures:
            return not_found(f"No fixture file named {name!r}; GET /fixtures/ lists them.")
        return fixtures[name].respond(request)

    async def json_schema(request: Request) -> Response:
        stem = request.path_params["stem"]
        if stem not in schemas:
            return not_found(f"No JSON Schema named {stem!r}.schema.json; stems: {', '.join(schemas)}.")
        return schemas[stem].respond(request)

    async def graphql_sdl(request: Request) -> Response:
        return sdl_file.respond(request)

    return [
        Route("/fixtures/", fixture_index, methods=["GET"]),
        Route("/fixtures/{name:str}", fixture_file, methods=["GET"]),
        Route("/schema/{stem:str}.schema.json", json_schema, methods=["GET"]),
        # Where datapackage.json's relative `jsonSchema` links (../schema/json/...) land over HTTP.
        Route("/schema/json/{stem:str}.schema.json", json_schema, methods=["GET"]),
        Route("/schema.graphql", graphql_sdl, methods=["GET"]),
    ]
