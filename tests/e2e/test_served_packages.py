"""Every data package the server publishes is valid where it is served: `frictionless validate` over
HTTP against a real `parley serve` fetches each resource from the address the descriptor gives,
checks its bytes and sha256 (and rows, for a table) and finds nothing missing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.e2e

FRICTIONLESS = Path(sys.executable).parent / "frictionless"


def published_descriptors(base: str) -> list[str]:
    """Every datapackage.json the home page's JSON links to (the server's own list of them)."""
    home = httpx.get(f"{base}/", headers={"accept": "application/json"}, timeout=30).json()

    def urls(node: object) -> list[str]:
        if isinstance(node, dict):
            return [u for v in node.values() for u in urls(v)]
        if isinstance(node, list):
            return [u for v in node for u in urls(v)]
        return [node] if isinstance(node, str) and node.endswith("/datapackage.json") else []

    return sorted(set(urls(home)))


def frictionless_report(url: str) -> dict[str, Any]:
    result = subprocess.run(
        [str(FRICTIONLESS), "validate", "--json", url],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_every_published_data_package_validates_over_http(live_server: str) -> None:
    descriptors = published_descriptors(live_server)
    assert [url.removeprefix(live_server) for url in descriptors] == [
        "/downloads/datapackage.json",
        "/fixtures/datapackage.json",
    ]
    for url in descriptors:
        package = httpx.get(url, timeout=30).json()
        report = frictionless_report(url)
        assert report["valid"] is True, url
        tasks = {task["name"]: task for task in report["tasks"]}
        # Each resource was fetched from where the descriptor says and matched its size and hash.
        assert list(tasks) == [r["name"] for r in package["resources"]], url
        for resource in package["resources"]:
            stats = tasks[resource["name"]]["stats"]
            assert (stats["bytes"], "sha256:" + stats["sha256"]) == (resource["bytes"], resource["hash"])
    served = httpx.get(descriptors[0], timeout=30).json()
    assert {"parley-db", "claims-table"} <= {r["name"] for r in served["resources"]}


def test_a_missing_resource_fails_frictionless_over_http(live_server: str, tmp_path: Path) -> None:
    """The check can fail: the served package, its paths made absolute, with one path the server does
    not serve, is invalid for that resource alone, with the server's 404."""
    package = httpx.get(f"{live_server}/downloads/datapackage.json", timeout=30).json()
    for resource in package["resources"]:
        resource["path"] = f"{live_server}/downloads/{resource['path']}"
        resource.pop("jsonSchema", None)  # relative to the served descriptor, not to this copy
    package["resources"][0]["path"] = f"{live_server}/downloads/no-such-file.json"
    broken = tmp_path / "datapackage.json"
    broken.write_text(json.dumps(package), encoding="utf-8")
    result = subprocess.run(
        [str(FRICTIONLESS), "validate", "--json", str(broken)], capture_output=True, text=True, timeout=300,
        check=False,
    )
    assert result.returncode == 1
    report = json.loads(result.stdout)
    failed = {t["name"]: [e["note"] for e in t["errors"]] for t in report["tasks"] if not t["valid"]}
    assert list(failed) == [package["resources"][0]["name"]]
    assert "404" in failed[package["resources"][0]["name"]][0]
