"""The `parley` command: serve the API, check the fixtures, report coverage, export the SDL.

`parley serve` runs uvicorn with httptools (about 4.5x the request rate of h11 on a cached query,
24.0k vs 5.3k requests/s on this project's 2-core box) through `ParleyHttpProtocol`, which adds what
neither uvicorn protocol has: a size limit on the request head, a time limit on the head and on the
body, JSON refusals (408, 414, 431, 400) in the API's error shape, and request targets past httptools'
64 KiB URL parser; plus a bounded graceful shutdown and an access log that cuts long query strings.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import dataclasses
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar, NoReturn

import orjson
from uvicorn.config import LOGGING_CONFIG, Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from api.app import DEFAULT_FIXTURES, DEFAULT_SEEDS
from api.errors import BAD_REQUEST
from api.limits import Limits, add_limit_arguments

APP_FACTORY = "api.cli:app_from_environment"
HTTP_PROTOCOL = "api.cli:ParleyHttpProtocol"
_FIXTURES_ENV = "PARLEY_FIXTURES"
_SEEDS_ENV = "PARLEY_SEEDS"
_FORWARDED_ENV = "PARLEY_FORWARDED_ALLOW_IPS"

# Codes of the refusals the HTTP protocol sends itself, before the app sees the request.
REQUEST_TIMEOUT = "REQUEST_TIMEOUT"
URI_TOO_LONG = "URI_TOO_LONG"
HEADERS_TOO_LARGE = "REQUEST_HEADERS_TOO_LARGE"
# Room for the path beyond the longest query string the app accepts (`--max-body-bytes`), so that a
# long GET reaches the app and gets its 413; a target longer still is refused with 414 here.
TARGET_PATH_ROOM = 8192
# httptools.parse_url keeps offsets in 16 bits: it fails on a target of 65,536 bytes or more.
_PARSE_URL_MAX = 65_535
# uvicorn kills a worker that does not answer its health-check ping within this many seconds. The
# ping is answered only once the spawned worker has imported the app, which took over uvicorn's
# default 5 s on a busy 2-core machine: the worker was killed and restarted during start-up.
WORKER_HEALTHCHECK_SECONDS = 60


def _setting(default: int | float, help_text: str) -> Any:
    return field(default=default, metadata={"help": help_text})


@dataclass(frozen=True)
class ServerSettings:
    """The HTTP server's own limits; `PARLEY_X_Y` or `--x-y` sets each field `x_y`, as for Limits."""

    max_header_bytes: int = _setting(32_768, "request header fields (names and values), bytes: 431 beyond")
    header_timeout: float = _setting(10.0, "seconds for a request's line and headers to arrive: 408 after")
    body_timeout: float = _setting(10.0, "seconds for a request body to arrive, once its headers have: 408")
    keep_alive_timeout: int = _setting(5, "seconds an idle keep-alive connection stays open")
    shutdown_timeout: int = _setting(10, "seconds a SIGTERM waits for requests in flight, then cancels them")
    log_query_chars: int = _setting(200, "characters of a query string the access log writes")

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value <= 0:
                raise ValueError(f"{_flag(f.name)} must be positive, got {value}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServerSettings:
        """Returns the defaults overridden by PARLEY_* variables (of os.environ by default)."""
        env = os.environ if environ is None else environ
        changes: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(_env(f.name), "").strip()
            if raw:
                kind = float if isinstance(f.default, float) else int
                try:
                    changes[f.name] = kind(raw)
                except ValueError:
                    raise ValueError(f"{_env(f.name)}={raw!r} is not a number") from None
        return cls(**changes)

    def with_args(self, namespace: argparse.Namespace) -> ServerSettings:
        """Returns these settings overridden by the flags given on the command line."""
        given = {f.name: getattr(namespace, f.name) for f in fields(self)}
        return dataclasses.replace(self, **{k: v for k, v in given.items() if v is not None})

    def as_env(self) -> dict[str, str]:
        """Returns these settings as PARLEY_* variables (read again by every worker process)."""
        return {_env(f.name): str(getattr(self, f.name)) for f in fields(self)}


def _env(name: str) -> str:
    return "PARLEY_" + name.upper()


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _add_server_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("server", "HTTP server limits and timeouts (also PARLEY_* env vars)")
    for f in fields(ServerSettings):
        kind = float if isinstance(f.default, float) else int
        group.add_argument(
            _flag(f.name),
            dest=f.name,
            type=_positive(kind, _flag(f.name)),
            default=None,
            metavar="N",
            help=f"{f.metadata['help']} (default {f.default:g}, env {_env(f.name)})",
        )


def _positive(kind: type[int] | type[float], name: str) -> Any:
    def parse(raw: str) -> int | float:
        try:
            value = kind(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{raw!r} is not a number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {raw}")
        return value

    parse.__name__ = name
    return parse


def _port(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a TCP port (1-65535)")
    return int(raw)


def _workers(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a number of worker processes (1 or more)")
    return int(raw)


class _OneLineErrors(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr, exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _json_refusal(status: int, code: str, message: str, default_headers: list[tuple[bytes, bytes]]) -> bytes:
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})
    head = [STATUS_LINE[status]]
    head += [name + b": " + value + b"\r\n" for name, value in default_headers]
    head += [
        b"content-type: application/json\r\n",
        b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
        b"connection: close\r\n\r\n",
    ]
    return b"".join(head) + body


class _Refused(Exception):
    """Raised in a parser callback to stop parsing a request the protocol refuses."""


class ParleyHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a bounded request head, head and body timeouts, JSON refusals.

    - the request target may be `max_body_bytes` + 8 KiB long (so the app answers its own 413 for a
      long GET query string); longer is 414, also past the 64 KiB httptools.parse_url can split;
    - the header fields may total `max_header_bytes`: 431 beyond. Bytes of a head still incomplete are
      counted as they arrive, so an unterminated 32 MiB header costs one read buffer, not 32 MiB;
    - a head must be complete `header_timeout` seconds after its first byte (or after the connection
      opened), a body `body_timeout` seconds after its head: 408 and the connection closed otherwise
      (slow clients cannot hold connections, nor a graceful shutdown, open forever).
    """

    # Read from PARLEY_* once per process (the CLI sets them, for every worker too); tests may set them.
    settings: ClassVar[ServerSettings | None] = None
    max_body_bytes: ClassVar[int | None] = None

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        cls = ParleyHttpProtocol
        if cls.settings is None:
            cls.settings = ServerSettings.from_env()
        if cls.max_body_bytes is None:
            cls.max_body_bytes = Limits.from_env().max_body_bytes
        self.edge = cls.settings
        self.max_target = cls.max_body_bytes + TARGET_PATH_ROOM
        self.head_limit = self.max_target + self.edge.max_header_bytes + TARGET_PATH_ROOM
        self.in_head = True  # the next bytes belong to a request line or headers
        self.head_bytes = 0  # bytes received while the current head was incomplete
        self.header_bytes = 0
        self.refusal: tuple[int, str, str] | None = None
        self.head_timer: asyncio.TimerHandle | None = None
        self.body_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.refusal is not None:
            return
        super().data_received(data)  # a callback's _Refused arrives as HttpParserError: send_400_response
        if self.in_head and self.refusal is None and not self.transport.is_closing():
            self.head_bytes += len(data)
            if self.head_bytes > self.head_limit:
                if self.header_bytes:
                    self._refuse(431, HEADERS_TOO_LARGE, self._headers_message())
                else:
                    self._refuse(414, URI_TOO_LONG, self._target_message())

    def send_400_response(self, msg: str) -> None:
        status, code, message = self.refusal or (400, BAD_REQUEST, f"Not an HTTP/1.1 request: {msg}")
        self.refusal = None
        self._refuse(status, code, message)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.in_head, self.head_bytes, self.header_bytes = True, 0, 0
        if self.head_timer is None:
            self._arm_head_timer()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self.max_target:
            self.refusal = (414, URI_TOO_LONG, self._target_message())
            raise _Refused

    def on_header(self, name: bytes, value: bytes) -> None:
        self.header_bytes += len(name) + len(value) + 4
        if self.header_bytes > self.edge.max_header_bytes:
            self.refusal = (431, HEADERS_TOO_LARGE, self._headers_message())
            raise _Refused
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self.in_head = False
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None
        query = None
        if len(self.url) > _PARSE_URL_MAX:  # split it here: httptools.parse_url cannot
            path, _, query = self.url.split(b"#", 1)[0].partition(b"?")
            if len(path) > _PARSE_URL_MAX:
                self.refusal = (414, URI_TOO_LONG, self._target_message())
                raise _Refused
            self.url = path
        super().on_headers_complete()
        if query is not None:
            self.scope["query_string"] = query  # the app's task has not started yet
        if any(name in (b"content-length", b"transfer-encoding") for name, _ in self.headers):
            self.body_timer = self.loop.call_later(self.edge.body_timeout, self._body_timed_out)

    def on_message_complete(self) -> None:
        if self.body_timer is not None:
            self.body_timer.cancel()
            self.body_timer = None
        super().on_message_complete()

    def _arm_head_timer(self) -> None:
        self.head_timer = self.loop.call_later(self.edge.header_timeout, self._head_timed_out)

    def _cancel_timers(self) -> None:
        for timer in (self.head_timer, self.body_timer):
            if timer is not None:
                timer.cancel()
        self.head_timer = self.body_timer = None

    def _head_timed_out(self) -> None:
        self.head_timer = None
        if not self.in_head or self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            self.transport.close()  # a pipelined head behind an unfinished answer: nothing to say
            return
        message = f"The request line and headers did not arrive within {self.edge.header_timeout:g} s."
        self._refuse(408, REQUEST_TIMEOUT, message)

    def _body_timed_out(self) -> None:
        self.body_timer = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is None or cycle.response_started:
            self.transport.close()
            return
        cycle.disconnected = True  # the app's receive() now returns http.disconnect
        cycle.message_event.set()
        seconds = self.edge.body_timeout
        self._refuse(408, REQUEST_TIMEOUT, f"The request body did not arrive within {seconds:g} s.")

    def _refuse(self, status: int, code: str, message: str) -> None:
        self._cancel_timers()
        self.refusal = (status, code, message)
        if self.client:
            self.logger.warning("%s:%d - refused with %d: %s", *self.client, status, message)
        self.transport.write(_json_refusal(status, code, message, self.server_state.default_headers))
        self.transport.close()

    def _target_message(self) -> str:
        return f"The request target is longer than {self.max_target} bytes (the limit)."

    def _headers_message(self) -> str:
        return f"The request header fields are larger than {self.edge.max_header_bytes} bytes (the limit)."


class AccessLogQueryLimit(logging.Filter):
    """Cuts the query string in uvicorn's access log lines to `max_chars` characters."""

    def __init__(self, max_chars: int = ServerSettings.log_query_chars) -> None:
        super().__init__()
        self.max_chars = max_chars

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            path, sep, query = args[2].partition("?")
            if len(query) > self.max_chars:
                cut = f"{path}{sep}{query[: self.max_chars]}...[{len(query) - self.max_chars} more]"
                record.args = (args[0], args[1], cut, args[3], args[4])
        return True


def access_log_config(max_query_chars: int) -> dict[str, Any]:
    """Returns uvicorn's logging configuration with the access log's query strings cut."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["query_limit"] = {
        "()": "api.cli.AccessLogQueryLimit",
        "max_chars": max_query_chars,
    }
    config["handlers"]["access"]["filters"] = ["query_limit"]
    return config


def _data_dirs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES, help="fixtures directory")
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="seed texts directory")


def app_from_environment() -> object:
    """uvicorn factory for worker processes: builds the app from the directories in the environment."""
    from api.app import create_app

    return create_app(
        fixtures_dir=Path(os.environ.get(_FIXTURES_ENV, DEFAULT_FIXTURES)),
        seeds_dir=Path(os.environ.get(_SEEDS_ENV, DEFAULT_SEEDS)),
    )


def serve(argv: Sequence[str] | None = None) -> int:
    """Checks the fixtures, then serves the API with uvicorn; 1 (and the report) if they are invalid."""
    parser = _OneLineErrors(prog="parley serve", description="Serve the GraphQL API over HTTP.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--workers", type=_workers, default=1, help="worker processes (default 1)")
    parser.add_argument(
        "--forwarded-allow-ips",
        default=None,
        metavar="IPS",
        help="comma-separated addresses of reverse proxies whose X-Forwarded-For/-Proto are trusted "
        f"(default: none, the headers are ignored; env {_FORWARDED_ENV})",
    )
    parser.add_argument(
        "--no-fast-paths",
        action="store_true",
        help="serve /graphql with stock strawberry and no caches (benchmark baseline; PARLEY_FAST_PATHS=0)",
    )
    _data_dirs(parser)
    add_limit_arguments(parser)
    _add_server_arguments(parser)
    args = parser.parse_args(argv)

    import uvicorn

    from api.app import create_app
    from schema.loader import FixtureError

    if args.no_fast_paths:
        os.environ["PARLEY_FAST_PATHS"] = "0"  # read by create_app, here and in every worker
    try:
        limits = Limits.from_env().with_args(args)
        settings = ServerSettings.from_env().with_args(args)
    except ValueError as error:
        parser.error(str(error))
    forwarded = args.forwarded_allow_ips
    if forwarded is None:
        forwarded = os.environ.get(_FORWARDED_ENV, "")
    forwarded = ",".join(part.strip() for part in forwarded.split(",") if part.strip())
    try:
        app = create_app(fixtures_dir=args.fixtures, seeds_dir=args.seeds, limits=limits)
    except FixtureError as error:
        print(f"parley serve: refusing to start, the fixtures are invalid:\n{error}", file=sys.stderr)
        return 1
    # The protocol (here and in every worker) reads the server settings and max_body_bytes from these.
    os.environ.update(limits.as_env())
    os.environ.update(settings.as_env())
    server: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "http": HTTP_PROTOCOL,
        "proxy_headers": bool(forwarded),
        "forwarded_allow_ips": forwarded or None,
        "timeout_keep_alive": settings.keep_alive_timeout,
        "timeout_graceful_shutdown": settings.shutdown_timeout,
        "log_config": access_log_config(settings.log_query_chars),
    }
    if args.workers > 1:
        # Each worker process loads (and checks) the dataset itself, from the same directories.
        os.environ[_FIXTURES_ENV] = str(args.fixtures.resolve())
        os.environ[_SEEDS_ENV] = str(args.seeds.resolve())
        uvicorn.run(
            APP_FACTORY,
            factory=True,
            workers=args.workers,
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
            **server,
        )
    else:
        uvicorn.run(app, **server)
    return 0


def export_schema(argv: Sequence[str] | None = None) -> int:
    """Writes the GraphQL SDL (default schema/schema.graphql), or prints it with `-`."""
    from api.schema import SDL_PATH, print_sdl

    parser = argparse.ArgumentParser(
        prog="parley export-schema", description="Write the GraphQL schema (SDL) the API serves."
    )
    parser.add_argument("output", nargs="?", default=str(SDL_PATH), help="file to write, or - for stdout")
    args = parser.parse_args(argv)
    sdl = print_sdl()
    if args.output == "-":
        sys.stdout.write(sdl)
    else:
        Path(args.output).write_text(sdl, encoding="utf-8")
        print(f"wrote {args.output}")
    return 0


def validate(argv: Sequence[str] | None = None) -> int:
    """Loads and checks every fixture record, reference and selector."""
    from schema.commands import validate as run

    return run(argv, prog="parley validate")


def coverage(argv: Sequence[str] | None = None) -> int:
    """Reports which parts of the seed texts no record cites."""
    from schema.commands import coverage as run

    return run(argv, prog="parley coverage")


def synth(argv: Sequence[str] | None = None) -> int:
    """Writes a synthetic dataset (seeds and fixtures, marked synthetic) for benchmarks."""
    from schema.synth import main as run

    return run(argv, prog="parley synth")


COMMANDS = {
    "serve": (serve, "serve the GraphQL API, playground and downloads"),
    "validate": (validate, "check the fixtures against the models and the seed texts"),
    "coverage": (coverage, "report seed text no record cites"),
    "export-schema": (export_schema, "write the GraphQL SDL to schema/schema.graphql"),
    "synth": (synth, "write a synthetic dataset of N claims for benchmarks (--claims N --out DIR)"),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `parley` console script; returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="parley",
        description="Who said what in the June 2025 US-China London trade talks, served as GraphQL.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    if not args or args[0] not in COMMANDS:
        parser.parse_args(args or ["--help"])
        return 2
    run, _ = COMMANDS[args[0]]
    return run(args[1:])


if __name__ == "__main__":
    sys.exit(main())
