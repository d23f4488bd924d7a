"""`make refresh`: rewrites everything generated from the fixtures, in order; `--check` changes nothing
and exits 1 naming every stale part.

1. the selectors: `parley anchor` (prefix, suffix, start, end; it refreshes datapackage.json too);
   then the release diff: fixtures/changes.json from git history (schema/publish/changes.py) and
   the CHANGELOG's data section written from it (in a git checkout only);
2. the generated files: `python -m schema generate` (datapackage.json, claims.csv, JSON Schemas);
3. the documented answers: each query's ```json answer in README.md and docs/api.md (as the snapshot
   of the data answers it, with the ```json variables block between them, if any), the README's count
   sentence under "## The data", and the lint counts docs/curating.md prints.

`--root DIR` works on another copy of the data (DIR/fixtures, DIR/seeds, DIR/README.md, DIR/docs), as
the growth test does. An answer whose data did not change keeps its bytes (the README's layout is
hand-made); a changed one is rewritten in the same layout (objects inline when they fit in 99 columns).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

REPO = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```(\w*)(?: (\w+))?\n(.*?)^```", re.M | re.S)
"""A fenced block: its language, an optional tag after it (```json variables) and its text."""
WIDTH = 99

COUNTS = (
    "{outlets} outlets, {sources} sources, {parties} parties, {people} people ({named} named, "
    "{unnamed} described without a name), {negotiations} negotiations (London, and the Geneva round it "
    "follows), {delegates} delegate seats, {claims} claims with {citations} citations, {discrepancies} "
    "discrepancies — and {selectors} evidence selectors"
)
"""The README's count sentence (whitespace aside); test_readme_data checks it against the data."""

LINT_BLOCK = "meaning checks) and prints their counts, for\nexample:\n\n```\n"
"""docs/curating.md: the fenced block after this text is `parley validate`'s summary lines."""


@dataclass(frozen=True)
class Data:
    """One copy of the data: fixtures, seeds, the README and docs that document it."""

    fixtures: Path
    seeds: Path
    readme: Path
    curating: Path
    api: Path
    changelog: Path

    @classmethod
    def at(cls, root: Path) -> Data:
        docs = root / "docs"
        pages = (root / "README.md", docs / "curating.md", docs / "api.md", root / "CHANGELOG.md")
        return cls(root / "fixtures", root / "seeds", *pages)


def _quiet(command: Callable[[list[str], str], int], argv: list[str], prog: str) -> tuple[int, str]:
    """Runs a schema command, returning (exit code, stdout + stderr)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = command(argv, prog)
    return code, out.getvalue()


class Documented(NamedTuple):
    """A query a page prints, the variables printed with it (or None) and the answer printed under it."""

    query: str
    variables: dict[str, Any] | None
    answer: str
    span: tuple[int, int]
    """Where the answer's text is in the page."""


def readme_answers(readme: str) -> list[Documented]:
    """Each ```graphql block that a ```json block follows (the answer), with a ```json variables block
    between them if the query takes variables."""
    blocks = [(m.group(1), m.group(2), m.group(3), m.span(3)) for m in FENCE.finditer(readme)]
    found = []
    for n, (language, _, query, _) in enumerate(blocks):
        if language != "graphql":
            continue
        following = blocks[n + 1 : n + 3]
        variables = None
        if following and following[0][:2] == ("json", "variables"):
            variables = json.loads(following[0][2])
            following = following[1:]
        if following and following[0][:2] == ("json", None):
            found.append(Documented(query, variables, following[0][2], following[0][3]))
    return found


def layout(value: Any, indent: str = "", lead: str = "", tail: int = 0) -> str:
    """JSON as the README prints it: two-space indents, a container on one line when it fits."""
    flat = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, dict | list) or not value or len(indent) + len(lead) + len(flat) + tail <= WIDTH:
        return indent + lead + flat
    inner = indent + "  "
    if isinstance(value, dict):
        items = list(value.items())
        lines = [
            layout(item, inner, json.dumps(key, ensure_ascii=False) + ": ", int(n < len(items) - 1))
            for n, (key, item) in enumerate(items)
        ]
        opening, closing = "{", "}"
    else:
        lines = [layout(item, inner, "", int(n < len(value) - 1)) for n, item in enumerate(value)]
        opening, closing = "[", "]"
    return f"{indent}{lead}{opening}\n" + ",\n".join(lines) + f"\n{indent}{closing}"


def served_answers(data: Data, queries: list[tuple[str, dict[str, Any] | None]]) -> list[Any]:
    """What the app `parley serve` runs answers to each (query, variables), over a snapshot of `data`
    in a temp dir."""
    import warnings

    from api.http.app import create_app, open_snapshot

    with tempfile.TemporaryDirectory(prefix="parley-refresh-") as tmp:
        dataset, _ = open_snapshot(Path(tmp) / "parley.db", data.fixtures, data.seeds)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from starlette.testclient import TestClient

            client = TestClient(create_app(dataset))
        answers = [
            client.post("/graphql", json={"query": query, "variables": variables}).json()
            for query, variables in queries
        ]
    return answers


def count_values(data: Data) -> dict[str, int]:
    """The numbers COUNTS states, from the loaded data."""
    from schema.load.loader import load_dataset, selector_count

    dataset = load_dataset(data.fixtures, data.seeds)
    named = sum(person.named for person in dataset.people.values())
    return {**dataset.counts(), "named": named, "unnamed": len(dataset.people) - named,
            "selectors": selector_count(dataset)}


def counts_pattern() -> re.Pattern[str]:
    """COUNTS as a pattern: any whitespace between words, a named group for each number."""
    parts = re.split(r"(\{\w+\})", COUNTS)
    pattern = "".join(
        f"(?P<{part[1:-1]}>\\d+)" if part.startswith("{") else r"\s+".join(map(re.escape, part.split(" ")))
        for part in parts
    )
    return re.compile(pattern)


def refreshed_answers(data: Data, text: str) -> str:
    """A page with every query's answer as the data gives it."""
    found = readme_answers(text)
    answers = served_answers(data, [(query, variables) for query, variables, _, _ in found])
    pieces, at = [], 0
    for (_, _, printed, (start, end)), answer in zip(found, answers, strict=True):
        pieces.append(text[at:start])
        pieces.append(printed if json.loads(printed) == answer else layout(answer) + "\n")
        at = end
    return "".join(pieces) + text[at:]


def refreshed_readme(data: Data, text: str) -> str:
    """The README with every query's answer and the count sentence as the data gives them."""
    text = refreshed_answers(data, text)
    match = counts_pattern().search(text)
    if match is None:
        raise SystemExit(f"{data.readme}: the count sentence ({COUNTS[:40]}…) is not there")
    values = count_values(data)
    pieces, at = [], 0
    for name in counts_pattern().groupindex:
        start, end = match.span(name)
        pieces += [text[at:start], str(values[name])]
        at = end
    return "".join(pieces) + text[at:]


def validate_lines(data: Data) -> list[str]:
    """The summary lines `parley validate` prints last: the anchoring lint, the outside-knowledge check
    and the meaning checks."""
    from schema.commands import validate

    code, out = _quiet(validate, ["--fixtures", str(data.fixtures), "--seeds", str(data.seeds)], "validate")
    if code != 0:
        raise SystemExit(f"parley validate fails on {data.fixtures}:\n{out}")
    prefixes = ("anchoring lint:", "outside-knowledge", "meaning checks:")
    return [line for line in out.splitlines() if line.startswith(prefixes)]


def refreshed_curating(data: Data, text: str) -> str:
    """docs/curating.md with the lint counts it prints as `parley validate` prints them."""
    if LINT_BLOCK not in text:
        raise SystemExit(f"{data.curating}: no block after {LINT_BLOCK.splitlines()[0]!r}")
    head, rest = text.split(LINT_BLOCK, 1)
    _, tail = rest.split("```", 1)
    return head + LINT_BLOCK + "\n".join(validate_lines(data)) + "\n```" + tail


def refresh_changes(data: Data, *, check: bool) -> list[str]:
    """fixtures/changes.json (the diff from the previous dataset version in git history) and the
    CHANGELOG's data section written from it; returns the stale ones. A root outside git (a copy of
    the data) keeps the changes.json it has: there is no history to read."""
    from schema.publish import changes

    root = data.fixtures.parent
    if changes.git_prefix(root) is None:
        return []
    stale: list[str] = []
    expected = changes.current_changes(root)
    path = data.fixtures / changes.CHANGES
    if not path.is_file() or path.read_bytes() != expected:
        stale.append(f"release diff: {path}")
        if not check:
            path.write_bytes(expected)
    if data.changelog.is_file():
        before = data.changelog.read_text(encoding="utf-8")
        after = changes.with_changelog_section(before, json.loads(expected))
        if after != before:
            stale.append(f"data changes: {data.changelog}")
            if not check:
                data.changelog.write_text(after, encoding="utf-8")
    return stale


def refresh(data: Data, *, check: bool) -> list[str]:
    """Brings every generated part of `data` up to date (with check: only finds them); returns the
    stale parts, each as a line naming it. With check, the documented answers are compared with what
    the data gives once refreshed (anchored and generated in a temporary copy when anything is stale)."""
    from schema.commands import anchor, generate
    from schema.publish.generate import expected_artefacts

    stale: list[str] = []
    where = ["--fixtures", str(data.fixtures), "--seeds", str(data.seeds)]
    code, out = _quiet(anchor, [*where, *(["--check"] if check else [])], "parley anchor")
    if code != 0:
        stale.append(f"selectors: parley anchor {'--check ' if check else ''}says:\n{out.rstrip()}")
    stale += refresh_changes(data, check=check)
    code, out = _quiet(generate, [*where, *(["--check"] if check else [])], "python -m schema generate")
    if code != 0:
        stale.append(f"generated files:\n{out.rstrip()}")
    with tempfile.TemporaryDirectory(prefix="parley-refresh-") as tmp:
        anchored = data
        if check and stale:  # what the data gives once refreshed: a refreshed copy of the fixtures
            copy = Path(shutil.copytree(data.fixtures, Path(tmp) / "fixtures"))
            anchored = replace(data, fixtures=copy)
            _quiet(anchor, ["--fixtures", str(copy), "--seeds", str(data.seeds)], "parley anchor")
            for path, content in expected_artefacts(copy, data.seeds).expected.items():
                if path.is_relative_to(copy):  # the copy's generated files, not the checkout's schemas
                    path.write_bytes(content)
        pages = (
            (data.readme, refreshed_readme),
            (data.api, refreshed_answers),
            (data.curating, refreshed_curating),
        )
        for path, rewrite in pages:
            before = path.read_text(encoding="utf-8")
            after = rewrite(anchored, before)
            if after != before:
                stale.append(f"documented answers: {path}")
                if not check:
                    path.write_text(after, encoding="utf-8")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make refresh", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO, help="the data's root (default: this checkout)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything is stale")
    args = parser.parse_args(argv)
    stale = refresh(Data.at(args.root.resolve()), check=args.check)
    for line in stale:
        if args.check:
            print(f"stale {line}", file=sys.stderr)
        else:
            print(f"refreshed {line}")
    if args.check and stale:
        print("run: make refresh", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
