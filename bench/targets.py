"""The issue's targets, checked against one run's numbers: a markdown table of met / missed (no asserts)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Check = tuple[str, str, Callable[[dict[str, Any]], tuple[float, float, bool]]]


def _scenario(results: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in results.get("scenarios", []) if s["scenario"] == name)["targets"]
    return found


def _per_request_ms(target: dict[str, Any]) -> float:
    """Mean time one request occupies the single worker: the inverse of its throughput."""
    return 1000.0 / float(target["rps"])


def _scale_ratio(results: dict[str, Any], key: str) -> tuple[float, float, bool]:
    scale = results["scale"]
    small, large = scale[0][key]["targets"]["shipped"], scale[-1][key]["targets"]["shipped"]
    ratio = _per_request_ms(large) / _per_request_ms(small)
    return ratio, 1.2, ratio <= 1.2


def _largest_startup(results: dict[str, Any], key: str) -> dict[str, Any]:
    startup: dict[str, Any] = results["scale"][-1]["startup"]["shipped"]
    return startup


LARGE_TODAY = 0.008
"""The large scenario's ratio to raw before this work (0.004-0.008x over earlier runs; the highest)."""


def _vs_peer(results: dict[str, Any], scenario: str) -> tuple[float, float, bool]:
    targets = _scenario(results, scenario)
    ratio = float(targets["shipped"]["rps"]) / float(targets["peer"]["rps"])
    return ratio, 3.0, ratio >= 3.0


CHECKS: list[Check] = [
    (
        "cold 20-claim query >= 0.15x raw",
        "x",
        lambda r: (v := _scenario(r, "cold")["shipped"]["ratio_to_raw"], 0.15, v >= 0.15),
    ),
    (
        "warm 20-claim query >= 1.0x raw",
        "x",
        lambda r: (v := _scenario(r, "warm")["shipped"]["ratio_to_raw"], 1.0, v >= 1.0),
    ),
    ("cold: shipped >= 3x the stock-strawberry peer", "x", lambda r: _vs_peer(r, "cold")),
    (
        f"large (1,000 claims) >= 3x its ratio before ({LARGE_TODAY}x raw)",
        "x",
        lambda r: (
            v := _scenario(r, "large")["shipped"]["ratio_to_raw"],
            3 * LARGE_TODAY,
            v >= 3 * LARGE_TODAY,
        ),
    ),
    (
        "warm p99 <= 2 ms (16 conn.)",
        "ms",
        lambda r: (v := _scenario(r, "warm")["shipped"]["p99_ms"], 2.0, v <= 2.0),
    ),
    (
        "cold p99 <= 25 ms (16 conn.)",
        "ms",
        lambda r: (v := _scenario(r, "cold")["shipped"]["p99_ms"], 25.0, v <= 25.0),
    ),
    (
        "speaker page: time at largest / at smallest size <= 1.2",
        "x",
        lambda r: _scale_ratio(r, "speaker_page"),
    ),
    ("search: time at largest / at smallest size <= 1.2", "x", lambda r: _scale_ratio(r, "search")),
    (
        "start-up at the largest size <= 1.5 s to first 200",
        "s",
        lambda r: (v := _largest_startup(r, "s")["startup_s"], 1.5, v <= 1.5),
    ),
    (
        "RSS at the largest size <= 300 MB",
        "MB",
        lambda r: (v := _largest_startup(r, "mb")["rss_mb_after"], 300.0, v <= 300.0),
    ),
    (
        "2 workers >= 1.5x one (cold)",
        "x",
        lambda r: (
            v := r["workers"]["targets"]["2-workers"]["rps"] / r["workers"]["targets"]["1-worker"]["rps"],
            1.5,
            v >= 1.5,
        ),
    ),
]


def target_rows(results: dict[str, Any]) -> list[str]:
    """Returns markdown rows: each target, the measured value, and met / missed (or not measured)."""
    rows = ["| target | measured | goal | verdict |", "|---|---:|---:|---|"]
    for label, unit, check in CHECKS:
        try:
            value, goal, met = check(results)
        except (KeyError, StopIteration, IndexError, ZeroDivisionError):
            rows.append(f"| {label} | - | - | not measured in this run |")
            continue
        rows.append(f"| {label} | {value:.3g} {unit} | {goal:g} {unit} | {'met' if met else '**missed**'} |")
    if results.get("scale"):
        largest = results["scale"][-1]["claims"]
        rows.append("")
        rows.append(
            f"Largest size in this run: {largest:,} claims; smallest: {results['scale'][0]['claims']:,}."
        )
    return rows
