"""Shared fixtures: the snapshot of the data under test, built once per session, the in-process
client over it (the app `parley serve` runs) and a live `parley serve`.

This folder is on sys.path (pytest's rootdir conftest), so `from api_client import gql` and the other
helper modules import from any test package below it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_client
from live_server import parley_server

from schema.load.loader import load_dataset
from schema.model.dataset import Dataset

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
    from datafiles import FIXTURES, SEEDS

    return load_dataset(FIXTURES, SEEDS)


@pytest.fixture(scope="session")
def live_server(snapshot_path: Path) -> Iterator[str]:
    """A real `parley serve` over the session's snapshot on 127.0.0.1; yields its base URL."""
    with parley_server() as base:
        yield base
