"""The access log line `parley serve` writes without the logging machinery (api/server.py
AccessLine) is the line uvicorn's configured access logger writes, byte for byte; anything else
configured keeps the logger."""

from __future__ import annotations

import io
import logging
import logging.config
import re
from collections.abc import Iterator

import pytest

from api.server import AccessLine, log_config

CASES = [
    ("127.0.0.1:50000", "POST", "/graphql", "1.1", 200),
    ("127.0.0.1:5", "GET", "/graphql?query=" + "x" * 500, "1.1", 200),
    ("[::1]:80", "GET", "/healthz?" + "q" * 50, "1.0", 404),
    ("10.0.0.1:1", "HEAD", "/fixtures/claims.json", "1.1", 304),
    ("127.0.0.1:2", "GET", "/odd", "1.1", 599),  # no reason phrase
]


class _Pipe(io.StringIO):
    """The access handler's stream."""


@pytest.fixture
def access_logger() -> Iterator[tuple[logging.Logger, _Pipe]]:
    config = log_config(100)
    stream = _Pipe()
    config["handlers"]["access"]["stream"] = stream
    saved = logging.getLogger("uvicorn.access").handlers[:]
    logging.config.dictConfig(config)
    logger = logging.getLogger("uvicorn.access")
    try:
        yield logger, stream
    finally:
        logger.handlers[:] = saved


def _only_configured(logger: logging.Logger, stream: _Pipe) -> None:
    """Leaves only the configured handler (pytest attaches capturing ones during a test)."""
    logger.handlers[:] = [h for h in logger.handlers if getattr(h, "stream", None) is stream]


def test_the_line_is_the_loggers_line(access_logger: tuple[logging.Logger, _Pipe]) -> None:
    logger, stream = access_logger
    _only_configured(logger, stream)
    line = AccessLine.replacing(logger)
    assert line is not None
    for args in CASES:
        logger.info('%s - "%s %s HTTP/%s" %d', *args)
    expected = stream.getvalue()
    stream.seek(0)
    stream.truncate()
    for args in CASES:
        line.info('%s - "%s %s HTTP/%s" %d', *args)
    written = stream.getvalue()
    # the same lines, but for the HH:MM:SS stamp, which a second's tick between the two may move
    assert [w[8:] for w in written.splitlines()] == [e[8:] for e in expected.splitlines()]
    assert all(re.fullmatch(r"\d\d:\d\d:\d\d", w[:8]) for w in written.splitlines())
    assert "...[406 more]" in expected and len(expected.splitlines()) == len(CASES)
    assert all(" INFO uvicorn.access: " in line for line in expected.splitlines())


def test_any_other_configuration_keeps_the_logger(access_logger: tuple[logging.Logger, _Pipe]) -> None:
    logger, stream = access_logger
    _only_configured(logger, stream)
    logger.setLevel(logging.WARNING)
    assert AccessLine.replacing(logger) is None
    logger.setLevel(logging.INFO)
    logger.handlers[0].setFormatter(logging.Formatter("%(message)s"))
    assert AccessLine.replacing(logger) is None
    logger.handlers[0].filters.clear()
    assert AccessLine.replacing(logger) is None
