"""The request and query limits the server enforces, with defaults, env vars and CLI flags."""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

ENV_PREFIX = "PARLEY_"


def _knob(default: int | float, help_text: str) -> Any:
    return field(default=default, metadata={"help": help_text})


@dataclass(frozen=True)
class Limits:
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

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value <= 0:
                raise ValueError(f"limit {f.name} must be positive, got {value}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """Takes an environment (default: os.environ) and returns the defaults overridden by PARLEY_* vars."""
        env = os.environ if environ is None else environ
        changes: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(env_var(f.name))
            if raw is not None and raw.strip():
                changes[f.name] = _convert(f.name, f.default, raw)
        return cls(**changes)

    def with_args(self, namespace: argparse.Namespace) -> Limits:
        """Returns these limits overridden by any `--max-*` flags given on the command line."""
        changes = {
            f.name: getattr(namespace, f.name)
            for f in fields(self)
            if getattr(namespace, f.name, None) is not None
        }
        return dataclasses.replace(self, **changes)

    def as_env(self) -> dict[str, str]:
        """Returns these limits as PARLEY_* variables (how `parley serve --workers` passes them on)."""
        return {env_var(f.name): str(getattr(self, f.name)) for f in fields(self)}


def env_var(name: str) -> str:
    """Returns the environment variable that sets the limit `name`."""
    return ENV_PREFIX + name.upper()


def flag(name: str) -> str:
    """Returns the command-line flag that sets the limit `name`."""
    return "--" + name.replace("_", "-")


def _convert(name: str, default: object, raw: str) -> int | float:
    try:
        return float(raw) if isinstance(default, float) else int(raw)
    except ValueError:
        raise ValueError(f"{env_var(name)}={raw!r} is not a number") from None


def add_limit_arguments(parser: argparse.ArgumentParser) -> None:
    """Adds one `--max-*` style flag per limit to a CLI parser (default None: keep env/default)."""
    group = parser.add_argument_group("limits", "query and request limits (also PARLEY_* env vars)")
    for f in fields(Limits):
        kind = float if isinstance(f.default, float) else int
        group.add_argument(
            flag(f.name),
            dest=f.name,
            type=kind,
            default=None,
            metavar="N",
            help=f"{f.metadata['help']} (default {f.default}, env {env_var(f.name)})",
        )
