"""`parley synth`: a synthetic dataset of any size, seeds and fixtures whose selectors verify."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.synth.articles import ArticleSet, attested, day_json, record_json
from api.synth.plan import Plan, slugify
from api.synth.text import MARK, Span, evidence_json
from schema.load.seeds import MANIFEST, sha256_hex
from schema.model.catalogue import CITATIONS, CLAIMS, DISCREPANCIES, OUTLETS, PARTIES, PEOPLE, SOURCES
from schema.model.dataset import FIXTURE_MODELS
from schema.publish.datapackage import DATAPACKAGE, build_datapackage
from schema.publish.tabular import CLAIMS_CSV, claims_csv

MARKER = "SYNTHETIC"
"""File written at the top of every output directory: proof the directory holds synthetic data."""
VERSION = "0.0.0+synthetic"
"""The synthetic data package's version (not the curated data's: that is fixtures/curation/version.json)."""


@dataclass(frozen=True)
class SynthDataset:
    """The generated files: fixture file name -> bytes and seed file name -> bytes."""

    fixtures: dict[str, bytes]
    seeds: dict[str, bytes]


def _finish(articles: ArticleSet) -> dict[str, list[dict[str, Any]]]:
    """Adds the records whose evidence spans several articles: outlets, parties, people, claims, …"""
    plan, records = articles.plan, articles.records
    for o, name in enumerate(plan.outlets):
        kind = "wire-service" if o < 2 else ("forum" if o % 7 == 6 else "news-site")
        aliases = [{"name": name, "evidence": articles.outlet_mentions[o][:2]}]
        records[OUTLETS.stem].append(record_json(slugify(name), name=name, kind=kind, aliases=aliases))
    for party in plan.parties:
        evidence = articles.party_mentions[party][:2]
        records[PARTIES.stem].append(record_json(slugify(party), name=party, evidence=evidence))
    for i, person in enumerate(plan.people):
        aliases, affiliations = [], []
        if person.named:
            aliases.append({"name": person.name, "evidence": articles.mentions[i][:2]})
            if articles.surnames[i]:
                aliases.append({"name": person.surname, "evidence": articles.surnames[i][:2]})
            affiliation = {"role": person.role, "organization": person.org, "party": slugify(person.party)}
            affiliations.append({**affiliation, "evidence": [articles.roles[i]]})
        records[PEOPLE.stem].append(
            record_json(
                person.id,
                name=person.name,
                named=person.named,
                kind="group" if person.group else "individual",
                description=None if person.named else "An unnamed speaker, as the synthetic text describes.",
                aliases=aliases,
                affiliations=affiliations,
            )
        )
    for claim in plan.planned_claims:
        setting, date = articles.claim_spans[claim.id]
        speaker = plan.people[claim.speaker]
        k = plan.source_negotiation[claim.source]
        records[CLAIMS.stem].append(
            record_json(
                claim.id,
                None if date else {"said_on": "The synthetic text gives no date."},
                speaker=speaker.id,
                negotiation=f"round-{k + 1}" if claim.in_negotiation else None,
                said_on=None if claim.said_on is None or date is None else day_json(claim.said_on, date),
                setting=None
                if claim.setting is None or setting is None
                else attested(claim.setting, setting),
                topics=list(claim.topics),
                summary=f"{speaker.surname} spoke about {claim.topics[0].replace('-', ' ')}.",
            )
        )
        records[CITATIONS.stem].extend(articles.citations[claim.id])
    sources = plan.source_negotiation
    for j in range(0, len(sources) - 1, 2):
        (a, span_a), (b, span_b) = articles.tariffs[j], articles.tariffs[j + 1]
        if sources[j] != sources[j + 1] or a == b:
            continue
        k = sources[j]
        variants = [{"value": f"{a}%", "citations": [span_a]}, {"value": f"{b}%", "citations": [span_b]}]
        subject = f"Tariff level reported for the {plan.negotiation_name(k)}"
        records[DISCREPANCIES.stem].append(
            record_json(
                f"tariff-level-s{j}",
                subject=subject,
                kind="figure",
                negotiation=f"round-{k + 1}",
                variants=variants,
            )
        )
    return records


STAGES = ("planning", "writing articles", "building records", "serialising fixtures", "data package")
"""What `generate` reports to its `progress` callback, in order; `write` then reports "writing files"."""


def generate(claims: int, seed: int = 0, progress: Callable[[str], None] | None = None) -> SynthDataset:
    """Takes a number of claims and a random seed and returns the synthetic dataset's files.

    `progress`, if given, is called with each of STAGES as that stage starts (the CLI draws a bar).
    """
    step = progress or (lambda stage: None)
    if claims < 10:
        raise ValueError(f"need at least 10 claims, got {claims}")
    step(STAGES[0])
    articles = ArticleSet(Plan(claims, seed))
    step(STAGES[1])
    articles.write_all()
    step(STAGES[2])
    records = _finish(articles)
    seeds = {
        f"synth_{j:06d}.txt": articles.texts[sid].encode("utf-8") for j, sid in enumerate(articles.source_ids)
    }
    for source in records[SOURCES.stem]:
        source["sha256"] = sha256_hex(seeds[source["seed"]])

    def selector(value: object) -> dict[str, Any]:
        if isinstance(value, Span):
            return evidence_json(value, articles.texts)
        raise TypeError(f"cannot serialise {type(value).__name__}")

    step(STAGES[3])
    fixtures = {
        f"{stem}.json": json.dumps(
            records[stem], ensure_ascii=False, separators=(",", ":"), default=selector
        ).encode("utf-8")
        for stem in FIXTURE_MODELS
    }
    step(STAGES[4])
    table = claims_csv(fixtures)
    fixtures[DATAPACKAGE] = build_datapackage(fixtures, seeds, table, version=VERSION)
    fixtures[CLAIMS_CSV] = table
    manifest = "".join(f"{sha256_hex(content)}  {name}\n" for name, content in sorted(seeds.items()))
    seeds[MANIFEST] = manifest.encode("utf-8")
    return SynthDataset(fixtures, seeds)


def write(dataset: SynthDataset, out: Path, progress: Callable[[str], None] | None = None) -> None:
    """Writes out/fixtures, out/seeds and the out/SYNTHETIC marker.

    Refuses (ValueError) to write into a directory that already holds fixtures or seeds not written
    by this generator, so the curated fixtures/ can never be overwritten.
    """
    for sub in ("fixtures", "seeds"):
        existing = out / sub
        if existing.is_dir() and any(existing.iterdir()) and not (out / MARKER).is_file():
            raise ValueError(f"{existing} exists and is not synthetic; choose an empty --out directory")
    if progress is not None:
        progress("writing files")
    for sub, files in (("fixtures", dataset.fixtures), ("seeds", dataset.seeds)):
        (out / sub).mkdir(parents=True, exist_ok=True)
        for stale in (out / sub).iterdir():
            if stale.name not in files:
                stale.unlink()
        for name, content in files.items():
            (out / sub / name).write_bytes(content)
    (out / MARKER).write_text(f"{MARK}: generated by `parley synth`; not curated data.\n", encoding="utf-8")


def main(
    argv: Sequence[str] | None = None,
    prog: str = "python -m api.synth.generator",
    progress: Callable[[str], None] | None = None,
) -> int:
    """Runs `synth --claims N --out DIR [--seed S]` and returns its exit code; `progress` as in generate."""
    parser = argparse.ArgumentParser(prog=prog, description="Write a synthetic dataset for benchmarks.")
    parser.add_argument("--claims", type=int, required=True, help="number of claims (at least 10)")
    parser.add_argument("--out", type=Path, required=True, help="output directory (gets fixtures/, seeds/)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same files)")
    args = parser.parse_args(argv)
    try:
        write(generate(args.claims, args.seed, progress), args.out, progress)
    except ValueError as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 2
    print(f"wrote {args.claims} synthetic claims to {args.out}/fixtures and {args.out}/seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
