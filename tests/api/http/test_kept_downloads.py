"""Downloads held in memory answer exactly as the same downloads read from the snapshot on each
request: same status, headers and bytes, for GET and HEAD, gzip or not, with and without a
matching If-None-Match, through the edge's exact-path answer and through routing (with an Origin)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from api.http import downloads
from api.http.app import create_app
from api.http.middleware.edge import Edge
from tests.api_client import dataset, make_client


def _edge(app: Any) -> Edge:
    layer = app.build_middleware_stack()
    while not isinstance(layer, Edge):
        layer = layer.app
    return layer


@pytest.fixture(scope="module")
def apps() -> tuple[Any, Any, list[str]]:
    kept = create_app(dataset())
    paths = sorted(_edge(kept).kept)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(downloads, "KEEP_TOTAL", 0)
        read_each_time = create_app(dataset())
    assert _edge(read_each_time).kept == {}
    return make_client(kept), make_client(read_each_time), paths


def test_every_small_download_is_held_and_answered_without_routing(apps: tuple[Any, Any, list[str]]) -> None:
    _, _, paths = apps
    files = dataset().files
    expected = {f"/fixtures/{name}" for name in files} | {"/fixtures/", "/schema.graphql"}
    assert expected <= set(paths)
    assert any(p.startswith("/schema/json/") for p in paths)
    # An export answers /fixtures/claims.csv before the downloads do: never taken over.
    assert "/fixtures/claims.csv" not in paths


@pytest.mark.parametrize(
    ("method", "accepts_gzip", "if_none_match", "origin"),
    list(itertools.product(["GET", "HEAD"], [False, True], ["", "match", "gzip-match", "other"], [0, 1])),
)
def test_a_held_download_answers_as_one_read_from_the_snapshot(
    apps: tuple[Any, Any, list[str]], method: str, accepts_gzip: bool, if_none_match: str, origin: int
) -> None:
    kept, read_each_time, paths = apps
    for path in paths:
        plain = read_each_time.get(path, headers={"accept-encoding": "identity"})
        assert plain.status_code == 200
        etag = plain.headers["etag"]
        headers = {"accept-encoding": "gzip" if accepts_gzip else "identity"}
        if origin:
            headers["origin"] = "https://elsewhere.example"
        if if_none_match:
            tags = {"match": etag, "gzip-match": etag[:-1] + '-gzip"', "other": '"nope"'}
            headers["if-none-match"] = tags[if_none_match]
        ours = kept.request(method, path, headers=headers)
        theirs = read_each_time.request(method, path, headers=headers)
        assert ours.status_code == theirs.status_code, path
        assert ours.headers.keys() == theirs.headers.keys(), path
        for name in ours.headers:
            if name != "content-length":  # the gzip bytes differ (kept: compressed once, level 9)
                assert ours.headers.get_list(name) == theirs.headers.get_list(name), (path, name)
        assert ours.content == theirs.content  # httpx decodes gzip
        if method == "GET" and ours.status_code == 200:
            sent, size = int(ours.headers["content-length"]), len(ours.content)
            assert sent < size if "content-encoding" in ours.headers else sent == size
