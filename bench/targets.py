"""The issue's targets, checked against one run's numbers: a markdown table of met / missed (no asserts).

Ratios are to raw Starlette answering the same precomputed bytes with no access log
(bench/raw_app.py), parley as shipped with whatever it logs by default.
"""

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
    """Time per request at the largest size over the smallest; for a row that counts its results
    (search), time per result, so unequal pages are never compared as equal work."""
    scale = results["scale"]
    small, large = scale[0][key], scale[-1][key]
    ratio = _per_request_ms(large["targets"]["shipped"]) / _per_request_ms(small["targets"]["shipped"])
    if small.get("results") and large.get("results"):
        ratio *= small["results"] / large["results"]
    return ratio, 1.2, ratio <= 1.2


def _largest_startup(results: dict[str, Any], key: str) -> dict[str, Any]:
    startup: dict[str, Any] = results["scale"][-1]["startup"]["shipped"]
    return startup


def _ratio(scenario: str, goal: float) -> Callable[[dict[str, Any]], tuple[float, float, bool]]:
    """At least `goal` times the raw Starlette limit's throughput (raw writes no access log)."""

    def check(results: dict[str, Any]) -> tuple[float, float, bool]:
        value = float(_scenario(results, scenario)["shipped"]["ratio_to_raw"])
        return value, goal, value >= goal

    return check


def _at_most(scenario: str, key: str, goal: float) -> Callable[[dict[str, Any]], tuple[float, float, bool]]:
    def check(results: dict[str, Any]) -> tuple[float, float, bool]:
        value = float(_scenario(results, scenario)["shipped"][key])
        return value, goal, value <= goal

    return check


def _tail(results: dict[str, Any]) -> tuple[float, float, bool]:
    """The large answer's p99 over its p50 at 16 connections."""
    shipped = _scenario(results, "large")["shipped"]
    value = float(shipped["p99_ms"]) / float(shipped["p50_ms"])
    return value, 3.0, value <= 3.0


def _startup_growth(results: dict[str, Any]) -> tuple[float, float, bool]:
    scale = results["scale"]
    small, large = (scale[i]["startup"]["shipped"]["startup_s"] for i in (0, -1))
    value = float(large) / float(small)
    return value, 1.3, value <= 1.3


def _vs_peer(results: dict[str, Any], scenario: str) -> tuple[float, float, bool]:
    targets = _scenario(results, scenario)
    ratio = float(targets["shipped"]["rps"]) / float(targets["peer"]["rps"])
    return ratio, 3.0, ratio >= 3.0


CHECKS: list[Check] = [
    ("warm 20-claim query >= 0.9x raw", "x", _ratio("warm", 0.9)),
    ("cold 20-claim query >= 0.30x raw", "x", _ratio("cold", 0.30)),
    ("download claims.json >= 0.85x raw", "x", _ratio("download", 0.85)),
    ("large (1,000 claims) >= 0.025x raw", "x", _ratio("large", 0.025)),
    ("large at 16 conn.: p99 <= 3x p50", "x", _tail),
    ("cold: shipped >= 3x the stock-strawberry peer", "x", lambda r: _vs_peer(r, "cold")),
    ("warm p99 <= 2 ms (16 conn.)", "ms", _at_most("warm", "p99_ms", 2.0)),
    ("cold p99 <= 25 ms (16 conn.)", "ms", _at_most("cold", "p99_ms", 25.0)),
    (
        "speaker page: time at largest / at smallest size <= 1.2",
        "x",
        lambda r: _scale_ratio(r, "speaker_page"),
    ),
    (
        "search, equal pages: time at largest / at smallest size <= 1.2",
        "x",
        lambda r: _scale_ratio(r, "search"),
    ),
    ("start-up: largest size / smallest <= 1.3", "x", _startup_growth),
    (
        "RSS at the largest size <= 150 MB",
        "MB",
        lambda r: (v := _largest_startup(r, "mb")["rss_mb_after"], 150.0, v <= 150.0),
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
