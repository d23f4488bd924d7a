"""Byte-exact downloads with strong ETags: fixture files, their JSON Schemas, the SDL and the snapshot.

Fixture files stream from the snapshot and /downloads/parley.db from the open snapshot file: no
download is held in memory.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from api.errors import NOT_FOUND, bounded, excerpt
from api.http.middleware.response_cache import etag_matches
from schema.model.dataset import FIXTURE_MODELS, Dataset
from schema.store.layout import datasette_metadata
from schema.store.reader import Store, StoredDataset, StoredFile

JSON_SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema" / "json"
CACHE_CONTROL = "public, max-age=3600, must-revalidate"
STREAM_ABOVE = 1 << 20
"""Files kept outside memory are streamed when larger than this; smaller ones are read in one go."""


@dataclass(frozen=True)
class Download:
    """One downloadable file: exact bytes, media type and the sha256 that is its ETag."""

    name: str
    content: bytes | None
    media_type: str
    sha256: str
    size: int = 0
    stream: Callable[[], Iterator[bytes]] | None = None
    """Yields the bytes when `content` is None (read from the snapshot or a file, not from memory)."""

    @classmethod
    def of(cls, name: str, content: bytes, media_type: str) -> Download:
        """Takes a file's name, bytes and media type; returns it with its sha256."""
        return cls(name, content, media_type, hashlib.sha256(content).hexdigest(), len(content))

    def etag(self) -> str:
        """Returns the strong ETag: the quoted sha256 of the bytes."""
        return f'"{self.sha256}"'

    def respond(self, request: Request) -> Response:
        """Returns the file, or 304 Not Modified when If-None-Match names its ETag."""
        headers = {"ETag": self.etag(), "Cache-Control": CACHE_CONTROL}
        if_none_match = request.headers.get("if-none-match", "").encode("latin-1")
        if etag_matches(if_none_match, self.etag().encode("ascii")):
            return Response(status_code=304, headers=headers)
        headers["Content-Disposition"] = f'attachment; filename="{self.name}"'
        content = self.content
        if content is None and self.stream is not None:
            if self.size > STREAM_ABOVE:
                headers["Content-Length"] = str(self.size)
                return StreamingResponse(self.stream(), media_type=self.media_type, headers=headers)
            content = b"".join(self.stream())  # one blob read: cheaper than a threaded stream
        return Response(content, media_type=self.media_type, headers=headers)


def not_found(message: str) -> Response:
    """Returns a 404 JSON body in the same error shape the GraphQL endpoint uses."""
    body = {"errors": [{"message": bounded(message), "extensions": {"code": NOT_FOUND}}]}
    return Response(orjson.dumps(body), status_code=404, media_type="application/json")


def _json_schemas() -> dict[str, Download]:
    found = {}
    for stem in FIXTURE_MODELS:
        path = JSON_SCHEMA_DIR / f"{stem}.schema.json"
        if path.is_file():
            found[stem] = Download.of(path.name, path.read_bytes(), "application/schema+json")
    return found


def _fixture_download(f: Any) -> Download:
    if isinstance(f, StoredFile):
        return Download(f.name, None, "application/json", f.sha256, f.size, f.chunks)
    return Download(f.name, f.content, "application/json", f.sha256, len(f.content))


SQLITE = "application/vnd.sqlite3"


class SnapshotFile:
    """The open snapshot file, served as /downloads/parley.db: the store's own file (the one checked
    at start, even if a rebuild renames a new one in); its sha256 is the checked one, or worked out
    on first use."""

    def __init__(self, store: Store) -> None:
        self.store = store  # holds the file open
        self.fd, self.size = store.fd, store.size
        self._sha256: str | None = store.sha256
        self._lock = threading.Lock()

    def chunks(self, size: int = 1 << 20) -> Iterator[bytes]:
        """Yields the file's bytes in blocks."""
        offset = 0
        while offset < self.size:
            block = os.pread(self.fd, min(size, self.size - offset), offset)
            if not block:
                return
            offset += len(block)
            yield block

    def sha256(self) -> str:
        """Returns the file's sha256 (hashed once)."""
        with self._lock:
            if self._sha256 is None:
                digest = hashlib.sha256()
                for block in self.chunks():
                    digest.update(block)
                self._sha256 = digest.hexdigest()
            return self._sha256

    def download(self) -> Download:
        """Returns the file as a Download (hashing it on the first call)."""
        return Download("parley.db", None, SQLITE, self.sha256(), self.size, self.chunks)


def package_with_snapshot(descriptor: bytes | None, snapshot: SnapshotFile) -> bytes:
    """Returns datapackage.json with a resource for parley.db (path, bytes, sha256) added."""
    package: dict[str, Any] = orjson.loads(descriptor) if descriptor else {"name": "parley"}
    resources = [r for r in package.get("resources", []) if r.get("name") != "parley-db"]
    resources.append(
        {
            "name": "parley-db",
            "path": "parley.db",
            "title": "Every record, index and fixture file as one SQLite database "
            "(opens in sqlite3 and Datasette)",
            "format": "sqlite",
            "mediatype": SQLITE,
            "bytes": snapshot.size,
            "hash": "sha256:" + snapshot.sha256(),
        }
    )
    package["resources"] = resources
    return orjson.dumps(package, option=orjson.OPT_INDENT_2) + b"\n"


def snapshot_routes(dataset: Dataset) -> list[BaseRoute]:
    """Returns /downloads/parley.db, /downloads/datapackage.json and /downloads/metadata.json (the
    file's Datasette metadata) for a snapshot-backed dataset."""
    if not isinstance(dataset, StoredDataset) or dataset.store is None:
        return []
    snapshot = SnapshotFile(dataset.store)
    descriptor = dataset.files.get("datapackage.json")
    listed: list[Download] = []

    async def database(request: Request) -> Response:
        return (await run_in_threadpool(snapshot.download)).respond(request)  # hashes on first use

    store = dataset.store
    names = store.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    described = datasette_metadata(name for (name,) in names)
    metadata = Download.of("metadata.json", orjson.dumps(described, option=orjson.OPT_INDENT_2) + b"\n",
                           "application/json")

    async def datasette(request: Request) -> Response:
        return metadata.respond(request)

    async def package(request: Request) -> Response:
        if not listed:
            given = None if descriptor is None else descriptor.content
            content = await run_in_threadpool(package_with_snapshot, given, snapshot)
            listed.append(Download.of("datapackage.json", content, "application/json"))
        return listed[0].respond(request)

    return [
        Route("/downloads/parley.db", database, methods=["GET"]),
        Route("/downloads/datapackage.json", package, methods=["GET"]),
        # Datasette's metadata for parley.db: `datasette parley.db -m metadata.json` (docs/database.md)
        Route("/downloads/metadata.json", datasette, methods=["GET"]),
    ]


def download_routes(dataset: Dataset, sdl: str) -> list[BaseRoute]:
    """Returns the routes for /fixtures/, /fixtures/<name>, /schema/<stem>.schema.json, /schema.graphql."""
    fixtures = {name: _fixture_download(f) for name, f in dataset.files.items()}
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
            return not_found(f"No fixture file named {excerpt(name)}; GET /fixtures/ lists them.")
        return fixtures[name].respond(request)

    async def json_schema(request: Request) -> Response:
        stem = request.path_params["stem"]
        if stem not in schemas:
            stems = ", ".join(schemas)
            return not_found(f"No JSON Schema named {excerpt(stem)}.schema.json; stems: {stems}.")
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
        *snapshot_routes(dataset),
    ]
