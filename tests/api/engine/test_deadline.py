"""The execution timeout holds inside a resolver's long loop, not only between fields.

A filter no index narrows reads every row in one SQL statement; on a large dataset that statement
alone can outlast the timeout, so SQLite asks for the deadline as it runs. The clock of
api/graph/deadline.py is replaced here by one that
moves a second per look, so the test does not depend on how fast the machine is.
"""

from __future__ import annotations

import itertools
import time
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

import api.graph.deadline
import schema.store.reader
from api.graph.deadline import QueryTimeout, checked, running_until
from api.http.app import create_app
from api.synth.generator import generate, write

SCANS = {  # each with two values, so the second is not the answer the store remembers from the first
    "claims filtered on a date": '{ claims(first: 5, filter: {saidOn: {from: "2030-01-0%s"}}) '
    "{ totalCount } }",
    "claims sorted": "{ claims(first: 5, orderBy: {field: SAID_ON, direction: %s}) { nodes { slug } } }",
    "citations filtered on text": '{ citations(first: 5, filter: {text: "z%s"}) '
    "{ totalCount } }",
}
VALUES = {"claims sorted": ("ASC", "DESC")}


class _JumpingClock:
    """time's stand-in in api.graph.deadline: every look at the clock is `step` seconds later."""

    def __init__(self, step: int = 1) -> None:
        self._ticks = itertools.count(0, step)
        self._start = time.monotonic()

    def monotonic(self) -> float:
        return self._start + next(self._ticks)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    out = tmp_path_factory.mktemp("synth") / "data"
    write(generate(1000), out)
    with pytest.MonkeyPatch.context() as patch:
        # SQLite asks for the deadline every PROGRESS_STEPS steps: as often as a larger dataset's would.
        patch.setattr(schema.store.reader, "PROGRESS_STEPS", 100)
        app = create_app(fixtures_dir=out / "fixtures", seeds_dir=out / "seeds", snapshot=out / "parley.db")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from starlette.testclient import TestClient

            yield TestClient(app)


@pytest.mark.parametrize("name", SCANS)
def test_a_scan_over_every_record_stops_at_the_deadline(
    client: Any, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = (SCANS[name] % value for value in VALUES.get(name, ("1", "2")))
    assert client.post("/graphql", json={"query": first}).status_code == 200  # real clock: it finishes
    monkeypatch.setattr(api.graph.deadline, "time", _JumpingClock())
    response = client.post("/graphql", json={"query": second})
    assert response.status_code == 503
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "TIMEOUT" and "longer than 10 s" in error["message"]


def test_checked_yields_everything_before_the_deadline_and_stops_after_it() -> None:
    assert list(checked(range(100))) == list(range(100))  # no execution running: no deadline
    with running_until(time.monotonic() + 60):
        assert list(checked(range(100))) == list(range(100))
    with running_until(time.monotonic() - 1), pytest.raises(QueryTimeout):
        list(checked(range(100)))


@pytest.fixture(scope="module")
def snapshot_client(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from api.http.app import open_snapshot

    out = tmp_path_factory.mktemp("synth-snapshot") / "data"
    write(generate(1000), out)
    dataset, _ = open_snapshot(out / "parley.db", out / "fixtures", out / "seeds")
    app = create_app(dataset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        return TestClient(app), dataset.store


def test_a_long_sqlite_statement_stops_at_the_deadline(
    snapshot_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over a snapshot, an order no index gives is one SQL statement over every claim: SQLite asks
    the deadline as it runs (schema.store.reader.Store.interrupt), and the request ends with TIMEOUT."""
    client, store = snapshot_client
    query = "{ claims(first: 5, orderBy: {field: FIRST_PUBLISHED_ON}) { nodes { slug } } }"
    assert client.post("/graphql", json={"query": query}).status_code == 200  # real clock: it finishes
    monkeypatch.setattr(api.graph.deadline, "time", _JumpingClock(step=60))  # past it at the 2nd look
    store._positions.clear()  # the order's positions were remembered: run its statement again
    response = client.post("/graphql", json={"query": query + " "})  # not the cached answer
    assert response.status_code == 503, response.text
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "TIMEOUT" and "longer than 10 s" in error["message"]
    # The statement is what stopped: without its check, the same clock lets the request finish.
    monkeypatch.setattr(store, "interrupt", None)
    store._positions.clear()
    assert client.post("/graphql", json={"query": query + "  "}).status_code == 200
