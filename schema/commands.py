"""The data-layer commands (validate, coverage, generate), each a `main(argv) -> int` for any CLI to call."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import ValidationError

from schema.curate.add_source import AddSourceError, add_source
from schema.curate.anchor import anchor_fixtures
from schema.curate.coverage import (
    Uncovered,
    coverage_report,
    read_allow_list,
    render_report,
    render_speech,
    speech_coverage,
    stale_allow_list,
    stale_speech_allow_list,
    unsourced_seeds,
)
from schema.curate.freshness import fold_generated, stale_generated
from schema.curate.knowledge import knowledge_check, read_vocabulary, render_knowledge
from schema.curate.lint import anchoring_lint, render_lint
from schema.curate.meaning import meaning_check, read_exceptions, read_topics, render_meaning
from schema.curate.propose import (
    ProposeError,
    curated_citations,
    propose,
    read_records,
    records,
    render_review,
    render_scores,
    score,
)
from schema.curate.settings import (
    MEANING,
    TOPICS,
    UNATTRIBUTED,
    UNCOVERED,
    VOCABULARY,
    SettingsError,
    setting,
)
from schema.load.loader import FixtureError, load_dataset, selector_count
from schema.load.seeds import MANIFEST, parse_manifest
from schema.model.dataset import Dataset
from schema.publish import changes
from schema.publish.generate import expected_artefacts, out_of_date, refresh_datapackage, write_artefacts
from schema.publish.tabular import TableError


def _parser(prog: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--fixtures", type=Path, default=Path("fixtures"), help="fixtures directory")
    parser.add_argument("--seeds", type=Path, default=Path("seeds"), help="seeds directory")
    return parser


def _shown(path: Path) -> Path:
    """Returns the path relative to the working directory when it lies below it."""
    return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path


def _load(args: argparse.Namespace) -> Dataset | None:
    try:
        return load_dataset(args.fixtures, args.seeds)
    except FixtureError as error:
        lines = fold_generated(error.problems, args.fixtures)
        print(f"{len(lines)} problem{'s' if len(lines) != 1 else ''} in the fixtures:", file=sys.stderr)
        for line in lines:
            print(line, file=sys.stderr)
        return None


def validate(argv: Sequence[str] | None = None, prog: str = "python -m schema validate") -> int:
    """Loads and checks the fixtures; prints counts per entity and selectors verified. 0 when valid."""
    parser = _parser(prog, "Check every fixture record, reference and selector, then run the lints.")
    parser.add_argument(
        "--vocabulary",
        type=Path,
        help="the curator's own words the check allows (default: <fixtures>/curation/vocabulary.json)",
    )
    args = parser.parse_args(argv)
    dataset = _load(args)
    if dataset is None:
        return 1
    for stem, count in dataset.counts().items():
        print(f"{stem:<14}{count:>5}")
    print(f"{selector_count(dataset)} selectors verified")
    stale = stale_generated(args.fixtures, args.seeds)
    for line in stale:
        print(line, file=sys.stderr)
    return 0 if _lints(dataset, args.fixtures, args.vocabulary) and not stale else 1


def _setting(given: Path | None, fixtures_dir: Path, name: str) -> Path | None:
    """The settings file to read: the one given (which must exist), else the fixtures' own under
    curation/ (None when there is none: an empty list, nothing allowed)."""
    if given is not None:
        return given
    path = setting(fixtures_dir, name)
    return path if path.exists() else None


def _allow_list(given: Path | None, fixtures_dir: Path, name: str) -> list[Uncovered]:
    path = _setting(given, fixtures_dir, name)
    return [] if path is None else read_allow_list(path)


def _lints(dataset: Dataset, fixtures_dir: Path, vocabulary_given: Path | None) -> bool:
    """Runs the anchoring lint, the outside-knowledge check and the meaning checks; prints their
    counts (stdout) and each finding (stderr). True when all are clean."""
    lint = anchoring_lint(dataset, str(_shown(fixtures_dir)))
    for line in render_lint(lint):
        print(line)
    for finding in lint.findings:
        print(finding, file=sys.stderr)
    vocabulary_path = _setting(vocabulary_given, fixtures_dir, VOCABULARY)
    try:
        vocabulary = [] if vocabulary_path is None else read_vocabulary(vocabulary_path)
    except (OSError, ValidationError) as error:
        print(f"{vocabulary_path}: cannot read the vocabulary: {error}", file=sys.stderr)
        return False
    knowledge = knowledge_check(dataset, vocabulary, str(_shown(fixtures_dir)))
    print(render_knowledge(knowledge))
    for unseen in knowledge.findings:
        print(unseen, file=sys.stderr)
    for entry in knowledge.unused:  # a warning: the list should stay short, but nothing is wrong
        print(
            f"{vocabulary_path}: STALE vocabulary entry {entry.word!r}: no text needs it (remove it)",
            file=sys.stderr,
        )
    meaning_clean = _meaning(dataset, fixtures_dir)
    return not lint.findings and not knowledge.findings and meaning_clean


def _meaning(dataset: Dataset, fixtures_dir: Path) -> bool:
    """Runs the meaning checks with the declared topics and reasoned exceptions of
    `<fixtures>/curation/`; prints the summary (stdout), each finding and stale exception (stderr)."""
    topics_path, exceptions_path = setting(fixtures_dir, TOPICS), setting(fixtures_dir, MEANING)
    try:
        topics = read_topics(topics_path) if topics_path.exists() else []
        exceptions = read_exceptions(exceptions_path) if exceptions_path.exists() else []
    except ValidationError as error:
        print(f"cannot read the meaning checks' settings: {error}", file=sys.stderr)
        return False
    report = meaning_check(dataset, topics, exceptions, str(_shown(fixtures_dir)))
    print(render_meaning(report))
    for refusal in report.findings:
        print(refusal, file=sys.stderr)
    for entry in report.unused:  # a warning, as for the vocabulary: the data is fine, the list wants pruning
        print(
            f"{_shown(exceptions_path)}: STALE exception ({entry.rule}, {entry.record}, {entry.field}): "
            "it excuses no finding (remove it)",
            file=sys.stderr,
        )
    return not report.findings


def coverage(argv: Sequence[str] | None = None, prog: str = "python -m schema coverage") -> int:
    """Prints the per-seed coverage report. 1 when a quoted passage is neither covered nor allow-listed."""
    parser = _parser(prog, "Per seed: citations in text order and the quoted passages evidence covers.")
    parser.add_argument(
        "--allow-list",
        type=Path,
        help="uncovered passages allowed (default: <fixtures>/curation/uncovered.json)",
    )
    parser.add_argument(
        "--speech-allow-list",
        type=Path,
        help="sentences with a speech verb that no citation needs to cover, with reasons"
        " (default: <fixtures>/curation/unattributed.json)",
    )
    args = parser.parse_args(argv)
    dataset = _load(args)
    if dataset is None:
        return 1
    try:
        allow_list = _allow_list(args.allow_list, args.fixtures, UNCOVERED)
        speech_allow_list = _allow_list(args.speech_allow_list, args.fixtures, UNATTRIBUTED)
    except (OSError, ValidationError) as error:
        print(f"cannot read an allow-list: {error}", file=sys.stderr)
        return 1
    manifest = args.seeds / MANIFEST
    unsourced = unsourced_seeds(
        dataset, parse_manifest(manifest.read_text(encoding="utf-8"), str(manifest))[0]
    )
    reports = coverage_report(dataset, allow_list)
    print(render_report(dataset, reports, stale_allow_list(reports, allow_list), unsourced))
    speech = speech_coverage(dataset, speech_allow_list)
    print(render_speech(speech, stale_speech_allow_list(speech, speech_allow_list)))
    unexplained = any(report.missing for report in speech)
    return 1 if unsourced or unexplained or any(report.missing for report in reports) else 0


def generate(argv: Sequence[str] | None = None, prog: str = "python -m schema generate") -> int:
    """Regenerates schema/json/*.schema.json, fixtures/datapackage.json and fixtures/claims.csv; with
    --check, only reports the files that are out of date and returns 1 if there are any."""
    parser = _parser(prog, "Regenerate the JSON Schemas, fixtures/datapackage.json and fixtures/claims.csv.")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if out of date")
    args = parser.parse_args(argv)
    try:
        artefacts = expected_artefacts(args.fixtures, args.seeds)
    except (OSError, SettingsError, TableError) as error:
        print(f"cannot generate: {error}", file=sys.stderr)
        return 1
    if args.check:
        stale = out_of_date(artefacts)
        for path in stale:
            print(f"out of date: {_shown(path)} (run: python -m schema generate)", file=sys.stderr)
        return 1 if stale else 0
    for path in write_artefacts(artefacts):
        print(f"wrote {_shown(path)}" if path in artefacts.expected else f"removed {_shown(path)}")
    return 0


def diff(argv: Sequence[str] | None = None, prog: str = "python -m schema diff") -> int:
    """Prints which records two versions of the fixtures add, remove and change (and which fields),
    as text or, with --json, as changes.json holds it. Exit 2 when a side cannot be read."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="List the records added, removed and changed between two versions of the fixtures. "
        "Each side is a fixtures directory (or a folder holding fixtures/), a snapshot file "
        "(parley.db) or a git revision of the repository's fixtures/ (e.g. HEAD~3, a tag).",
    )
    parser.add_argument(
        "old", nargs="?", help="the older side (default: the previous dataset version in git history)"
    )
    parser.add_argument("new", nargs="?", help="the newer side (default: the working tree's fixtures/)")
    parser.add_argument("--json", action="store_true", help="print the diff as JSON (changes.json's shape)")
    parser.add_argument(
        "--repo", type=Path, default=Path("."), help="the repository whose fixtures/ and git history to read"
    )
    args = parser.parse_args(argv)
    try:
        new = changes.read_side(args.new, args.repo) if args.new else changes.from_directory(
            args.repo / changes.FIXTURES, label=f"{changes.FIXTURES}/"
        )
        if args.old:
            old = changes.read_side(args.old, args.repo)
        elif new.version is None:
            raise changes.DiffError(f"{args.new}: no dataset version, so no previous one to compare with")
        else:
            old = changes.previous_release(args.repo, new.version)
    except (OSError, changes.DiffError) as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 2
    report = changes.diff(old, new)
    if args.json:
        sys.stdout.buffer.write(changes.changes_json(old, new))
    else:
        sys.stdout.write(changes.render_text(report))
    return 0


def anchor(argv: Sequence[str] | None = None, prog: str = "python -m schema anchor") -> int:
    """Fills in or repairs every selector's prefix, suffix, start and end from source + exact (and a
    prefix hint or "occurrence": N where the words occur more than once), then refreshes
    datapackage.json and claims.csv. Writes nothing and returns 1 when any selector cannot be anchored."""
    parser = _parser(prog, "Compute every selector's prefix, suffix, start and end from its exact words.")
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a selector would change"
    )
    args = parser.parse_args(argv)
    result = anchor_fixtures(args.fixtures, args.seeds, write=not args.check)
    if result.problems:
        count = len(result.problems)
        plural = "s" if count != 1 else ""
        print(f"{count} selector{plural} cannot be anchored (nothing written):", file=sys.stderr)
        for problem in result.problems:
            print(problem, file=sys.stderr)
        return 1
    changed = sum(result.changed.values())
    verb = "would change" if args.check else "changed"
    for name, count in result.changed.items():
        print(f"{_shown(args.fixtures / name)}: {verb} {count} selector{'s' if count != 1 else ''}")
    print(f"{result.selectors} selectors anchored, {changed} {verb}")
    if args.check:
        return 1 if result.changed else 0
    try:
        for path in refresh_datapackage(args.fixtures, args.seeds):
            print(f"wrote {_shown(path)}")
    except (OSError, SettingsError, TableError) as error:
        print(f"cannot refresh datapackage.json and claims.csv: {error}", file=sys.stderr)
        return 1
    return 0


def add_source_command(argv: Sequence[str] | None = None, prog: str = "python -m schema add-source") -> int:
    """Copies a new article into the seeds, adds it to SHA256SUMS, writes its source record and prints
    the next steps. 1 (nothing written) with a message naming what is wrong."""
    parser = _parser(prog, "Add a new article: seed file, manifest line, source record; prints next steps.")
    parser.add_argument("file", type=Path, help="the article as a UTF-8 text file")
    parser.add_argument(
        "--outlet", help="id of the outlets.json record that published it (its name must be printed)"
    )
    parser.add_argument(
        "--id", dest="source_id", help="id for the source record (default: from outlet and headline)"
    )
    args = parser.parse_args(argv)
    try:
        added = add_source(args.file, args.fixtures, args.seeds, outlet=args.outlet, source_id=args.source_id)
    except AddSourceError as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 1
    print(f"wrote {_shown(added.seed)} and added it to {_shown(args.seeds / MANIFEST)}")
    print(f"added source {added.source_id!r} to {_shown(args.fixtures / 'sources.json')}")
    for field in ("outlet", "headline", "author", "published_on"):
        value = added.record[field]
        shown = value["value"] if isinstance(value, dict) else value
        print(f"  {field}: {json.dumps(shown, ensure_ascii=False)}")
    print("Next steps:")
    for number, step in enumerate(added.steps, start=1):
        print(f"  {number}. {step}")
    return 0


def propose_command(argv: Sequence[str] | None = None, prog: str = "python -m schema propose") -> int:
    """Drafts, for a curator to review, the claims and citations a source's text holds; prints them
    as a review list, or with --json as records. With --score, measures the drafts of every source
    (or the one given) against its curated citations. Writes nothing."""
    parser = _parser(prog, "Draft claims and citations from a source's text, for a curator to review.")
    parser.add_argument("source_id", nargs="?", metavar="SOURCE_ID", help="id of the sources.json record")
    parser.add_argument("--json", action="store_true", help='print {"claims", "citations", "people"} records')
    parser.add_argument(
        "--score", action="store_true", help="compare the drafts with the curated citations (a recall table)"
    )
    args = parser.parse_args(argv)
    if args.source_id is None and not args.score:
        print(f"{prog}: SOURCE_ID is required (or --score for every source)", file=sys.stderr)
        return 2
    try:
        if args.score:
            dataset = _load(args)
            if dataset is None:
                return 1
            ids = [args.source_id] if args.source_id else list(dataset.sources)
            proposals = [propose(args.fixtures, args.seeds, source_id) for source_id in ids]
            print(render_scores([score(p, curated_citations(dataset, p.source_id)) for p in proposals]))
            return 0
        proposal = propose(args.fixtures, args.seeds, args.source_id)
        claims = [r.get("id") for r in read_records(args.fixtures / "claims.json")]
        cited = [
            (c["evidence"]["start"], c["evidence"]["end"], str(c.get("id")))
            for c in read_records(args.fixtures / "citations.json")
            if isinstance(c.get("evidence"), dict)
            and c["evidence"].get("source") == args.source_id
            and isinstance(c["evidence"].get("start"), int)
            and isinstance(c["evidence"].get("end"), int)
        ]
    except ProposeError as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 1
    if args.json:
        drafted = records(proposal, taken_ids=[str(c) for c in claims])
        print(json.dumps(drafted, ensure_ascii=False, indent=2))
    else:
        print(render_review(proposal, cited))
    return 0


COMMANDS: dict[str, Callable[[Sequence[str] | None, str], int]] = {
    "validate": validate,
    "coverage": coverage,
    "generate": generate,
    "anchor": anchor,
    "add-source": add_source_command,
    "diff": diff,
    "propose": propose_command,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Runs `python -m schema <command> [options]` and returns its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in COMMANDS:
        usage = f"usage: python -m schema {{{','.join(COMMANDS)}}} [--fixtures DIR] [--seeds DIR]"
        print(usage, file=sys.stderr)
        return 0 if args[:1] in (["-h"], ["--help"]) else 2
    return COMMANDS[args[0]](args[1:], f"python -m schema {args[0]}")
