"""The seed texts: hashes recomputed against seeds/SHA256SUMS, and decoded byte for byte."""

from __future__ import annotations

import hashlib
from pathlib import Path

from schema.load.seeds import parse_manifest, read_seeds
from tests.datafiles import FIXTURES, SEEDS, read_records


def manifest() -> dict[str, str]:
    hashes, problems = parse_manifest((SEEDS / "SHA256SUMS").read_text(encoding="utf-8"), "SHA256SUMS")
    assert problems == []
    return hashes


def test_manifest_lists_exactly_the_seed_files() -> None:
    assert sorted(manifest()) == sorted(p.name for p in SEEDS.glob("*.txt"))
    seeds_of_sources = {source["seed"] for source in read_records(FIXTURES, "sources")}
    assert len(manifest()) == len(list(SEEDS.glob("*.txt"))) == len(seeds_of_sources)


def test_seed_hashes_match_the_manifest() -> None:
    for name, digest in manifest().items():
        assert hashlib.sha256((SEEDS / name).read_bytes()).hexdigest() == digest


def test_read_seeds_decodes_every_seed_byte_exact() -> None:
    seeds = read_seeds(SEEDS)
    assert seeds.problems == []
    assert seeds.hashes == manifest()
    for name, text in seeds.texts.items():
        assert text.encode("utf-8") == (SEEDS / name).read_bytes()


def test_unlisted_and_missing_seeds_are_reported(tmp_path: Path) -> None:
    (tmp_path / "SHA256SUMS").write_text(f"{'0' * 64}  gone.txt\nnot a line\n", encoding="utf-8")
    (tmp_path / "extra.txt").write_text("text", encoding="utf-8")
    problems = [(p.record, p.message) for p in read_seeds(tmp_path).problems]
    assert problems == [
        ("line 2", "not a sha256sum line: 'not a line'"),
        ("gone.txt", f"listed seed {tmp_path / 'gone.txt'} does not exist"),
        ("extra.txt", f"{tmp_path / 'extra.txt'} is not listed in the manifest"),
    ]
