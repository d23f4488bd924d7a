"""Fixture problems: what is wrong, in which file, record and field, and the error that carries them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import ValidationError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the fixtures or seeds.

    `record` is the record's id, or its position like "#3" when it has no usable id, or "" when
    the problem concerns the whole file; `field` is a dotted path like "citations[0].evidence.start".
    """

    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.record:
            where += f": record {self.record if self.record.startswith('#') else repr(self.record)}"
        if self.field:
            where += f" field {self.field!r}"
        return f"{where}: {self.message}"


class FixtureError(Exception):
    """Raised when fixtures or seeds fail any check; carries every problem found, not only the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(self.report())

    def report(self) -> str:
        """Returns the problems one per line, headed by how many there are."""
        count = len(self.problems)
        lines = [f"{count} problem{'s' if count != 1 else ''} in the fixtures:"]
        lines += [str(problem) for problem in self.problems]
        return "\n".join(lines)


def loc_to_path(loc: Iterable[int | str]) -> str:
    """Takes a pydantic error location and returns it as a dotted path with [i] for list items."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


# Selector fields `parley anchor` computes from source + exact.
_ANCHORED = frozenset({"prefix", "suffix", "start", "end"})

# A record-level validator's message starts with the field it is about ("author is null but ...").
_FIELD_FIRST = re.compile(r"^Value error, ([a-z_]+) is ")


def validation_problems(file: str, record: str, error: ValidationError) -> list[Problem]:
    """Takes pydantic's error for one record and returns one Problem per failed field."""
    problems = []
    for detail in error.errors(include_url=False):
        message = detail["msg"]
        if detail["type"] not in {"missing", "extra_forbidden"} and "input" in detail:
            shown = repr(detail["input"])
            if len(shown) <= 80:
                message += f" (got {shown})"
        path = loc_to_path(detail["loc"])
        if detail["type"] == "missing" and str(detail["loc"][-1]) in _ANCHORED:
            message += " (write source and exact, then run: parley anchor)"
        elif detail["type"] == "extra_forbidden" and detail["loc"][-1] == "occurrence":
            message += " (an anchoring hint: run parley anchor, which removes it)"
        if not path and (named := _FIELD_FIRST.match(message)):
            path = named.group(1)
        problems.append(Problem(file, record, path, message))
    return problems
