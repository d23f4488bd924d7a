"""The `parley` command: serve the API, check the fixtures, report coverage, export the SDL.

Manners: a user's mistake (a bad path, a bad value) is one line on stderr and exit 2, never a traceback;
`--log-level` (or PARLEY_LOG_LEVEL) sets the level of parley's own log lines, on stderr; `serve` says
where the API, playground and home page are and what it loaded; `synth` draws a progress bar (rich).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from api.locations import DEFAULT_FIXTURES, DEFAULT_SEEDS
from api.settings import Limits, add_limit_arguments

APP_FACTORY = "api.cli:app_from_environment"
_FIXTURES_ENV = "PARLEY_FIXTURES"
_SEEDS_ENV = "PARLEY_SEEDS"
_PERSISTED_ONLY_ENV = "PARLEY_PERSISTED_ONLY"
_LOG_LEVEL_ENV = "PARLEY_LOG_LEVEL"
LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
logger = logging.getLogger("parley")


def configure_logging(level: str) -> None:
    """Sends parley's log lines (the `parley.*` loggers) to stderr at `level`; other libraries stay quiet."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT, datefmt="%H:%M:%S"))
    logger.handlers[:] = [handler]
    logger.setLevel(level.upper())
    logger.propagate = False


def _pop_log_level(args: list[str]) -> str:
    """Takes the command line; removes `--log-level LEVEL` (anywhere) and returns the level to use."""
    level = os.environ.get(_LOG_LEVEL_ENV, "info").lower()
    for i, arg in enumerate(args):
        if arg == "--log-level" or arg.startswith("--log-level="):
            value = arg.partition("=")[2] if "=" in arg else (args[i + 1] if i + 1 < len(args) else "")
            del args[i : i + (1 if "=" in arg else 2)]
            level = value.lower()
            break
    if level not in LOG_LEVELS:
        raise UserError(f"--log-level must be one of {', '.join(LOG_LEVELS)}, not {level!r}")
    return level


class UserError(Exception):
    """A mistake in what the user asked for: reported as one line, exit 2."""


def startup_line(app: Any, host: str, port: int) -> str:
    """The line `serve` logs before it listens: the URLs of the API, playground and home, and the counts."""
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{port}"
    counts = app.state.dataset.counts()
    loaded = ", ".join(f"{counts[k]:,} {k}" for k in ("claims", "citations", "sources", "people"))
    return (
        f"loaded {loaded}; API {base}/graphql · playground {base}/playground · home {base}/"
    )


@contextmanager
def progress_bar(total: int, *, enabled: bool | None = None) -> Iterator[Callable[[str], None]]:
    """Yields `step(description)`: each call completes the previous step and names the next (rich bar).

    Drawn on stderr when it is a terminal (or `enabled=True`); otherwise each step is a log line.
    """
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    draw = sys.stderr.isatty() if enabled is None else enabled
    if not draw:
        yield lambda description: logger.info("%s…", description)
        return
    columns = (TextColumn("{task.description:<22}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
               TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True, force_terminal=enabled)) as bar:
        task = bar.add_task("starting", total=total)
        started = False

        def step(description: str) -> None:
            nonlocal started
            bar.update(task, description=description, advance=1 if started else 0)
            started = True

        yield step
        bar.update(task, description="done", completed=total)


def _data_dirs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES, help="fixtures directory")
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="seed texts directory")


def app_from_environment() -> object:
    """uvicorn factory for worker processes: builds the app from the directories in the environment."""
    import os

    from api.http.app import create_app

    return create_app(
        fixtures_dir=Path(os.environ.get(_FIXTURES_ENV, DEFAULT_FIXTURES)),
        seeds_dir=Path(os.environ.get(_SEEDS_ENV, DEFAULT_SEEDS)),
        persisted_only=os.environ.get(_PERSISTED_ONLY_ENV) == "1",
    )


def serve(argv: Sequence[str] | None = None) -> int:
    """Checks the fixtures, then serves the API with uvicorn; 1 (and the report) if they are invalid."""
    parser = argparse.ArgumentParser(prog="parley serve", description="Serve the GraphQL API over HTTP.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument(
        "--persisted-only",
        action="store_true",
        help="run only the registered example queries (trusted documents), by persisted-query hash or text",
    )
    _data_dirs(parser)
    add_limit_arguments(parser)
    args = parser.parse_args(argv)

    import os

    import uvicorn

    from api.http.app import create_app
    from schema.loader import FixtureError

    try:
        limits = Limits.from_env().with_args(args)
    except ValueError as error:
        parser.error(str(error))
    try:
        app = create_app(
            fixtures_dir=args.fixtures,
            seeds_dir=args.seeds,
            limits=limits,
            persisted_only=args.persisted_only,
        )
    except FixtureError as error:
        print(f"parley serve: refusing to start, the fixtures are invalid:\n{error}", file=sys.stderr)
        return 1
    if args.workers > 1:
        # Each worker process loads (and checks) the dataset itself, from the same directories.
        os.environ[_FIXTURES_ENV] = str(args.fixtures.resolve())
        os.environ[_SEEDS_ENV] = str(args.seeds.resolve())
        os.environ.update(limits.as_env())
        os.environ[_PERSISTED_ONLY_ENV] = "1" if args.persisted_only else ""
        logger.info("%s (%d workers)", startup_line(app, args.host, args.port), args.workers)
        uvicorn.run(
            APP_FACTORY,
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=logger.getEffectiveLevel(),
        )
    else:
        logger.info("%s", startup_line(app, args.host, args.port))
        uvicorn.run(app, host=args.host, port=args.port, log_level=logger.getEffectiveLevel())
    return 0


def export_schema(argv: Sequence[str] | None = None) -> int:
    """Writes the GraphQL SDL (default schema/schema.graphql), or prints it with `-`."""
    from api.graph.schema import SDL_PATH, print_sdl

    parser = argparse.ArgumentParser(
        prog="parley export-schema", description="Write the GraphQL schema (SDL) the API serves."
    )
    parser.add_argument("output", nargs="?", default=str(SDL_PATH), help="file to write, or - for stdout")
    args = parser.parse_args(argv)
    sdl = print_sdl()
    if args.output == "-":
        sys.stdout.write(sdl)
    else:
        try:
            Path(args.output).write_text(sdl, encoding="utf-8")
        except OSError as error:
            raise UserError(f"cannot write {args.output}: {error.strerror or error}") from None
        print(f"wrote {args.output}")
    return 0


def _with_data_dirs(argv: Sequence[str] | None) -> list[str]:
    """Puts the default data directories first, so `--fixtures`/`--seeds` given later still win.

    The default is the working copy in the current directory (`fixtures/` with its datapackage.json,
    and `seeds/`), as a curator editing fixtures expects; anywhere else, the installed data.
    """
    given = [] if argv is None else list(argv)
    here = Path.cwd()
    if (here / "fixtures" / "datapackage.json").is_file() and (here / "seeds").is_dir():
        fixtures, seeds = here / "fixtures", here / "seeds"
    else:
        fixtures, seeds = DEFAULT_FIXTURES, DEFAULT_SEEDS
    return ["--fixtures", str(fixtures), "--seeds", str(seeds), *given]


def validate(argv: Sequence[str] | None = None) -> int:
    """Loads and checks every fixture record, reference and selector (see _with_data_dirs)."""
    from schema.commands import validate as run

    return run(_with_data_dirs(argv), prog="parley validate")


def coverage(argv: Sequence[str] | None = None) -> int:
    """Reports which parts of the seed texts no record cites (see _with_data_dirs)."""
    from schema.commands import coverage as run

    return run(_with_data_dirs(argv), prog="parley coverage")


def anchor(argv: Sequence[str] | None = None) -> int:
    """Computes every selector's prefix, suffix, start and end from its source and exact words."""
    from schema.commands import anchor as run

    return run(argv, prog="parley anchor")


def add_source(argv: Sequence[str] | None = None) -> int:
    """Adds a new article: seed file, manifest line and source record; prints the next steps."""
    from schema.commands import add_source_command as run

    return run(argv, prog="parley add-source")


def synth(argv: Sequence[str] | None = None) -> int:
    """Writes a synthetic dataset (seeds and fixtures, marked synthetic) for benchmarks."""
    from schema.synth import STAGES
    from schema.synth import main as run

    with progress_bar(len(STAGES) + 1) as step:
        return run(argv, prog="parley synth", progress=step)


COMMANDS = {
    "serve": (serve, "serve the GraphQL API, playground and downloads"),
    "validate": (validate, "check the fixtures against the models and the seed texts"),
    "coverage": (coverage, "report seed text no record cites"),
    "anchor": (anchor, "fill in or repair every selector's prefix, suffix, start and end from its words"),
    "add-source": (add_source, "add a new article to seeds/ with a source record (FILE [--outlet ID])"),
    "export-schema": (export_schema, "write the GraphQL SDL to schema/schema.graphql"),
    "synth": (synth, "write a synthetic dataset of N claims for benchmarks (--claims N --out DIR)"),
}


def version() -> str:
    """Returns the installed distribution's version (the one in pyproject.toml)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return installed_version("parley")
    except PackageNotFoundError:  # imported from a source tree that was never installed
        return "unknown (not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `parley` console script; returns the exit code (2 without a command).

    A UserError or an OSError (a path that cannot be read or written) is one line on stderr and exit 2;
    Ctrl-C is exit 130 without a traceback.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args and args[0] in COMMANDS else None
    prog = f"parley {command}" if command else "parley"
    try:
        configure_logging(_pop_log_level(args))
        return _dispatch(args)
    except UserError as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        where = f" {error.filename}" if error.filename else ""
        print(f"{prog}: cannot use{where}: {error.strerror or error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130


def _dispatch(args: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="parley",
        description="Who said what in the June 2025 US-China London trade talks, served as GraphQL.",
        epilog="Every command also takes --log-level {debug,info,warning,error} (default info, "
        f"or ${_LOG_LEVEL_ENV}) for parley's own log lines on stderr.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    if not args:
        # No command is a usage error: the help goes to stderr and the exit code says so.
        parser.print_help(sys.stderr)
        return 2
    if args[0] not in COMMANDS:
        parser.parse_args(args)  # --help, --version, or a usage error naming the unknown command
        return 2
    run, _ = COMMANDS[args[0]]
    return run(args[1:])


if __name__ == "__main__":
    sys.exit(main())
