"""The HTTP server's edge, under uvicorn: a bounded request head, head and body timeouts, JSON refusals.

`parley serve` runs uvicorn with httptools (much faster than h11) through `ParleyHttpProtocol`,
which adds what neither uvicorn protocol has: a size limit on the request head, time limits on
head and body, JSON refusals (408, 414, 431, 400) in the API's error shape, request targets past
httptools' 64 KiB URL parser, and an access log that cuts long query strings. The settings are
api/settings.py's ServerSettings. Like api/cli.py, this module sits above the app and imports uvicorn.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from typing import IO, Any, ClassVar

import orjson
from uvicorn.config import LOGGING_CONFIG, Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from api.errors import BAD_REQUEST
from api.settings import Limits, ServerSettings

HTTP_PROTOCOL = "api.server:ParleyHttpProtocol"

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
      (slow clients cannot hold connections, nor a graceful shutdown, open forever);
    - a client that stops reading (the socket's buffer full for `write_timeout` seconds: uvicorn has no
      write timeout, it waits for the buffer to drain forever) has its connection aborted, so clients
      that never read a download cannot hold connections and files open.
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
        self.write_timer: asyncio.TimerHandle | None = None  # bounds: armed while the client does not read
        if self.access_log:  # uvicorn's line, written without the logging machinery (AccessLine)
            line = AccessLine.replacing(self.access_logger)
            self.access_logger = self.access_logger if line is None else line  # type: ignore[assignment]

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

    def pause_writing(self) -> None:
        super().pause_writing()
        if self.write_timer is None:
            self.write_timer = self.loop.call_later(self.edge.write_timeout, self._write_timed_out)

    def resume_writing(self) -> None:
        if self.write_timer is not None:
            self.write_timer.cancel()
            self.write_timer = None
        super().resume_writing()

    def _write_timed_out(self) -> None:
        self.write_timer = None
        if self.client:
            seconds = self.edge.write_timeout
            self.logger.info("%s:%d - closed: the client read nothing for %g s", *self.client, seconds)
        self.transport.abort()  # close() would wait for the unread buffer to drain

    def _arm_head_timer(self) -> None:
        self.head_timer = self.loop.call_later(self.edge.header_timeout, self._head_timed_out)

    def _cancel_timers(self) -> None:
        for timer in (self.head_timer, self.body_timer, self.write_timer):
            if timer is not None:
                timer.cancel()
        self.head_timer = self.body_timer = self.write_timer = None

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


def cut_query(full_path: str, max_chars: int) -> str:
    """Returns a request target with its query string cut to `max_chars` characters."""
    path, sep, query = full_path.partition("?")
    if len(query) <= max_chars:
        return full_path
    return f"{path}{sep}{query[:max_chars]}...[{len(query) - max_chars} more]"


class AccessLogQueryLimit(logging.Filter):
    """Cuts the query string in uvicorn's access log lines to `max_chars` characters."""

    def __init__(self, max_chars: int = ServerSettings.log_query_chars) -> None:
        super().__init__()
        self.max_chars = max_chars

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], cut_query(args[2], self.max_chars), args[3], args[4])
        return True


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_DATE_FORMAT = "%H:%M:%S"
"""The one line format of everything `parley serve` logs: parley's own lines and uvicorn's."""


class AccessLine:
    """uvicorn's access log line, written straight to its stream: the same text as `log_config`'s
    access handler writes (LOG_FORMAT: `HH:MM:SS INFO uvicorn.access: <client> - "<method> <target>
    HTTP/<v>" <status>`, the query string cut as AccessLogQueryLimit cuts it), one write and flush
    per line, without a LogRecord, a handler lock and a record copy per request; the time is
    formatted once per second.

    `ParleyHttpProtocol` puts it in place of the `uvicorn.access` logger when that logger would
    write exactly this: configured by `log_config`, at INFO.
    """

    def __init__(self, stream: IO[str], max_query_chars: int, name: str) -> None:
        self.stream, self.max_query_chars, self.name = stream, max_query_chars, name
        self._second, self._stamp = -1, ""

    def info(self, message: str, client: str, method: str, target: str, version: str, status: int) -> None:
        """Writes one line (the signature of the `Logger.info` call uvicorn makes)."""
        now = int(time.time())
        if now != self._second:
            self._second, self._stamp = now, time.strftime(LOG_DATE_FORMAT, time.localtime(now))
        request = f"{method} {cut_query(target, self.max_query_chars)} HTTP/{version}"
        self.stream.write(f'{self._stamp} INFO {self.name}: {client} - "{request}" {status}\n')
        self.stream.flush()

    @classmethod
    def replacing(cls, logger: logging.Logger) -> AccessLine | None:
        """Returns the line writer for uvicorn's access logger when it is configured as `log_config`
        configures it (see the class), else None (the logger stays)."""
        handlers = logger.handlers
        if len(handlers) != 1 or not logger.isEnabledFor(logging.INFO) or logger.propagate or logger.filters:
            return None
        handler = handlers[0]
        limits = [f for f in handler.filters if isinstance(f, AccessLogQueryLimit)]
        formatter = handler.formatter
        if type(handler) is not logging.StreamHandler or len(handler.filters) != 1 or not limits:
            return None
        if type(formatter) is not logging.Formatter or handler.level > logging.INFO:
            return None
        if (formatter._fmt, formatter.datefmt) != (LOG_FORMAT, LOG_DATE_FORMAT):
            return None
        return cls(handler.stream, limits[0].max_chars, logger.name)


def log_config(max_query_chars: int) -> dict[str, Any]:
    """Returns uvicorn's logging configuration in parley's own line format (LOG_FORMAT), with the
    access log's query strings cut to `max_query_chars`: one format for every line `parley serve` writes.
    """
    fmt, datefmt = LOG_FORMAT, LOG_DATE_FORMAT
    config = copy.deepcopy(LOGGING_CONFIG)
    plain = {"()": "logging.Formatter", "fmt": fmt, "datefmt": datefmt}
    config["formatters"] = {"default": plain, "access": dict(plain)}
    config.setdefault("filters", {})["query_limit"] = {
        "()": "api.server.AccessLogQueryLimit",
        "max_chars": max_query_chars,
    }
    config["handlers"]["access"]["filters"] = ["query_limit"]
    return config
