"""The `parley` command: build the snapshot, serve the API (uvicorn through api/server.py's protocol,
a bounded graceful shutdown), check the fixtures, anchor selectors, add sources, report coverage,
export the SDL.

Manners: a user's mistake (a bad path, a bad value) is one line on stderr and exit 2, never a traceback;
`--log-level` (or PARLEY_LOG_LEVEL) sets the level of parley's own log lines, on stderr; `serve` says
where the API, playground and home page are and what it loaded; `synth` draws a progress bar (rich).
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from api.locations import DEFAULT_FIXTURES, DEFAULT_SEEDS, DEFAULT_SNAPSHOT
from api.server import HTTP_PROTOCOL, LOG_DATE_FORMAT, LOG_FORMAT, WORKER_HEALTHCHECK_SECONDS, log_config
from api.settings import Limits, ServerSettings, add_limit_arguments, add_server_arguments

APP_FACTORY = "api.cli:app_from_environment"
_FIXTURES_ENV = "PARLEY_FIXTURES"
_SEEDS_ENV = "PARLEY_SEEDS"
_PERSISTED_ONLY_ENV = "PARLEY_PERSISTED_ONLY"
_LOG_LEVEL_ENV = "PARLEY_LOG_LEVEL"
LOG_LEVELS = ("debug", "info", "warning", "error")
logger = logging.getLogger("parley")


def configure_logging(level: str) -> None:
    """Sends parley's log lines (the `parley.*` loggers) to stderr at `level`; other libraries stay quiet."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT, datefmt=LOG_DATE_FORMAT))
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


def startup_line(dataset: Any, host: str, port: int) -> str:
    """The line `serve` logs before it listens: the URLs of the API, playground and home, and the counts."""
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{port}"
    from schema.model.catalogue import CITATIONS, CLAIMS, PEOPLE, SOURCES

    counts = dataset.counts()
    loaded = ", ".join(f"{counts[e.stem]:,} {e.stem}" for e in (CLAIMS, CITATIONS, SOURCES, PEOPLE))
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


_FORWARDED_ENV = "PARLEY_FORWARDED_ALLOW_IPS"


def _port(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a TCP port (1-65535)")
    return int(raw)


def _fd(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 3:
        raise argparse.ArgumentTypeError(f"{raw!r} is not an inherited file descriptor (3 or more)")
    return int(raw)


def listening_socket(host: str, port: int, fd: int | None) -> socket.socket:
    """Binds host:port (or adopts the bound TCP socket inherited as `fd`) before anything is announced.

    A port another process holds is a UserError (one line, exit 2), found before the snapshot is built
    or opened; the socket listens only once uvicorn serves it, so a client is refused, not kept waiting,
    while the snapshot is checked. A parent that binds the socket itself and passes it as `--fd`
    (a test harness, a socket-activating supervisor) cannot lose the port between choosing and serving.
    """
    if fd is not None:
        try:
            sock = socket.socket(fileno=fd)
        except OSError as error:
            raise UserError(f"--fd {fd}: not an open socket ({error.strerror or error})") from None
        if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.type != socket.SOCK_STREAM:
            sock.detach()
            raise UserError(f"--fd {fd}: not a TCP socket")
        if sock.getsockname()[1] == 0:
            sock.detach()
            raise UserError(f"--fd {fd}: the socket is not bound to an address")
        sock.set_inheritable(True)
        return sock
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        shown = f"[{host}]" if ":" in host else host
        raise UserError(f"cannot listen on {shown}:{port}: {error.strerror or error}") from None
    sock.set_inheritable(True)  # for the worker processes
    return sock


def _workers(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a number of worker processes (1 or more)")
    return int(raw)


class _OneLineErrors(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr, exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")
_SNAPSHOT_ENV = "PARLEY_SNAPSHOT"
# cli imports no app module at the top: serve hashes the inputs in a thread while they are imported.


def _data_dirs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES, help="fixtures directory")
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="seed texts directory")


def _snapshot_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--snapshot", type=Path, default=DEFAULT_SNAPSHOT, help=f"snapshot file (default {DEFAULT_SNAPSHOT})"
    )


def app_from_environment() -> object:
    """uvicorn factory for worker processes: the app over the snapshot and directories in the
    environment. Each worker checks the snapshot against the files (building it if it is stale) and
    serves from it: the workers share the one file.
    """
    from api.http.app import create_app
    from schema.store.reader import close_on_sigterm

    close_on_sigterm()  # a worker's link to the snapshot goes with it
    return create_app(
        fixtures_dir=Path(os.environ.get(_FIXTURES_ENV, DEFAULT_FIXTURES)),
        seeds_dir=Path(os.environ.get(_SEEDS_ENV, DEFAULT_SEEDS)),
        persisted_only=os.environ.get(_PERSISTED_ONLY_ENV) == "1",
        snapshot=Path(os.environ.get(_SNAPSHOT_ENV, DEFAULT_SNAPSHOT)),
    )


STEP_SHOWN_SECONDS = 1.0
"""A build step shorter than this prints no progress line when stderr is not a terminal."""


def build_progress() -> Callable[[str, int, int], None]:
    """Returns a progress callback for snapshot builds: a rich progress bar on a terminal, else lines."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        # One line per finished step that took a noticeable time (STEP_SHOWN_SECONDS or more), with its
        # time: a log shows where a slow build went, and a quick one stays quiet. A refused build
        # prints only the loader's report.
        current: list[Any] = [None, time.perf_counter()]

        def lines(step: str, done: int, total: int) -> None:
            if step != current[0]:
                now = time.perf_counter()
                if current[0] is not None and now - current[1] >= STEP_SHOWN_SECONDS:
                    line = f"parley build: {current[0]}: {now - current[1]:.1f} s"
                    print(line, file=sys.stderr, flush=True)
                current[:] = [step, now]

        return lines
    # Redrawn on each update, not by rich's refresh thread: a build forks, which wants no other thread.
    bar = Progress(
        TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, auto_refresh=False,
    )
    tasks: dict[str, Any] = {}

    def update(step: str, done: int, total: int) -> None:
        if step not in tasks:
            for task in tasks.values():
                bar.update(task, completed=bar.tasks[task].total or 1, total=bar.tasks[task].total or 1)
            if not tasks:
                bar.start()
            tasks[step] = bar.add_task(step, total=total or None)
        bar.update(tasks[step], completed=done, total=total or None, refresh=True)
        if step == "done":
            bar.stop()

    return update


def _hash_inputs(fixtures: Path, seeds: Path, snapshot: Path) -> Callable[[], Mapping[str, str]]:
    """Starts hashing the input files in a thread (hashlib releases the GIL); returns a join.

    Hashes of files unchanged since they were last hashed come from the snapshot's hash cache.
    """
    from schema.store.snapshot import hash_cache_for, input_hashes

    found: dict[str, Any] = {}

    def work() -> None:
        try:
            found["hashes"] = input_hashes(fixtures, seeds, cache=hash_cache_for(snapshot))
        except OSError as error:
            found["error"] = error

    thread = threading.Thread(target=work, name="parley-hash-inputs", daemon=True)
    thread.start()

    def join() -> Mapping[str, str]:
        thread.join()
        if "error" in found:
            raise found["error"]
        hashes: Mapping[str, str] = found["hashes"]
        return hashes

    return join


def build(argv: Sequence[str] | None = None) -> int:
    """Loads and verifies the fixtures and seeds, then writes the snapshot servers read."""
    parser = argparse.ArgumentParser(
        prog="parley build",
        description="Verify the fixtures and seeds (every check `parley validate` runs) and write the "
        "SQLite snapshot `parley serve` reads.",
    )
    _data_dirs(parser)
    _snapshot_argument(parser)
    args = parser.parse_args(argv)

    from api.http.app import SNAPSHOT_WRITERS, snapshot_code
    from schema.load.loader import FixtureError
    from schema.store.reader import SnapshotError
    from schema.store.snapshot import build_snapshot

    began = time.perf_counter()
    try:
        build_snapshot(
            args.snapshot, args.fixtures, args.seeds,
            code=snapshot_code(),
            extra=SNAPSHOT_WRITERS,
            progress=build_progress(),
        )
    except FixtureError as error:
        print(f"parley build: not written, the fixtures are invalid:\n{error}", file=sys.stderr)
        return 1
    except (SnapshotError, OSError) as error:
        print(f"parley build: {error}", file=sys.stderr)
        return 1
    size = args.snapshot.stat().st_size
    print(f"wrote {args.snapshot} ({size:,} bytes) in {time.perf_counter() - began:.1f} s")
    return 0


def serve(argv: Sequence[str] | None = None) -> int:
    """Checks the fixtures, then serves the API with uvicorn; 1 (and the report) if they are invalid."""
    parser = _OneLineErrors(prog="parley serve", description="Serve the GraphQL API over HTTP.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=_port, default=8000, help="port to listen on (default 8000)"
    )
    parser.add_argument(
        "--fd",
        type=_fd,
        default=None,
        help="serve on this inherited, bound TCP socket instead of binding --host and --port",
    )
    parser.add_argument("--workers", type=_workers, default=1, help="worker processes (default 1)")
    parser.add_argument(
        "--forwarded-allow-ips",
        default=None,
        metavar="IPS",
        help="comma-separated addresses of reverse proxies whose X-Forwarded-For/-Proto are trusted "
        f"(default: none, the headers are ignored; env {_FORWARDED_ENV})",
    )
    parser.add_argument(
        "--persisted-only",
        action="store_true",
        help="run only the registered example queries (trusted documents), by persisted-query hash or text",
    )
    _data_dirs(parser)
    _snapshot_argument(parser)
    add_limit_arguments(parser)
    add_server_arguments(parser)
    args = parser.parse_args(argv)
    sock = listening_socket(args.host, args.port, args.fd)
    host, port = sock.getsockname()[:2]
    # Hashing (or, for unchanged files, stat-ing) the inputs runs while the app's modules are imported.
    hashes = _hash_inputs(args.fixtures, args.seeds, args.snapshot)

    import uvicorn

    from api.http.app import create_app, open_snapshot
    from schema.load.loader import FixtureError
    from schema.store.reader import SnapshotError, close_on_sigterm

    try:
        limits = Limits.from_env().with_args(args)
        settings = ServerSettings.from_env().with_args(args)
    except ValueError as error:
        parser.error(str(error))
    forwarded = args.forwarded_allow_ips
    if forwarded is None:
        forwarded = os.environ.get(_FORWARDED_ENV, "")
    forwarded = ",".join(part.strip() for part in forwarded.split(",") if part.strip())
    app: Any = None
    dataset: Any = None
    close_on_sigterm()  # the snapshot's link goes when the server stops
    try:
        dataset, reasons = open_snapshot(
            args.snapshot, args.fixtures, args.seeds, hashes=hashes(), progress=build_progress()
        )
        if reasons:
            print(f"parley serve: built {args.snapshot} ({'; '.join(reasons)})", file=sys.stderr)
        if args.workers == 1:
            app = create_app(dataset, limits=limits, persisted_only=args.persisted_only)
    except FixtureError as error:
        print(f"parley serve: refusing to start, the fixtures are invalid:\n{error}", file=sys.stderr)
        return 1
    except (SnapshotError, OSError) as error:
        print(f"parley serve: refusing to start: {error}", file=sys.stderr)
        return 1
    # The protocol (here and in every worker) reads the server settings and max_body_bytes from these.
    os.environ.update(limits.as_env())
    os.environ.update(settings.as_env())
    server: dict[str, Any] = {
        "host": host,
        "port": port,
        "http": HTTP_PROTOCOL,
        "proxy_headers": bool(forwarded),
        "forwarded_allow_ips": forwarded or None,
        "timeout_keep_alive": settings.keep_alive_timeout,
        "timeout_graceful_shutdown": settings.shutdown_timeout,
        "log_config": log_config(settings.log_query_chars),
        "log_level": logger.getEffectiveLevel(),
    }
    if args.workers > 1:
        # Each worker process opens (and checks) the snapshot itself.
        os.environ[_FIXTURES_ENV] = str(args.fixtures.resolve())
        os.environ[_SEEDS_ENV] = str(args.seeds.resolve())
        os.environ[_SNAPSHOT_ENV] = str(args.snapshot.resolve())
        os.environ[_PERSISTED_ONLY_ENV] = "1" if args.persisted_only else ""
        loaded = app.state.dataset if app is not None else dataset
        config = uvicorn.Config(
            APP_FACTORY,
            factory=True,
            workers=args.workers,
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
            **server,
        )
        sock.listen(config.backlog)
        logger.info("%s (%d workers)", startup_line(loaded, host, port), args.workers)
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[sock]).run()
        return 0
    # uvicorn serves the socket bound above (uvicorn.run would bind another and announce it first).
    config = uvicorn.Config(app, **server)
    config.load()
    uvicorn_server = uvicorn.Server(config)
    sock.listen(config.backlog)  # connections wait in the backlog from here: the address is announced
    logger.info("%s", startup_line(app.state.dataset, host, port))
    uvicorn_server.run(sockets=[sock])
    return 0 if uvicorn_server.started else 3


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
    fixtures, seeds = _working_data()
    return ["--fixtures", str(fixtures), "--seeds", str(seeds), *given]


def _working_data() -> tuple[Path, Path]:
    """The working copy's fixtures/ and seeds/ when the current directory has them, else the
    installed data."""
    here = Path.cwd()
    if (here / "fixtures" / "datapackage.json").is_file() and (here / "seeds").is_dir():
        return here / "fixtures", here / "seeds"
    return DEFAULT_FIXTURES, DEFAULT_SEEDS


class _VersionAction(argparse.Action):
    """`--version`: both versions, labelled (api.version.versions_line), read only when asked for."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault("help", "show the software's and the dataset's versions and exit")
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> NoReturn:
        from api.version import versions_line

        print(versions_line(_working_data()[0]))
        parser.exit()


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


def diff(argv: Sequence[str] | None = None) -> int:
    """Lists the records added, removed and changed between two versions of the fixtures."""
    from schema.commands import diff as run

    return run(argv, prog="parley diff")


def propose(argv: Sequence[str] | None = None) -> int:
    """Drafts claims and citations from a source's text for a curator to review (see _with_data_dirs)."""
    from schema.commands import propose_command as run

    return run(_with_data_dirs(argv), prog="parley propose")


def synth(argv: Sequence[str] | None = None) -> int:
    """Writes a synthetic dataset (seeds and fixtures, marked synthetic) for benchmarks."""
    from api.synth.generator import STAGES
    from api.synth.generator import main as run

    with progress_bar(len(STAGES) + 1) as step:
        return run(argv, prog="parley synth", progress=step)


COMMANDS = {
    "build": (build, "verify the fixtures and write the SQLite snapshot (default build/parley.db)"),
    "serve": (serve, "serve the GraphQL API, playground and downloads"),
    "validate": (validate, "check the fixtures against the models and the seed texts"),
    "coverage": (coverage, "report seed text no record cites"),
    "anchor": (anchor, "fill in or repair every selector's prefix, suffix, start and end from its words"),
    "add-source": (add_source, "add a new article to seeds/ with a source record (FILE [--outlet ID])"),
    "diff": (diff, "list records added, removed and changed between two versions (OLD NEW [--json])"),
    "propose": (propose, "draft claims and citations from a source's text for review (SOURCE_ID [--json])"),
    "export-schema": (export_schema, "write the GraphQL SDL to schema/schema.graphql"),
    "synth": (synth, "write a synthetic dataset of N claims for benchmarks (--claims N --out DIR)"),
}


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
    parser.add_argument("--version", action=_VersionAction)
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
