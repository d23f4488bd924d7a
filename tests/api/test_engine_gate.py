"""Engine work in worker threads waits in line for `engine_threads` places, and /healthz is answered
by the outermost layer while every place is taken (the event loop stays free)."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx

from api.http.app import create_app
from api.settings import Limits
from tests.api_client import dataset

LARGE = "{ claims(first: 100) { nodes { summary citations { source { headline } } } } }"


def _blocking_app(threads: int, timeout: float = 10.0) -> tuple[Any, threading.Event, list[int]]:
    """An app whose thread work (a plan that left the event loop) blocks until the event is set,
    recording how many ran at once."""
    app = create_app(dataset(), limits=Limits(engine_threads=threads, timeout_seconds=timeout))
    engine = app.state.engine
    plan = engine.plan_for(engine.prepare(LARGE), None)
    assert plan is not None
    plan.inline = False  # as after a run past the inline budget: the next requests go to threads
    release, running, most = threading.Event(), [0], [0]
    lock = threading.Lock()
    real = engine._in_thread

    def in_thread(*args: Any) -> tuple[int, bytes]:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            release.wait(10)
            return real(*args)  # type: ignore[no-any-return]
        finally:
            with lock:
                running[0] -= 1

    engine._in_thread = in_thread
    return app, release, most


async def _post(http: httpx.AsyncClient) -> httpx.Response:
    return await http.post("/graphql", json={"query": LARGE}, headers={"accept": "application/json"})


def test_thread_work_waits_in_line_and_healthz_answers_meanwhile() -> None:
    app, release, most = _blocking_app(threads=2)

    async def scenario() -> tuple[list[httpx.Response], list[float]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            pending = [asyncio.create_task(_post(http)) for _ in range(8)]
            await asyncio.sleep(0.3)  # every request has arrived: 2 in threads, 6 in line
            health = []
            for _ in range(5):
                began = time.perf_counter()
                answer = await http.get("/healthz")
                health.append(time.perf_counter() - began)
                assert (answer.status_code, answer.json()) == (200, {"status": "ok"})
                assert answer.headers["cache-control"] == "no-store"
            assert not any(task.done() for task in pending)
            release.set()
            return await asyncio.gather(*pending), health

    answers, health = asyncio.run(scenario())
    assert most[0] == 2  # never more than engine_threads at once, though 8 were waiting
    assert all(a.status_code == 200 and len(a.json()["data"]["claims"]["nodes"]) > 0 for a in answers)
    assert max(health) < 1.0


def test_a_request_that_waits_out_its_time_budget_in_line_answers_timeout() -> None:
    app, release, _ = _blocking_app(threads=1, timeout=0.5)

    async def scenario() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            first = asyncio.create_task(_post(http))
            await asyncio.sleep(0.1)
            waiting = await _post(http)  # in line behind the blocked one for longer than 0.5 s
            release.set()
            return [await first, waiting]

    first, waiting = asyncio.run(scenario())
    assert first.status_code == 200
    assert waiting.status_code == 503
    assert waiting.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"


def test_head_healthz_and_other_methods() -> None:
    async def scenario() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=create_app(dataset()))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            return await http.head("/healthz"), await http.post("/healthz")

    head, post = asyncio.run(scenario())
    assert head.status_code == 200 and head.content == b""
    assert post.status_code == 405


def _order_of_answers(monkeypatch: Any, slice_seconds: float) -> tuple[int, int]:
    """40 cold queries whose inline plans each hold the loop 2 ms, then /healthz: returns how many
    queries were answered before /healthz was, and how many in all."""
    from api.engine import pipeline

    monkeypatch.setattr(pipeline, "SLICE_SECONDS", slice_seconds)
    app = create_app(dataset(), limits=Limits(engine_threads=64))
    engine = app.state.engine
    real = engine._run_plan

    def slow(*args: Any) -> tuple[int, bytes]:
        until = time.perf_counter() + 0.002
        while time.perf_counter() < until:  # holds the loop, as a real plan computing does
            pass
        return real(*args)  # type: ignore[no-any-return]

    engine._run_plan = slow
    done: list[str] = []

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:

            async def query(n: int) -> None:
                body = {"query": "query ($d: Date) { claims(first: 2, filter: {asOf: $d}) { totalCount } }"}
                body["variables"] = {"d": f"2030-01-{n % 28 + 1:02d}"}  # type: ignore[assignment]
                await http.post("/graphql", json=body)
                done.append("query")

            async def health() -> None:
                await asyncio.sleep(0)  # after every query has started
                await http.get("/healthz")
                done.append("healthz")

            await asyncio.gather(*(query(n) for n in range(40)), health())

    asyncio.run(scenario())
    return done.index("healthz"), len(done) - 1


def test_inline_engine_work_takes_turns_so_healthz_is_not_answered_last(monkeypatch: Any) -> None:
    """A turn of the event loop runs at most SLICE_SECONDS of inline plans; the rest wait for later
    turns, so /healthz (and anything else ready) is answered in between, not after every query."""
    before, total = _order_of_answers(monkeypatch, pipeline_slice())
    assert total == 40 and before < 10, before
    unsliced, _ = _order_of_answers(monkeypatch, 3600.0)  # one turn runs them all: /healthz waits
    assert unsliced > 30, unsliced


def pipeline_slice() -> float:
    from api.engine.pipeline import SLICE_SECONDS

    return SLICE_SECONDS
