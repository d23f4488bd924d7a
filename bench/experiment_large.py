"""What the fixes proposed for the "large" scenario would save: an experiment, not a product setting.

Run: .venv/bin/python -m bench.experiment_large [--requests 40]

Sends the large request (1,000 claims, bench/queries.py: LARGE, `asOf` varying) into parley's app
in-process and serially (bench/profiles.py: InProcess), and reports the CPU time per request (the
process's, all threads: steadier than wall time on a shared machine) as shipped, then with each
proposed fix added in turn, by patching the engine of this commit in this process only:

  (b) no 20 ms inline attempt that is thrown away when it runs out: the request runs once, on the loop
  (a) field arguments that use variables (`citations(asOf: $asOf)`) coerced once per request and
      field, not once per parent object
  (c) a source's last possible publication day (`PartialDate.latest`) computed once per value
  (d) global ids and cursors computed once per value
  (e) per record, the completed values of the fields whose selection uses no variable, kept with
      the document's plan (the data is immutable)

It checks that every step gives the same answer as shipped. It patches internals of api/engine/ as
they are at the commit it was written for (e15f37f); when those are gone it says so and stops.
Writes bench/results/experiment-large-1000.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from bench import queries as q
from bench.profiles import InProcess
from bench.run import synth_dataset
from bench.servers import REPO

RESULTS = REPO / "bench" / "results"
_days = itertools.count(1)


def _request(client: InProcess, query: str) -> bytes:
    day = str(dt.date(2030, 1, 1) + dt.timedelta(days=next(_days)))
    status, body = client.post({"query": query, "variables": {"asOf": day}})
    if status != 200 or body.startswith(b'{"errors"'):
        raise RuntimeError(f"the large request failed: {status} {body[:300]!r}")
    return body


def _cpu_ms(client: InProcess, query: str, requests: int) -> tuple[float, float]:
    """Returns (CPU ms, wall ms) per request: the best of three batches, after three warm-ups."""
    for _ in range(3):
        _request(client, query)
    cpu, wall = [], []
    for _ in range(3):
        began_cpu, began_wall = time.process_time(), time.perf_counter()
        for _ in range(requests):
            _request(client, query)
        cpu.append((time.process_time() - began_cpu) / requests * 1000)
        wall.append((time.perf_counter() - began_wall) / requests * 1000)
    return min(cpu), min(wall)


def _deterministic_profile(client: InProcess, query: str, requests: int = 20) -> list[str]:
    """cProfile of `requests` large requests, all run on this thread: own time by layer and function."""
    import cProfile
    import io
    import pstats

    from bench.profile_large import layer

    _request(client, query)
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(requests):
        _request(client, query)
    profile.disable()
    stats = pstats.Stats(profile, stream=io.StringIO())
    rows: list[tuple[float, str, int]] = []
    inclusive: dict[str, float] = {}
    for (file, line, name), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        if name in ("check_cost", "_miss") or "orjson" in name or (name == "serialize" and "engine" in file):
            label = f"{name} ({file.split('site-packages/')[-1].replace(str(REPO) + '/', '')})"
            inclusive[label] = inclusive.get(label, 0.0) + cumulative
        where = file.split("site-packages/")[-1].replace(str(REPO) + "/", "")
        rows.append((own, f"{name} ({where}:{line})", calls))
    total = sum(r[0] for r in rows)
    layers: dict[str, float] = {}
    for own, frame, _ in rows:
        key = layer(frame) if not frame.startswith("<built-in") and "{" not in frame else "C functions"
        layers[key] = layers.get(key, 0.0) + own
    out = [
        f"cProfile, {requests} requests as after (b), all on one thread: {total / requests * 1000:.1f} ms "
        "per request under the profiler (its overhead included); own time by layer:"
    ]
    out += [f"  {100 * t / total:5.1f}%  {name}" for name, t in sorted(layers.items(), key=lambda x: -x[1])]
    out += ["inclusive time: the whole app (_miss), the cost check, the JSON serialisation (orjson):"]
    out += [
        f"  {100 * t / total:5.1f}%  {name}" for name, t in sorted(inclusive.items(), key=lambda x: -x[1])
    ]
    out += ["own time by function (top 30), calls per request:"]
    for own, frame, calls in sorted(rows, reverse=True)[:30]:
        out.append(f"  {100 * own / total:5.1f}%  {calls / requests:8.0f}  {frame}")
    return out


def _patches() -> list[tuple[str, Callable[[], None]]]:
    """The proposed fixes, each as a patch of this process's engine (cumulative, in order)."""
    from graphql import GraphQLObjectType

    import api.engine.compiled as compiled
    import api.engine.fast_pipeline as fast_pipeline
    import api.engine.plan_fields as plan_fields
    import api.graph.relay as relay
    import schema.values as values

    def run_once() -> None:
        fast_pipeline.INLINE_SECONDS = 3600.0  # never runs out: no second run in the thread pool

    def arguments_once() -> None:
        caller = plan_fields.PlannedField._caller
        memo: dict[int, tuple[Any, dict[int, dict[str, Any]]]] = {}

        def once_per_run(self: Any) -> Any:
            definition, node, resolve = self.definition, self.nodes[0], self.definition.resolve
            if not (
                definition.args
                and plan_fields._has_variables(node)
                and resolve in plan_fields.DIRECT_RESOLVERS
            ):
                return caller(self)

            def call(source: Any, run: Any) -> Any:
                held = memo.get(id(run))
                if held is None or held[0] is not run:
                    memo.clear()  # one run at a time here
                    held = memo[id(run)] = (run, {})
                args = held[1].get(id(self))
                if args is None:
                    coerced = plan_fields.get_argument_values(definition, node, run.variables)
                    args = held[1][id(self)] = coerced
                return resolve(source, run, **args)

            return call

        plan_fields.PlannedField._caller = once_per_run  # type: ignore[method-assign]

    def latest_once() -> None:
        latest, memo = values.PartialDate.latest, {}

        def once(self: Any) -> Any:
            hit = memo.get(id(self))
            if hit is None or hit[0] is not self:
                hit = memo[id(self)] = (self, latest(self))
            return hit[1]

        values.PartialDate.latest = once  # type: ignore[method-assign]

    def ids_once() -> None:
        from functools import lru_cache

        relay.encode_global_id = lru_cache(maxsize=None)(relay.encode_global_id)
        relay.encode_cursor = lru_cache(maxsize=None)(relay.encode_cursor)

    def static_fields_once() -> None:
        nullable = compiled.Plan._nullable

        def memoised(self: Any, kind: Any, subsets: Any) -> Any:
            if not isinstance(kind, GraphQLObjectType):
                return nullable(self, kind, subsets)
            fields = self.fields_of(kind, subsets)
            fixed = [not any(plan_fields._has_variables(n) for n in f.nodes) for f in fields]
            memo: dict[int, tuple[Any, dict[str, Any]]] = {}

            def complete(value: Any, run: Any) -> Any:
                record = getattr(value, "record", None)
                if record is None:
                    return plan_fields.complete_object(fields, value, run)
                hit = memo.get(id(record))
                if hit is None or hit[0] is not record:
                    hit = memo[id(record)] = (record, {})
                known, out = hit[1], {}
                for field, constant in zip(fields, fixed, strict=True):
                    if constant and field.key in known:
                        out[field.key] = known[field.key]
                        continue
                    out[field.key] = field.complete(field.call(value, run), run)
                    if constant:
                        known[field.key] = out[field.key]
                return out

            return complete

        compiled.Plan._nullable = memoised  # type: ignore[method-assign]

    return [
        ("(b) runs once, on the loop (no thrown-away 20 ms inline attempt)", run_once),
        ("(a) + variable arguments coerced once per request and field", arguments_once),
        ("(c) + PartialDate.latest once per value", latest_once),
        ("(d) + global ids and cursors once per value", ids_once),
        ("(e) + per record, variable-free fields completed once per plan", static_fields_once),
    ]


def main(argv: list[str] | None = None) -> int:
    """Writes experiment-large-1000.txt; returns 0 (1 when this engine has not the patched parts)."""
    parser = argparse.ArgumentParser(prog="python -m bench.experiment_large", description=__doc__)
    parser.add_argument("--requests", type=int, default=40, help="requests per timed batch")
    args = parser.parse_args(argv)
    try:
        patches = _patches()
    except (ImportError, AttributeError) as error:
        print(f"bench.experiment_large: this engine has not the parts it patches ({error}); nothing to do")
        return 1
    from api.http.app import create_app

    fixtures, seeds = synth_dataset(1000, Path("/tmp/parley-bench-data"))
    client = InProcess(create_app(fixtures_dir=fixtures, seeds_dir=seeds))
    reference = orjson.loads(_request(client, q.LARGE))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    lines = [
        f"The large request (1,000 claims, synth 1k), serial, in-process, at commit {commit.stdout.strip()}:",
        f"CPU (and wall) ms per request, best of 3 batches of {args.requests}; "
        "each step adds to the one before.",
        "Command: .venv/bin/python -m bench.experiment_large " + " ".join(argv or []),
        "",
    ]
    cpu, wall = _cpu_ms(client, q.LARGE, args.requests)
    shipped = cpu
    lines.append(f"{cpu:7.1f} CPU ms ({wall:6.1f} wall)  1.00x  as shipped")
    print(lines[-1], flush=True)
    for step, (label, patch) in enumerate(patches, 1):
        try:
            patch()
        except AttributeError as error:
            print(f"bench.experiment_large: this engine has not the parts {label} patches ({error})")
            return 1
        if step == 2:  # after (b) every request runs on this thread, where cProfile sees all of it
            lines += ["", *_deterministic_profile(client, q.LARGE + "\n"), ""]
        query = q.LARGE + "\n" * step  # a new document, so the patched plan code compiles it anew
        same = orjson.loads(_request(client, query)) == reference
        cpu, wall = _cpu_ms(client, query, args.requests)
        lines.append(
            f"{cpu:7.1f} CPU ms ({wall:6.1f} wall)  {shipped / cpu:4.2f}x  {label}"
            + ("" if same else "  ** ANSWER DIFFERS **")
        )
        print(lines[-1], flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "experiment-large-1000.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
