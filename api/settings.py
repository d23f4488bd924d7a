"""Every setting of the server in one place: the request and query limits the engine enforces, and
the HTTP server's own limits and timeouts, each with a default, a PARLEY_* env var and a CLI flag."""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Self

ENV_PREFIX = "PARLEY_"


def _knob(default: int | float, help_text: str) -> Any:
    return field(default=default, metadata={"help": help_text})


class EnvSettings:
    """What Limits and ServerSettings share: each field `x_y` is set by `PARLEY_X_Y` or `--x-y`, and
    must be positive. Subclasses are frozen dataclasses of numbers."""

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value <= 0:
                raise ValueError(f"{self._named(f.name)} must be positive, got {value}")

    @staticmethod
    def _named(name: str) -> str:
        """How an error message names the setting."""
        return flag(name)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        """Takes an environment (default: os.environ) and returns the defaults overridden by PARLEY_* vars."""
        env = os.environ if environ is None else environ
        changes: dict[str, Any] = {}
        for f in fields(cls):  # type: ignore[arg-type]
            raw = env.get(env_var(f.name))
            if raw is not None and raw.strip():
                changes[f.name] = _convert(f.name, f.default, raw)
        return cls(**changes)

    def with_args(self, namespace: argparse.Namespace) -> Self:
        """Returns these settings overridden by any of their flags given on the command line."""
        changes = {
            f.name: getattr(namespace, f.name)
            for f in fields(self)  # type: ignore[arg-type]
            if getattr(namespace, f.name, None) is not None
        }
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    def as_env(self) -> dict[str, str]:
        """Returns these settings as PARLEY_* variables (how `parley serve --workers` passes them on)."""
        return {env_var(f.name): str(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser, title: str, description: str) -> None:
        """Adds one flag per setting to a CLI parser (default None: keep the env var or default)."""
        group = parser.add_argument_group(title, description)
        for f in fields(cls):  # type: ignore[arg-type]
            kind = float if isinstance(f.default, float) else int
            group.add_argument(
                flag(f.name),
                dest=f.name,
                type=_positive(kind, flag(f.name)),
                default=None,
                metavar="N",
                help=f"{f.metadata['help']} (default {f.default:g}, env {env_var(f.name)})",
            )


@dataclass(frozen=True)
class Limits(EnvSettings):
    """Every limit with its default; `README.md` ("Limits and errors") documents each one.

    Each field `x_y` is set by the env var `PARLEY_X_Y` or the flag `--x-y` of `parley serve`.
    """

    max_depth: int = _knob(10, "deepest nesting of fields in an operation (introspection excluded)")
    max_aliases: int = _knob(30, "aliased fields in an operation, fragments expanded")
    max_tokens: int = _knob(1000, "lexical tokens in a query document")
    max_directives: int = _knob(30, "directives in an operation, fragments expanded")
    max_cost: int = _knob(50_000, "nodes a query could return: first/last multiplied along connections")
    max_field_comparisons: int = _knob(
        5000, "comparisons to check that same-named fields merge (n repeats: about n*n; nesting multiplies)"
    )
    max_body_bytes: int = _knob(100_000, "request body (POST) or query string (GET) size in bytes")
    timeout_seconds: float = _knob(10.0, "execution time before the query is stopped")
    # The default is passages' own cap (schema.text.passages.MAX_PASSAGE_LENGTH; a test keeps them equal),
    # not imported from there: `parley` imports these settings before any model, to start quickly.
    max_text_chars: int = _knob(
        1000, "characters of each string, number, enum value or name in a query or its variables"
    )
    engine_threads: int = _knob(4, "queries run in worker threads at once (large answers); others wait")
    query_cache_bytes: int = _knob(16 << 20, "bytes of parsed queries kept (text, comments, tokens, plans)")
    response_cache_bytes: int = _knob(64 << 20, "bytes of whole answers kept, with their keys")
    persisted_query_bytes: int = _knob(4 << 20, "bytes of automatic persisted queries kept, with hashes")
    name_memo_bytes: int = _knob(4 << 20, "bytes of fuzzy-name matches kept (resolvePerson, search)")

    @staticmethod
    def _named(name: str) -> str:
        return f"limit {name}"


@dataclass(frozen=True)
class ServerSettings(EnvSettings):
    """The HTTP server's own limits and timeouts (api/server.py applies them)."""

    max_header_bytes: int = _knob(32_768, "request header fields (names and values), bytes: 431 beyond")
    header_timeout: float = _knob(10.0, "seconds for a request's line and headers to arrive: 408 after")
    body_timeout: float = _knob(10.0, "seconds for a request body to arrive, once its headers have: 408")
    keep_alive_timeout: int = _knob(5, "seconds an idle keep-alive connection stays open")
    shutdown_timeout: int = _knob(10, "seconds a SIGTERM waits for requests in flight, then cancels them")
    log_query_chars: int = _knob(200, "characters of a query string the access log writes")
    write_timeout: float = _knob(
        30.0, "seconds a client may take to read each chunk of an answer: the connection is closed after"
    )


def env_var(name: str) -> str:
    """Returns the environment variable that sets the setting `name`."""
    return ENV_PREFIX + name.upper()


def flag(name: str) -> str:
    """Returns the command-line flag that sets the setting `name`."""
    return "--" + name.replace("_", "-")


def _convert(name: str, default: object, raw: str) -> int | float:
    try:
        return float(raw) if isinstance(default, float) else int(raw)
    except ValueError:
        raise ValueError(f"{env_var(name)}={raw!r} is not a number") from None


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


def add_limit_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds one `--max-*` style flag per limit to a CLI parser."""
    Limits.add_arguments(parser, "limits", "query and request limits (also PARLEY_* env vars)")


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds one flag per HTTP server setting to a CLI parser."""
    ServerSettings.add_arguments(parser, "server", "HTTP server limits and timeouts (also PARLEY_* env vars)")
