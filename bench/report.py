"""Turns one benchmark run into bench/results/: bench.json, bench.md (tables, targets) and bench.png."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.targets import target_rows

COMMAND = "make bench  (= .venv/bin/python -m bench.run)"


def _scenario_rows(scenarios: list[dict[str, Any]]) -> list[str]:
    rows = [
        "| scenario | target | req/s | p50 ms | p99 ms | ratio to raw | server CPU ms/request "
        "| raw's CPU / its CPU | non-2xx |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in scenarios:
        raw_cpu = s["targets"].get("raw", {}).get("cpu_ms_per_request")
        for name, t in s["targets"].items():
            ratio = f"{t['ratio_to_raw']:.3f}x" if "ratio_to_raw" in t else "-"
            cpu = f"{t['cpu_ms_per_request']:.3f}" if "cpu_ms_per_request" in t else "-"
            # On a busy machine req/s follows whatever else runs; CPU per answer much less so.
            own_cpu = t.get("cpu_ms_per_request")
            by_cpu = f"{raw_cpu / own_cpu:.3f}x" if raw_cpu and own_cpu else "-"
            rows.append(
                f"| {s['scenario']} | {name} | {t['rps']:,.0f} | {t['p50_ms']:.2f} | {t['p99_ms']:.2f} "
                f"| {ratio} | {cpu} | {by_cpu} | {t['non_2xx'] + t['socket_errors']} |"
            )
    return rows


def _cpu_lines(scenarios: list[dict[str, Any]]) -> list[str]:
    """The peer's CPU per request over shipped's, per scenario: the same comparison as req/s, by CPU."""
    lines = []
    for s in scenarios:
        shipped, peer = s["targets"].get("shipped", {}), s["targets"].get("peer", {})
        if shipped.get("cpu_ms_per_request") and peer.get("cpu_ms_per_request"):
            ratio = peer["cpu_ms_per_request"] / shipped["cpu_ms_per_request"]
            lines.append(f"- {s['scenario']}: the peer spends {ratio:.2f}x shipped's CPU per request")
    return (["By server CPU per request:", "", *lines]) if lines else []


def _scale_rows(scale: list[dict[str, Any]]) -> list[str]:
    rows = [
        "| claims | server | start-up s | RSS MB (start / after) | speaker page req/s, p50, p99 ms "
        "| search req/s, p50, p99 ms (results per page) |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for size in scale:
        for name, boot in size["startup"].items():
            page = size["speaker_page"]["targets"][name]
            search = size["search"]["targets"][name]
            rows.append(
                f"| {size['claims']:,} | {name} | {boot['startup_s']:.2f} | {boot['rss_mb_at_start']:.0f} / "
                f"{boot['rss_mb_after']:.0f} "
                f"| {page['rps']:,.0f}, {page['p50_ms']:.2f}, {page['p99_ms']:.2f} "
                f"| {search['rps']:,.0f}, {search['p50_ms']:.2f}, {search['p99_ms']:.2f}"
                f" ({size['search'].get('results', '?')}) |"
            )
    return rows


def markdown(results: dict[str, Any]) -> str:
    """Returns the markdown report of a run."""
    m, s = results["machine"], results["settings"]
    lines = [
        "# parley benchmark results",
        "",
        f"Produced by `{COMMAND}` on {m['date']} at commit {m['commit']}: {m['cpus']} CPUs, "
        f"Python {m['python']}, {m['wrk']}. "
        f"Each target: {s['rounds']} timed wrk run(s) of {s['seconds']:g} s "
        f"at {s['connections']} connections (1 wrk thread) after a {s['warmup_seconds']:g} s warm-up, "
        "targets alternated round by round so they share the machine's noise; numbers are means over rounds. "
        "One uvicorn worker unless stated. Whole run: "
        f"{results.get('elapsed_s', 0):.0f} s. Load average (1, 5, 15 min) at start: "
        f"{m.get('load_average_at_start', 'not recorded')}, "
        f"at end: {m.get('load_average_at_end', 'not recorded')}"
        f" (on {m['cpus']} CPUs; above about 1, other work shared the machine and req/s figures are low).",
        "",
        "Targets: **raw** = a bare Starlette endpoint answering the same bytes, precomputed (the limit); "
        "**shipped** = `parley serve` as shipped (no flags, no PARLEY_* variables); "
        "**peer** = `bench/peer_app.py`, stock `strawberry.asgi.GraphQL` over the same schema, resolvers "
        "and context, configured as a careful user would: ParserCache, ValidationCache, QueryDepthLimiter, "
        "MaxAliasesLimiter and MaxTokensLimiter at parley's limits, MaskErrors. The peer lacks parley's "
        "cost, body-size, directive and time limits (strawberry has no extension for them), which "
        "favours the peer.",
        "Cold runs change `asOf` (a date) on every request, so no response cache can answer them. "
        "Server CPU ms/request is the server's own CPU time (all its processes, from /proc) over a timed "
        "run divided by the requests answered (- when fewer than 10 per connection came back): other "
        "load on the machine moves it far less than req/s.",
        "",
        "## Targets of the issue",
        "",
        *target_rows(results),
    ]
    if results.get("scenarios"):
        lines += [
            "",
            "## Scenarios (ratios measured in the same run)",
            "",
            *_scenario_rows(results["scenarios"]),
        ]
        lines += [""] + [
            f"- **{x['scenario']}**: {x['note']} ({x['answer_bytes']:,} bytes)" for x in results["scenarios"]
        ]
        lines += ["", *_cpu_lines(results["scenarios"])]
    if results.get("scale"):
        lines += ["", "## Scale (synthetic datasets, `parley synth`)", "", *_scale_rows(results["scale"])]
        lines += ["", f"- speaker page: {results['scale'][0]['speaker_page']['note']}"]
        lines += [f"- search: {results['scale'][0]['search']['note']}"]
        lines += [
            "- Both repeat one text (only `asOf` varies), so search's memoised candidate sets answer;",
            "  a text never searched before costs more on big datasets: see",
            "  `bench/results/profile-search-*.txt` (`python -m bench.profiles`). Start-up and RSS:",
            "  `profile-startup-*.txt`, `profile-memory-*.txt`.",
        ]
    if results.get("workers"):
        lines += ["", "## Workers (cold 20-claim query)", "", *_scenario_rows([results["workers"]])]
    return "\n".join(lines) + "\n"


def chart(results: dict[str, Any], path: Path) -> None:
    """Draws latency vs dataset size and throughput as a fraction of the limit, into one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    scale = results.get("scale") or []
    sizes = [x["claims"] for x in scale]
    for key, label in (("speaker_page", "speaker's first 20 claims"), ("search", "text search")):
        for stat, style in (("p50_ms", "-o"), ("p99_ms", "--s")):
            values = [
                x[key]["targets"]["shipped"][stat] or float("nan") for x in scale
            ]  # 0: nothing answered
            left.plot(sizes, values, style, label=f"{label} {stat.removesuffix('_ms')}")
    if scale:
        left.set_xscale("log")
        left.set_yscale("log")
    left.set_xlabel("claims in the dataset")
    left.set_ylabel("latency at 16 connections (ms)")
    left.set_title("Latency vs dataset size (shipped, cold)")
    left.legend(fontsize=8)
    left.grid(True, which="both", alpha=0.3)
    scenarios = [x for x in results.get("scenarios", []) if "raw" in x["targets"]]
    names = ["peer", "shipped"]
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        placed = [
            (j, x["targets"][name]["ratio_to_raw"]) for j, x in enumerate(scenarios) if name in x["targets"]
        ]
        if placed:
            bars = right.bar([j + i * width for j, _ in placed], [r for _, r in placed], width, label=name)
            right.bar_label(bars, labels=[f"{r:.2f}" for _, r in placed], fontsize=6)
    centre = width * (len(names) - 1) / 2
    right.set_xticks([j + centre for j in range(len(scenarios))], [x["scenario"] for x in scenarios])
    right.set_yscale("log")
    right.axhline(1.0, color="black", linewidth=0.8)
    right.set_ylabel("throughput / raw Starlette limit")
    right.set_title("Throughput vs the limit (same run)")
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_reports(results: dict[str, Any], out: Path) -> list[Path]:
    """Writes bench.json, bench.md and bench.png into `out`; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path, png_path = out / "bench.json", out / "bench.md", out / "bench.png"
    json_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(markdown(results), encoding="utf-8")
    chart(results, png_path)
    return [json_path, md_path, png_path]
