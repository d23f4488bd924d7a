"""Shared fixtures: the snapshot of the data under test, built once per session, the in-process
client over it (the app `parley serve` runs) and a live `parley serve`.

Test modules live in packages that follow the code's (tests/schema/load, tests/api/http, tests/e2e, …;
tests/curated holds the checks of curated answers); the helpers beside this file import as
`tests.api_client`, `tests.datafiles`, … from any of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from schema.load.loader import load_dataset
from schema.model.dataset import Dataset
from tests import api_client
from tests.datafiles import FIXTURES, SEEDS
from tests.live_server import parley_server

if TYPE_CHECKING:
    from starlette.testclient import TestClient


@pytest.fixture(scope="session", autouse=True)
def snapshot_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The snapshot of the data under test (datafiles.DATA), built with `open_snapshot` in a session
    temp dir before any test runs; api_client and live_server serve this one file."""
    api_client.use_snapshot_dir(tmp_path_factory.mktemp("snapshot"))
    return api_client.snapshot_path()


@pytest.fixture(scope="session")
def served(snapshot_path: Path) -> Dataset:
    """The snapshot-backed dataset the apps serve (what `parley serve` opens)."""
    return api_client.dataset()


@pytest.fixture(scope="session")
def api(served: Dataset) -> TestClient:
    """The in-process client over `create_app(served)`."""
    return api_client.client()


@pytest.fixture(scope="session")
def loaded() -> Dataset:
    """The loader's verified result of the data under test: what the snapshot is written from."""
    return load_dataset(FIXTURES, SEEDS)


@pytest.fixture(scope="session")
def live_server(snapshot_path: Path) -> Iterator[str]:
    """A real `parley serve` over the session's snapshot on 127.0.0.1; yields its base URL."""
    with parley_server() as base:
        yield base
