"""Claim and citation filters and orders, stated once in SQL over the snapshot, answer exactly what
the rules say (tests/oracle.py computes it from the loader's records): every filter field,
combinations, partial dates, every order and direction, and before/after cursors, over the curated
data and a synthetic 1k set. Then: a filtered page over a snapshot decodes only its page, and a
repeated filter runs no statement."""

from __future__ import annotations

import itertools
import json
import warnings
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from api.graph.relay import decode_cursor, encode_cursor, encode_global_id
from api.http.app import create_app, open_snapshot
from schema.load.loader import load_dataset
from schema.store.reader import StoredDataset, open_dataset
from tests.datafiles import FIXTURES, SEEDS
from tests.oracle import Oracle, WrongType

PAGE = (
    "totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } }"
)
CLAIM_ORDERS = [
    "FILE_ORDER", "SLUG", "SAID_ON", "FIRST_PUBLISHED_ON", "SPEAKER_NAME", "INDEPENDENT_SOURCE_COUNT"
]
CITATION_ORDERS = ["FILE_ORDER", "SLUG", "PUBLISHED_ON", "POSITION"]
SQL_ORDERS = set(CLAIM_ORDERS[1:] + CITATION_ORDERS[1:])  # every key has SQL now
CLAIM_INDEXED = {"speaker", "negotiation", "source", "outlet"}
CITATION_INDEXED = {"claim", "source"}
TEXTS = [
    "talks", "China's not easy", "China\u2019s NOT easy", "\u201cnot easy\u201d", "ng", "a", "", "   ",
    "xyzzy", "\u0000", "Lutnick", "l\u00e9", "rare earth", "spoke about", "trade  talks", "\"", "\ud800x",
    # FTS5 syntax is literal inside a phrase; casefold makes \u00df "ss"
    '"a"', "NEAR(x", "x OR y*", "-^:ab", "STRASSE", "\u00df",
]


def _client(app: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        return TestClient(app)


@cache
def synth_1k() -> tuple[Path, Path]:
    import tempfile

    from bench.run import synth_dataset

    return synth_dataset(1000, Path(tempfile.mkdtemp(prefix="parley-sqlf-")))


@cache
def apps(name: str) -> tuple[Oracle, Any, StoredDataset]:
    """(the oracle over the loader's records, the snapshot client, the snapshot's dataset)."""
    import tempfile

    fixtures, seeds = (FIXTURES, SEEDS) if name == "curated" else synth_1k()
    stored, _ = open_snapshot(Path(tempfile.mkdtemp(prefix="parley-sqlf-")) / "parley.db", fixtures, seeds)
    return Oracle(load_dataset(fixtures, seeds)), _client(create_app(stored)), stored


TYPES = {"claims": "Claim", "citations": "Citation"}


def expected(oracle: Oracle, query: Query) -> dict[str, Any] | None:
    """The page the API must answer (None: an error, a reference of another type), by the Relay
    cursor algorithm over the ids the oracle lists."""
    field, where, order, paging = query
    try:
        ids = getattr(oracle, field)(where, order)
    except WrongType:
        return None
    args = dict(part.split(": ", 1) for part in paging.split(", ")) if paging else {}
    start, stop = 0, len(ids)
    if "after" in args:
        start = min(decode_cursor(json.loads(args["after"])) + 1, stop)
    if "before" in args:
        stop = max(min(stop, decode_cursor(json.loads(args["before"]))), start)
    first = int(args["first"]) if "first" in args else (None if "last" in args else 100)
    if first is not None:
        stop = min(stop, start + first)
    if "last" in args:
        start = max(start, stop - int(args["last"]))
    cursor = [encode_cursor(i) for i in range(start, stop)]
    page = {
        "hasNextPage": stop < len(ids),
        "hasPreviousPage": start > 0,
        "startCursor": cursor[0] if cursor else None,
        "endCursor": cursor[-1] if cursor else None,
    }
    nodes = [{"id": encode_global_id(TYPES[field], i)} for i in ids[start:stop]]
    edges = [{"cursor": c, "node": n} for c, n in zip(cursor, nodes, strict=True)]
    return {field: {"totalCount": len(ids), "pageInfo": page, "edges": edges}}


def _literal(value: Any, enum: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if enum:  # the mode filter's value, e.g. DIRECT
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_literal(v, k == 'mode')}" for k, v in value.items()) + "}"
    return json.dumps(value)


def _days(dates: list[str]) -> list[str]:
    """Days around each partial date: its first and last day, and the days either side."""
    import datetime as dt

    from schema.model.models import PartialDate

    found: set[str] = set()
    for date in dates:
        precision = {10: "day", 7: "month", 4: "year"}[len(date)]
        span = PartialDate.model_construct(date=date, precision=precision)
        for day in (span.earliest(), span.latest()):
            for shift in (-1, 0, 1):
                found.add((day + dt.timedelta(days=shift)).isoformat())
    return sorted(found)[:12]


def _values(stored: StoredDataset) -> dict[str, list[Any]]:
    """Values to filter by, drawn from the data (a few of each), with unknown ones."""
    claims = list(stored.claims.values())
    sources = list(stored.sources.values())
    said = sorted({c.said_on.date for c in claims if c.said_on is not None})
    published = sorted({s.published_on.date for s in sources if s.published_on is not None})
    speakers = list(dict.fromkeys(c.speaker for c in claims))
    topics = sorted({t for c in claims for t in c.topics})
    return {
        "speaker": [*speakers[:3], encode_global_id("Person", speakers[0]), "nobody"],
        "party": [*list(stored.parties)[:4], "no-party"],
        "negotiation": [*list(stored.negotiations)[:3], "no-round"],
        "source": [*[s.id for s in sources[:3]], encode_global_id("Source", sources[0].id)],
        "outlet": [*list(stored.outlets)[:3], "no-outlet"],
        "claim": [c.id for c in claims[:2]],
        "topic": [*topics[:6], "no-topic"],
        "mode": ["DIRECT", "PARTIAL", "PARAPHRASE"],
        "delegatesOnly": [True, False],
        "said_days": _days(said[:2] + said[-2:]),
        "published_days": _days(published[:2] + published[-2:]),
    }


def _ranges(days: list[str]) -> Iterator[dict[str, str]]:
    yield {}
    for day in days:
        yield {"from": day}
        yield {"to": day}
    for a, b in zip(days, days[2:], strict=False):
        yield {"from": a, "to": b}


def claim_filters(v: dict[str, list[Any]]) -> Iterator[dict[str, Any]]:
    for field in ("speaker", "party", "negotiation", "source", "outlet", "topic", "mode", "delegatesOnly"):
        for value in v[field]:
            yield {field: value}
    for r in _ranges(v["said_days"]):
        yield {"saidOn": r}
    for r in _ranges(v["published_days"]):
        yield {"publishedOn": r}
    for day in v["published_days"]:
        yield {"asOf": day}
    for text in TEXTS:
        yield {"text": text}
    # combinations: citation conditions must hold for one and the same citation
    for topic, mode in itertools.product(v["topic"][:3], v["mode"]):
        yield {"topic": topic, "mode": mode}
    for party, flag in itertools.product(v["party"][:3], v["delegatesOnly"]):
        yield {"party": party, "delegatesOnly": flag}
    for outlet, mode, day in itertools.product(v["outlet"][:2], v["mode"], v["published_days"][::4]):
        yield {"outlet": outlet, "mode": mode, "asOf": day}
    for source, day in itertools.product(v["source"][:2], v["published_days"][::3]):
        yield {"source": source, "publishedOn": {"from": day}, "mode": "PARAPHRASE"}
    yield {"speaker": v["speaker"][0], "topic": v["topic"][0], "saidOn": {"from": v["said_days"][0]}}
    yield {"negotiation": v["negotiation"][0], "delegatesOnly": True, "text": "a"}
    yield {"topic": v["topic"][0], "text": "\u0000"}
    yield {"speaker": encode_global_id("Outlet", "x"), "topic": v["topic"][0]}  # a reference of another type
    yield {"party": encode_global_id("Person", "x"), "topic": v["topic"][0]}
    yield {}


def citation_filters(v: dict[str, list[Any]]) -> Iterator[dict[str, Any]]:
    for field in ("claim", "speaker", "source", "outlet", "mode"):
        for value in v[field]:
            yield {field: value}
    for r in _ranges(v["published_days"]):
        yield {"publishedOn": r}
    for day in v["published_days"]:
        yield {"asOf": day}
    for text in TEXTS:
        yield {"text": text}
    for outlet, mode in itertools.product(v["outlet"][:2], v["mode"]):
        yield {"outlet": outlet, "mode": mode, "asOf": v["published_days"][-1]}
    yield {"speaker": v["speaker"][0], "text": "a", "mode": "DIRECT"}
    yield {"claim": v["claim"][0], "text": "the"}
    yield {"outlet": encode_global_id("Person", "x"), "mode": "DIRECT"}
    yield {}


Query = tuple[str, dict[str, Any] | None, tuple[str, str] | None, str]
"""(field, filter, (order field, direction), paging arguments)."""


def _query(field: str, where: dict[str, Any] | None, order: tuple[str, str] | None, paging: str) -> str:
    args = [paging] if paging else []
    if where is not None:
        args.append(f"filter: {_literal(where)}")
    if order is not None:
        args.append(f"orderBy: {{field: {order[0]}, direction: {order[1]}}}")
    return f"{{ {field}({', '.join(args)}) {{ {PAGE} }} }}"


PAGINGS = [
    "",
    "first: 3",
    "last: 2",
    f'first: 2, after: "{encode_cursor(1)}"',
    f'last: 3, before: "{encode_cursor(4)}"',
]


def cases(name: str) -> Iterator[tuple[Query, bool]]:
    """(query, whether one SQL statement answers it: not a lone indexed reference, whose index list
    is the answer, nor no filter at all)."""
    values = _values(apps(name)[2])
    for field, filters, indexed, orders in (
        ("claims", claim_filters(values), CLAIM_INDEXED, CLAIM_ORDERS),
        ("citations", citation_filters(values), CITATION_INDEXED, CITATION_ORDERS),
    ):
        wrong = [encode_global_id(k, "x") for k in ("Outlet", "Person")]
        for number, where in enumerate(filters):
            sql = len(where) > 1 or (len(where) == 1 and not set(where) <= indexed)
            sql = sql and not any(v in wrong for v in where.values())
            yield (field, where, None, PAGINGS[number % len(PAGINGS)]), sql
        topic = {"topic": values["topic"][0]} if field == "claims" else {"mode": "PARAPHRASE"}
        for order, direction, where in itertools.product(orders, ("ASC", "DESC"), (None, topic)):
            for paging in PAGINGS:
                yield (field, where, (order, direction), paging), True


@pytest.mark.parametrize("name", ["curated", "synth-1k"])
def test_filters_and_orders_answer_what_the_rules_say(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    oracle, snapshot, stored = apps(name)
    assert stored.store is not None
    calls = []
    real = stored.store.positions
    monkeypatch.setattr(stored.store, "positions", lambda *a, **k: calls.append(a) or real(*a, **k))
    answered = 0
    for query, in_sql in cases(name):
        before = len(calls)
        text = _query(*query)
        answer = snapshot.post("/graphql", json={"query": text})
        body = answer.json()
        if "\ud800" in json.dumps(query[1], ensure_ascii=False):  # a lone surrogate: refused by the parser
            assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED", text
            continue
        want = expected(oracle, query)
        if want is None:
            assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", text
            continue
        assert (answer.status_code, body) == (200, {"data": want}), text
        if in_sql:
            assert len(calls) > before, f"not answered by one statement: {text}"
            answered += 1
        else:
            assert len(calls) == before, f"a statement ran for an index list: {text}"
    assert answered > 200


def test_a_filtered_page_over_a_snapshot_decodes_only_its_page_and_a_repeat_runs_no_statement() -> None:
    path = Path(apps("synth-1k")[2].store.path)  # type: ignore[union-attr]
    stored = open_dataset(path)
    for stem in ("claims", "citations"):
        getattr(stored, stem).whole = 0  # as a large snapshot: never decoded whole on first read
    client = _client(create_app(stored))
    oracle = apps("synth-1k")[0]
    topic = sorted({t for c in oracle.data.claims.values() for t in c.topics})[0]
    queries: list[Query] = [
        ("claims", {"topic": topic, "saidOn": {"from": "2025-01-01"}}, None, "first: 5"),
        ("claims", {"mode": "PARTIAL", "delegatesOnly": False}, None, "first: 5"),
        ("claims", {"asOf": "2030-01-01"}, ("SAID_ON", "ASC"), "last: 5"),
        ("citations", {"mode": "DIRECT", "asOf": "2030-01-01"}, None, "first: 5"),
    ]
    for parts in queries:
        query = _query(*parts)
        for stem in ("claims", "citations"):
            getattr(stored, stem).forget()
        answer = client.post("/graphql", json={"query": query})
        assert answer.json() == {"data": expected(oracle, parts)}, query
        assert answer.json()["data"] and next(iter(answer.json()["data"].values()))["totalCount"] > 5, query
        assert stored.claims.decoded + stored.citations.decoded <= 5, query  # type: ignore[attr-defined]
        assert stored.store is not None
        before = stored.store.queries
        again = client.post("/graphql", json={"query": query.replace("first: 5", "first: 4")})
        assert again.status_code == 200 and stored.store.queries == before, query  # all of it remembered


def test_remembered_positions_stay_within_their_bounds_and_answer_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import schema.store.reader

    oracle, snapshot, stored = apps("synth-1k")
    store = stored.store
    assert store is not None
    monkeypatch.setattr(schema.store.reader, "POSITIONS_KEPT", 3)
    monkeypatch.setattr(schema.store.reader, "POSITIONS_HELD", 700)
    store._positions.clear()
    store._held = 0
    modes = ("DIRECT", "PARTIAL", "PARAPHRASE")
    queries: list[Query] = [("claims", {"mode": mode}, None, "first: 2") for mode in modes]
    queries += [("claims", {"delegatesOnly": flag}, None, "last: 2") for flag in (True, False)]
    for query in queries * 3:
        body = {"query": _query(*query)}
        assert snapshot.post("/graphql", json=body).json() == {"data": expected(oracle, query)}
        assert len(store._positions) <= 3
        assert store._held == sum(map(len, store._positions.values())) <= 700
    store._positions.clear()
    store._held = 0
    # The API takes texts of at most max_text_chars (1000): a smaller key bound shows the store's own.
    monkeypatch.setattr(schema.store.reader, "POSITIONS_KEY", 500)
    for text in ("talks", "talks" + " x" * 495):  # the second is longer than POSITIONS_KEY
        query: Query = ("claims", {"text": text}, None, "first: 2")
        body = {"query": _query(*query)}
        assert snapshot.post("/graphql", json=body).json() == {"data": expected(oracle, query)}
    kept = [sum(len(str(p)) for p in params) for _, params, _ in store._positions]
    assert len(kept) == 1 and kept[0] < schema.store.reader.POSITIONS_KEY  # the long text's answer: not kept
