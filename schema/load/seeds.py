"""Seed texts: read them byte-exact and check them against the seeds/SHA256SUMS manifest."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from schema.load.problems import Problem

MANIFEST = "SHA256SUMS"


@dataclass
class Seeds:
    """Seed file name -> text (decoded from UTF-8 as stored) and manifest hash, plus what was wrong."""

    texts: dict[str, str] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def sha256_hex(data: bytes) -> str:
    """Returns the lowercase hex sha256 of the bytes."""
    return hashlib.sha256(data).hexdigest()


def parse_manifest(content: str, where: str) -> tuple[dict[str, str], list[Problem]]:
    """Takes `sha256sum` output and returns file name -> hash, with a Problem per unreadable line."""
    hashes: dict[str, str] = {}
    problems: list[Problem] = []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        name = name.removeprefix("*")
        if not sep or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest) or not name:
            problems.append(Problem(where, f"line {number}", "", f"not a sha256sum line: {line!r}"))
        elif name in hashes:
            problems.append(Problem(where, f"line {number}", "", f"{name} is listed twice"))
        else:
            hashes[name] = digest
    return hashes, problems


def read_seeds(seeds_dir: Path) -> Seeds:
    """Takes the seeds directory and returns every listed seed whose bytes match the manifest.

    A seed that is missing, differs from its hash or is not UTF-8 is left out of `texts` and
    reported; a .txt file the manifest does not list is reported too.
    """
    seeds = Seeds()
    manifest = seeds_dir / MANIFEST
    where = str(manifest)
    try:
        seeds.hashes, seeds.problems = parse_manifest(manifest.read_bytes().decode("utf-8"), where)
    except (OSError, UnicodeDecodeError) as error:
        seeds.problems.append(Problem(where, "", "", f"cannot read the seed manifest: {error}"))
        return seeds
    for name, digest in seeds.hashes.items():
        path = seeds_dir / name
        try:
            data = path.read_bytes()
        except OSError:
            seeds.problems.append(Problem(where, name, "", f"listed seed {path} does not exist"))
            continue
        actual = sha256_hex(data)
        if actual != digest:
            seeds.problems.append(
                Problem(where, name, "", f"{path} has sha256 {actual}, manifest says {digest}")
            )
            continue
        try:
            seeds.texts[name] = data.decode("utf-8")
        except UnicodeDecodeError as error:
            seeds.problems.append(Problem(str(path), "", "", f"not UTF-8: {error}"))
    for path in sorted(seeds_dir.glob("*.txt")):
        if path.name not in seeds.hashes:
            seeds.problems.append(Problem(where, path.name, "", f"{path} is not listed in the manifest"))
    return seeds
