"""Byte-exact downloads with strong ETags: fixture files, their JSON Schemas, the SDL and, under
/downloads/, every file of the data package as served (with parley.db) and each file's checksum.

Fixture files stream from the snapshot and /downloads/parley.db from the open snapshot file: no
download is held in memory.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from api.errors import NOT_FOUND, bounded, excerpt
from api.http.middleware.edge import GZIP_BODY, MINIMUM_SIZE, gzip_bytes
from api.http.middleware.response_cache import etag_matches
from api.version import software_version
from schema.model.dataset import FIXTURE_MODELS, Dataset
from schema.publish.datapackage import DATAPACKAGE
from schema.publish.tabular import CLAIMS_CSV
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
        if_none_match = request.headers.get("if-none-match", "").encode("latin-1")
        if etag_matches(if_none_match, self.etag().encode("ascii")):
            return self.response(b"", if_none_match)
        content = self.content
        if content is None and self.stream is not None:
            if self.size > STREAM_ABOVE:
                headers = {**self._headers(), "Content-Length": str(self.size)}
                return StreamingResponse(self.stream(), media_type=self.media_type, headers=headers)
            content = b"".join(self.stream())  # one blob read: cheaper than a threaded stream
        return self.response(content or b"", if_none_match)

    def _headers(self, modified: bool = True) -> dict[str, str]:
        headers = {"ETag": self.etag(), "Cache-Control": CACHE_CONTROL}
        if modified:
            headers["Content-Disposition"] = f'attachment; filename="{self.name}"'
        return headers

    def response(self, content: bytes, if_none_match: bytes) -> Response:
        """Returns the file's bytes, or 304 Not Modified when If-None-Match names its ETag."""
        if etag_matches(if_none_match, self.etag().encode("ascii")):
            return Response(status_code=304, headers=self._headers(modified=False))
        return Response(content, media_type=self.media_type, headers=self._headers())

    def kept(self, budget: list[int]) -> Kept | None:
        """Returns the file held in memory (`Kept`) when it is small enough and `budget` (bytes still
        free, decremented) allows; None otherwise."""
        if self.size > KEEP_BELOW or self.size > budget[0]:
            return None
        content = self.content
        if content is None:
            if self.stream is None:
                return None
            content = b"".join(self.stream())
        budget[0] -= len(content)
        return Kept(self, content)


KEEP_BELOW = 1 << 20
"""Files up to this size are held in memory with their answers built once (`Kept`)..."""
KEEP_TOTAL = 16 << 20
"""...as long as all held files together stay within this many bytes; the rest stream or are read
from the snapshot on each request."""
class Kept:
    """A download held in memory with its 200 and 304 answers built once (headers and the gzip
    bytes included): an ASGI app, which the edge calls for its exact path without routing and the
    routes return as their response. Its answers are those `Download.respond` gives, byte for byte."""

    def __init__(self, download: Download, content: bytes) -> None:
        full = download.response(content, b"")
        self.headers, self.body = tuple(full.raw_headers), content
        self.not_modified = tuple(download.response(content, download.etag().encode("ascii")).raw_headers)
        self.etag = download.etag().encode("ascii")
        self.gzipped = gzip_bytes(content, 9) if len(content) >= MINIMUM_SIZE else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if_none_match = next((v for n, v in scope["headers"] if n == b"if-none-match"), b"")
        if etag_matches(if_none_match, self.etag):
            await send({"type": "http.response.start", "status": 304, "headers": list(self.not_modified)})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": list(self.headers)})
        await send({"type": "http.response.body", "body": self.body, GZIP_BODY: self.gzipped})


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
    """Returns the data package as /downloads/ serves it: the fixtures' datapackage.json with a
    resource for parley.db (path, bytes, sha256) added, and both versions labelled under `parley`
    (`version` is the dataset's; the software that built and serves it has its own)."""
    package: dict[str, Any] = orjson.loads(descriptor) if descriptor else {"name": "parley"}
    resources = [r for r in package.get("resources", []) if r.get("name") != "parley-db"]
    resources.append(
        {
            "name": "parley-db",
            "path": "parley.db",
            "title": DATABASE_TITLE,
            "format": "sqlite",
            "mediatype": SQLITE,
            "bytes": snapshot.size,
            "hash": "sha256:" + snapshot.sha256(),
        }
    )
    package["resources"] = resources
    package["parley"] = {
        "datasetVersion": package.get("version", "unversioned"),
        "softwareVersion": software_version(),
    }
    return orjson.dumps(package, option=orjson.OPT_INDENT_2) + b"\n"


DATABASE_TITLE = (
    "Every record, index and fixture file as one SQLite database (opens in sqlite3 and Datasette)"
)
METADATA_TITLE = "Datasette metadata for parley.db (datasette parley.db -m metadata.json)"


class Exported(Protocol):
    """The export files (api.http.exports.Exports), as /downloads/ needs them: claims.csv by name."""

    async def aget(self, name: str) -> Download: ...


def checksum_line(download: Download) -> Response:
    """Returns a file's `<name>.sha256`: its sha256 and name, as `sha256sum -c` reads them."""
    body = f"{download.sha256}  {download.name}\n".encode("ascii", "replace")
    return Response(body, media_type="text/plain; charset=utf-8", headers={"Cache-Control": CACHE_CONTROL})


class Shelf:
    """/downloads/: every file its datapackage.json lists, at the path it gives (relative to it), so
    the package resolves where it is served: the fixture files, claims.csv (an export), parley.db;
    and metadata.json, datapackage.json itself and a `<name>.sha256` beside each."""

    def __init__(self, dataset: Dataset, fixtures: Mapping[str, Download], exported: Exported) -> None:
        assert isinstance(dataset, StoredDataset) and dataset.store is not None
        self.snapshot = SnapshotFile(dataset.store)
        self.fixtures, self.exported = fixtures, exported
        descriptor = dataset.files.get(DATAPACKAGE)
        self._descriptor = None if descriptor is None else descriptor.content  # a StoredFile reads it now
        self._package: Download | None = None
        store = dataset.store
        names = store.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        described = datasette_metadata(name for (name,) in names)
        content = orjson.dumps(described, option=orjson.OPT_INDENT_2) + b"\n"
        self.metadata = Download.of("metadata.json", content, "application/json")

    def package(self) -> bytes:
        """Returns /downloads/datapackage.json's bytes (built once; hashes parley.db if its build did not)."""
        return self.package_download().content or b""

    def package_download(self) -> Download:
        """Returns /downloads/datapackage.json as a Download."""
        if self._package is None:
            content = package_with_snapshot(self._descriptor, self.snapshot)
            self._package = Download.of(DATAPACKAGE, content, "application/json")
        return self._package

    def resources(self) -> list[dict[str, Any]]:
        """The resources /downloads/datapackage.json lists, in its order."""
        listed: list[dict[str, Any]] = orjson.loads(self.package()).get("resources", [])
        return listed

    async def get(self, name: str) -> Download | None:
        """Returns the file /downloads/<name> serves, or None."""
        if name == "parley.db":
            return await run_in_threadpool(self.snapshot.download)  # hashes on first use
        if name == DATAPACKAGE:
            return await run_in_threadpool(self.package_download)
        if name == "metadata.json":
            return self.metadata
        if name == CLAIMS_CSV:
            return await self.exported.aget(name)
        return self.fixtures.get(name)

    def routes(self) -> list[BaseRoute]:
        """Returns /downloads/<name> and /downloads/<name>.sha256 for every file of the shelf."""

        async def found(name: str) -> Download:
            download = await self.get(name)
            if download is None:
                listing = "/downloads/datapackage.json lists them"
                raise HTTPException(404, f"No download named {name!r}; {listing}.")
            return download

        async def checksum(request: Request) -> Response:
            return checksum_line(await found(request.path_params["name"]))

        async def download(request: Request) -> Response:
            return (await found(request.path_params["name"])).respond(request)

        return [
            Route("/downloads/{name:str}.sha256", checksum, methods=["GET"]),
            Route("/downloads/{name:str}", download, methods=["GET"]),
        ]


def fixture_downloads(dataset: Dataset) -> dict[str, Download]:
    """Returns file name -> Download for every verified fixture file of the dataset."""
    return {name: _fixture_download(f) for name, f in dataset.files.items()}


def download_routes(
    dataset: Dataset, sdl: str, shelf: Shelf | None = None, kept: dict[str, Kept] | None = None
) -> list[BaseRoute]:
    """Returns the routes for /fixtures/, /fixtures/<name>, /schema/<stem>.schema.json, /schema.graphql,
    and the shelf's /downloads/ (a snapshot-backed dataset's).

    The files held in memory (`Download.kept`, within KEEP_TOTAL bytes) are also put in `kept` under
    the path each is served at, for the edge to answer without routing.
    """
    fixtures = fixture_downloads(dataset) if shelf is None else dict(shelf.fixtures)
    schemas = _json_schemas()
    sdl_file = Download.of("schema.graphql", sdl.encode("utf-8"), "application/graphql; charset=utf-8")
    budget = [KEEP_TOTAL]
    sdl_kept = sdl_file.kept(budget)
    schemas_kept = {stem: found for stem, d in schemas.items() if (found := d.kept(budget))}
    fixtures_kept = {name: found for name, d in fixtures.items() if (found := d.kept(budget))}
    if kept is not None:
        kept.update({f"/fixtures/{name}": found for name, found in fixtures_kept.items()})
        if "datapackage.json" in fixtures_kept:
            kept["/fixtures/"] = fixtures_kept["datapackage.json"]
        for stem, found in schemas_kept.items():
            kept[f"/schema/{stem}.schema.json"] = kept[f"/schema/json/{stem}.schema.json"] = found
        if sdl_kept is not None:
            kept["/schema.graphql"] = sdl_kept

    async def fixture_index(request: Request) -> Response | Kept:
        if "datapackage.json" in fixtures_kept:
            return fixtures_kept["datapackage.json"]
        descriptor = fixtures.get("datapackage.json")
        if descriptor is None:
            raise HTTPException(404, "This dataset has no datapackage.json.")
        return descriptor.respond(request)

    async def fixture_file(request: Request) -> Response | Kept:
        name = request.path_params["name"]
        if name in fixtures_kept:
            return fixtures_kept[name]
        if name not in fixtures:
            raise HTTPException(404, f"No fixture file named {excerpt(name)}; GET /fixtures/ lists them.")
        return fixtures[name].respond(request)

    async def json_schema(request: Request) -> Response | Kept:
        stem = request.path_params["stem"]
        if stem in schemas_kept:
            return schemas_kept[stem]
        if stem not in schemas:
            stems = ", ".join(schemas)
            raise HTTPException(404, f"No JSON Schema named {excerpt(stem)}.schema.json; stems: {stems}.")
        return schemas[stem].respond(request)

    async def graphql_sdl(request: Request) -> Response | Kept:
        return sdl_file.respond(request) if sdl_kept is None else sdl_kept

    return [
        Route("/fixtures/", fixture_index, methods=["GET"]),
        Route("/fixtures/{name:str}", fixture_file, methods=["GET"]),
        Route("/schema/{stem:str}.schema.json", json_schema, methods=["GET"]),
        # Where datapackage.json's relative `jsonSchema` links (../schema/json/...) land over HTTP.
        Route("/schema/json/{stem:str}.schema.json", json_schema, methods=["GET"]),
        Route("/schema.graphql", graphql_sdl, methods=["GET"]),
        *([] if shelf is None else shelf.routes()),
    ]
