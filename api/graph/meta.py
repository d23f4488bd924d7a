"""`meta`: what the dataset is (name, version, licence), how big, and the sha256 of every fixture file."""

from __future__ import annotations

from typing import Any

import orjson
import strawberry

from api.graph.context import Info, data
from api.version import software_version
from schema.model.catalogue import ENTITIES
from schema.model.dataset import Dataset


@strawberry.type(description="A licence the data is published under.")
class Licence:
    name: str = strawberry.field(description="SPDX-style identifier, e.g. CC-BY-4.0.")
    title: str | None = strawberry.field(description="Human-readable title; null if not given.")
    path: str | None = strawberry.field(description="URL of the licence text; null if not given.")


@strawberry.type(description="How many records of one entity the dataset holds.")
class EntityCount:
    entity: str = strawberry.field(description="Fixture stem, e.g. claims.")
    count: int = strawberry.field(description="Number of records.")


@strawberry.type(description="One verified fixture file as served under /fixtures/.")
class FixtureFileInfo:
    name: str = strawberry.field(description="File name, e.g. claims.json.")
    sha256: str = strawberry.field(description="sha256 of the exact bytes, hex (also the download's ETag).")
    bytes: int = strawberry.field(description="Size in bytes.")
    url: str = strawberry.field(description="Path to download it from this server.")


@strawberry.type(description="Provenance of the dataset: name, version, licences, counts, file hashes.")
class Meta:
    name: str = strawberry.field(description="The data package's name.")
    title: str | None = strawberry.field(description="The data package's title; null if not given.")
    version: str = strawberry.field(
        description="The dataset's version, the same as `datasetVersion` (the data package's "
        "`version`; not the software's, which is `softwareVersion`)."
    )
    dataset_version: str = strawberry.field(
        description="The version of the curated data (fixtures/curation/version.json; the data "
        "package's `version`), e.g. 0.2.0."
    )
    software_version: str = strawberry.field(
        description="The version of the parley software answering (its package version), e.g. 0.1.0."
    )
    licences: list[Licence] = strawberry.field(description="Licences of the curated data.")
    counts: list[EntityCount] = strawberry.field(description="Records per entity, in fixture order.")
    files: list[FixtureFileInfo] = strawberry.field(description="Every fixture file with its sha256.")


def _descriptor(dataset: Dataset) -> dict[str, Any]:
    package = dataset.files.get("datapackage.json")
    if package is None:
        return {}
    loaded = orjson.loads(package.content)
    return loaded if isinstance(loaded, dict) else {}


def meta(info: Info) -> Meta:
    """What this dataset is, its licence, its size and the hash of every file it was loaded from."""
    return meta_for(data(info))


def meta_for(dataset: Dataset) -> Meta:
    """`meta` for a dataset outside a request (the home page shows the same figures)."""
    descriptor = _descriptor(dataset)
    licences = [
        Licence(name=str(lic.get("name", "")), title=lic.get("title"), path=lic.get("path"))
        for lic in descriptor.get("licenses", [])
        if isinstance(lic, dict)
    ]
    counts = dataset.counts()
    dataset_version = str(descriptor.get("version", "unversioned"))
    return Meta(
        name=str(descriptor.get("name", "parley")),
        title=descriptor.get("title"),
        version=dataset_version,
        dataset_version=dataset_version,
        software_version=software_version(),
        licences=licences,
        counts=[EntityCount(entity=e.stem, count=counts[e.stem]) for e in ENTITIES],
        files=[
            FixtureFileInfo(name=f.name, sha256=f.sha256, bytes=f.size, url=f"/fixtures/{f.name}")
            for f in sorted(dataset.files.values(), key=lambda f: f.name)
        ],
    )
