"""The snapshot's tables as a person reads them: one declaration per fixture stem (`TABLES`).

Each entity is a table named after its fixture stem, keyed by `id`, with `pos` (its place in the
file, the order the API keeps) and a typed column for each scalar field; each list of a record is
a child table (`claim_topics`, `person_aliases`, ...); every evidence span of every record is a row
of `evidence`, every field note a row of `notes`. Column types, NOT NULL and foreign keys are read
from the models (and the loader's `REFERENCES`); enum values are spelled as the GraphQL API spells
them (`DIRECT`, `DAY`). The record's own JSON, which the engine decodes, is kept out of the way in
`<stem>_json`. The same declaration gives the Datasette metadata (descriptions, labels, search,
which tables are the engine's) and the reference part of docs/database.md.
"""

from __future__ import annotations

import datetime as dt
import sys
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import Enum
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo

from schema.load.references import REFERENCES
from schema.load.selectors import iter_evidence
from schema.model.catalogue import ENTITIES, SOURCES, Derived, Entry, PartialDateOf, walker
from schema.model.models import Verified
from schema.model.values import Attested, Evidence, PartialDate

DATABASE = "parley"
"""The name Datasette gives the file (`datasette parley.db`): the key of its metadata."""
SEARCH_TOKENIZER = "unicode61 remove_diacritics 2"
"""The reader's full-text tables: words, case- and accent-blind, over the original text."""


@dataclass(frozen=True)
class Column:
    """One column: its SQL type, what it holds, how a value is read, the stem its ids name."""

    name: str
    sql_type: str
    doc: str
    get: Callable[[Any], Any]
    required: bool = False
    references: str | None = None

    def definition(self) -> str:
        """The column's clause in CREATE TABLE."""
        clause = f'"{self.name}" {self.sql_type}' + (" NOT NULL" if self.required else "")
        return clause + ("" if self.references is None else f' REFERENCES "{self.references}" ("id")')


@dataclass(frozen=True)
class Child:
    """A list field of a record as a table: the owner's id, the item's place in the list, its columns."""

    name: str
    doc: str
    path: str
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Table:
    """One fixture stem's table: its scalar columns, child tables, searchable columns, label."""

    stem: str
    one: str
    """What a column naming one of its records is called (`claim`, `person`)."""
    doc: str
    columns: tuple[Column, ...]
    children: tuple[Child, ...] = ()
    search: tuple[str, ...] = ()
    label: str = "name"

    @property
    def body(self) -> str:
        """The engine's table of the records' JSON, by position."""
        return f"{self.stem}_json"

    @property
    def fts(self) -> str:
        """The reader's full-text table over `search` (external content: it holds no text)."""
        return f"{self.stem}_fts"


# --- Reading columns off the models ---------------------------------------------------------------


def _unwrap(annotation: Any) -> tuple[Any, bool, bool]:
    """(the type inside, whether None is allowed, whether it is a list) of a field's annotation."""
    optional = is_list = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(annotation))
            annotation = args[0]
        elif origin is list:
            is_list = True
            annotation = typing.get_args(annotation)[0]
        else:
            return annotation, optional, is_list


def _field(model: Any, path: str) -> tuple[Any, FieldInfo | None, bool, Any]:
    """Walks a dotted path through the models: (leaf type, its FieldInfo, None possible on the way
    or at the leaf, the model holding the leaf). An empty path is a list item itself (a slug)."""
    if not path:
        return model, None, False, model
    optional, info, kind, holder = False, None, Any, model
    for name in path.split("."):
        holder = model
        info = model.model_fields[name]
        kind, maybe, _ = _unwrap(info.annotation)
        optional = optional or maybe or not info.is_required()
        model = kind
    return kind, info, optional, holder


def _column(stem: str, model: Any, path: str, name: str, doc: str, spec: str) -> Column:
    """A column read at `path` of `model`'s records; its type and NOT NULL come from the model, the
    stem it names from REFERENCES (`spec`: the path as REFERENCES writes it) or, for an evidence
    span's `source`, sources."""
    kind, info, optional, holder = _field(model, path)
    names = path.split(".") if path else []
    convert: Callable[[Any], Any] | None = None
    if isinstance(kind, type) and issubclass(kind, Attested):
        names.append("value")
        sql_type = "TEXT"
    elif isinstance(kind, type) and issubclass(kind, Enum):
        names.append("name")
        sql_type = "TEXT"
        doc += " One of " + ", ".join(m.name for m in kind) + " (as the GraphQL API spells them)."
    elif kind is bool:
        sql_type = "INTEGER"
        doc += " 1 (true) or 0 (false)" + (", NULL when unknown." if optional else ".")
    elif kind is int:
        sql_type = "INTEGER"
    elif kind is str:
        sql_type = "TEXT"
    elif kind is dt.date:
        sql_type, convert = "TEXT", dt.date.isoformat
        doc += " ISO 8601 (YYYY-MM-DD)."
    else:
        raise TypeError(f"{stem}.{name}: no column type for {kind!r} at {path!r}")
    references = dict(REFERENCES.get(stem, [])).get(spec)
    if references is None and holder is Evidence and path.endswith("source"):
        references = SOURCES.stem
    if not doc and info is not None and info.description and references is None:
        doc = info.description
    if not doc:
        raise ValueError(f"{stem}.{name}: no description")
    if not names:
        get: Callable[[Any], Any] = _identity
    elif optional or convert is not None:
        get = walker(names, convert)
    else:
        get = attrgetter(".".join(names))  # one C-level call per value
    return Column(name, sql_type, doc.strip(), get, required=not optional, references=references)


def _identity(value: Any) -> Any:
    return value


def _dates(spec: PartialDateOf) -> tuple[Column, ...]:
    path, what = spec.path, spec.what
    bound = path.removesuffix("_on")  # said_on -> said_from, said_to

    def part(get: Callable[[PartialDate], Any]) -> Callable[[Any], Any]:
        return walker([path], get)  # None where the date is unknown

    return (
        Column(
            path,
            "TEXT",
            f"{what}, as far as it is known: YYYY-MM-DD, YYYY-MM or YYYY; NULL when unknown (see `notes`).",
            part(attrgetter("date")),
        ),
        Column(
            f"{path}_precision",
            "TEXT",
            f"How much of `{path}` is known: DAY, MONTH or YEAR (as the GraphQL API spells them).",
            part(lambda d: d.precision.name),
        ),
        Column(
            f"{path}_note",
            "TEXT",
            f"How `{path}` was derived, when the text does not print it whole.",
            part(attrgetter("note")),
        ),
        Column(
            f"{bound}_from",
            "TEXT",
            f"The first day `{path}` can mean (YYYY-MM-DD): filter and sort on this.",
            part(lambda d: d.earliest().isoformat()),
        ),
        Column(
            f"{bound}_to",
            "TEXT",
            f"The last day `{path}` can mean (YYYY-MM-DD).",
            part(lambda d: d.latest().isoformat()),
        ),
    )


def _table(entry: Entry[Any]) -> Table:
    """An entry's table: its `fields` as typed columns (read off its model), its `lists` as child tables."""
    stem, model = entry.stem, entry.model
    columns: list[Column] = []
    for spec in entry.fields:
        if isinstance(spec, Derived):
            columns.append(Column(spec.name, "TEXT", spec.doc, spec.get, required=True))
        elif isinstance(spec, PartialDateOf):
            columns.extend(_dates(spec))
        else:
            columns.append(_column(stem, model, spec.path, spec.column, spec.doc, spec.path))
    children = []
    for listed in entry.lists:
        item, _, _, _ = _field(model, listed.path)  # a model, or str for a list of slugs
        item_columns = tuple(
            _column(stem, item, s.path, s.name or s.path, s.doc, f"{listed.path}[].{s.path}".rstrip("."))
            for s in listed.item
        )
        children.append(Child(listed.name, listed.doc, listed.path, item_columns))
    doc = entry.doc or (model.__doc__ or "").strip().split("\n")[0]
    return Table(stem, entry.one, doc, tuple(columns), tuple(children), entry.words, entry.row_label)


TABLES: dict[str, Table] = {entry.stem: _table(entry) for entry in ENTITIES}
"""Fixture stem -> its table, in fixture order."""

COMMON: tuple[Column, ...] = (
    Column(
        "verified_by",
        "TEXT",
        "Who verified the record: a role, never a name.",
        attrgetter("verification.by"),
        required=True,
    ),
    Column(
        "verified_on",
        "TEXT",
        "When the record was verified (YYYY-MM-DD).",
        lambda r: r.verification.on.isoformat(),
        required=True,
    ),
)
"""Columns every entity table ends with."""


@dataclass(frozen=True)
class Generic:
    """A table over every record's parts of one kind (evidence spans, notes)."""

    name: str
    doc: str
    columns: tuple[Column, ...]


_OWNER = (
    Column(
        "entity",
        "TEXT",
        "The table of the record (a fixture stem: `claims`, `people`...).",
        itemgetter(0),
        required=True,
    ),
    Column("record", "TEXT", "The record's `id` in that table.", itemgetter(1), required=True),
)
EVIDENCE = Generic(
    "evidence",
    "Every evidence span of every record: the words in a seed text that back a field.",
    (
        *_OWNER,
        Column(
            "path",
            "TEXT",
            "Where the span sits in the record's JSON, e.g. `said_on.evidence[0]`.",
            itemgetter(2),
            required=True,
        ),
        Column(
            "source",
            "TEXT",
            "The article whose seed text holds the span.",
            itemgetter(3),
            required=True,
            references=SOURCES.stem,
        ),
        Column("exact", "TEXT", "The words, byte for byte.", itemgetter(4), required=True),
        Column(
            "start",
            "INTEGER",
            "0-based code point offset in the seed text.",
            itemgetter(5),
            required=True,
        ),
        Column(
            "end", "INTEGER", "Offset just past the last code point.", itemgetter(6), required=True
        ),
    ),
)
NOTES = Generic(
    "notes",
    "Why a field is null, or how its value was derived.",
    (
        *_OWNER,
        Column(
            "seq", "INTEGER", "The note's place among the record's notes.", itemgetter(2), required=True
        ),
        Column("field", "TEXT", "The field the note explains.", itemgetter(3), required=True),
        Column("note", "TEXT", "The note.", itemgetter(4), required=True),
    ),
)
SEEDS = Generic(
    "seeds",
    "The article texts, exactly as stored in seeds/ (evidence offsets count code points in these).",
    (
        Column("source", "TEXT", "The article.", itemgetter(0), required=True, references=SOURCES.stem),
        Column("text", "TEXT", "The seed text.", itemgetter(1), required=True),
    ),
)


def evidence_rows(stem: str, record: Verified) -> Iterator[tuple[Any, ...]]:
    """The rows of `evidence` for a record's spans, in its order (EVIDENCE's columns, in order)."""
    for path, span in iter_evidence(record):
        yield stem, record.id, path, span.source, span.exact, span.start, span.end


def note_rows(stem: str, record: Verified) -> Iterator[tuple[Any, ...]]:
    """The rows of `notes` for a record's notes (NOTES's columns, in order)."""
    for seq, note in enumerate(record.notes):
        yield stem, record.id, seq, note.field, note.note


def create_table(name: str, columns: Iterable[Column], key: str = "", without_rowid: bool = False) -> str:
    """CREATE TABLE for these columns (with `key`, e.g. a PRIMARY KEY clause, last)."""
    parts = [c.definition() for c in columns] + ([key] if key else [])
    return f'CREATE TABLE "{name}" ({", ".join(parts)})' + (" WITHOUT ROWID" if without_rowid else "")


def entity_columns(table: Table) -> tuple[Column, ...]:
    """Every column of an entity table but `id` and `pos`, in order."""
    return (*table.columns, *COMMON)


def entity_ddl(table: Table) -> str:
    """CREATE TABLE of an entity: `id` its key, `pos` unique (rows are stored in `pos` order)."""
    head = '"id" TEXT NOT NULL PRIMARY KEY, "pos" INTEGER NOT NULL UNIQUE'
    rest = ", ".join(c.definition() for c in entity_columns(table))
    return f'CREATE TABLE "{table.stem}" ({head}, {rest})'


def child_ddl(table: Table, child: Child) -> str:
    """CREATE TABLE of a child table: the owner's id, the item's place, its columns."""
    owner = Column(table.one, "TEXT", "", _identity, required=True, references=table.stem)
    seq = Column("seq", "INTEGER", "", _identity, required=True)
    return create_table(child.name, (owner, seq, *child.columns), f'PRIMARY KEY ("{table.one}", "seq")')


def fts_ddl(table: Table) -> str:
    """The reader's FTS5 table of an entity: external content (`content="<stem>"`, which is how
    Datasette finds it), case- and accent-blind words of the original text."""
    columns = ", ".join(f'"{c}"' for c in table.search)
    return (
        f'CREATE VIRTUAL TABLE "{table.fts}" USING fts5({columns}, content="{table.stem}", '
        f'content_rowid="pos", tokenize="{SEARCH_TOKENIZER}")'
    )


def reader_tables() -> dict[str, str]:
    """Table name -> description of every table a reader is shown, entities first."""
    shown = {t.stem: t.doc for t in TABLES.values()}
    shown.update({c.name: c.doc for t in TABLES.values() for c in t.children})
    shown.update({g.name: g.doc for g in (EVIDENCE, NOTES, SEEDS)})
    return shown


def _column_docs(table: Table | None, child: Child | None = None) -> dict[str, str]:
    if table is None:
        return {}
    if child is not None:
        return {
            table.one: f"The {table.one} (its `id` in `{table.stem}`).",
            "seq": "The item's place in the list (0-based).",
            **{c.name: c.doc for c in child.columns},
        }
    return {
        "id": f"The {table.one}'s id (a slug), stable once published.",
        "pos": f"The {table.one}'s place in fixtures/{table.stem}.json (0-based): the API's default order.",
        **{c.name: c.doc for c in entity_columns(table)},
    }


def described_columns() -> dict[str, dict[str, str]]:
    """Reader table -> column -> description."""
    found: dict[str, dict[str, str]] = {}
    for table in TABLES.values():
        found[table.stem] = _column_docs(table)
        for child in table.children:
            found[child.name] = _column_docs(table, child)
    for generic in (EVIDENCE, NOTES, SEEDS):
        found[generic.name] = {c.name: c.doc for c in generic.columns}
    return found


def datasette_metadata(tables_in_file: Iterable[str]) -> dict[str, Any]:
    """Datasette's metadata for the file (`datasette parley.db -m metadata.json`): each reader
    table and column described, labels for foreign keys, entities sorted by `pos` with their search
    table, and every other table in the file (the engine's) hidden."""
    shown = reader_tables()
    columns = described_columns()
    tables: dict[str, Any] = {}
    for name, doc in shown.items():
        tables[name] = {"description": doc, "columns": columns[name]}
    for table in TABLES.values():
        tables[table.stem].update({"label_column": table.label, "sort": "pos"})
        if table.search:
            tables[table.stem].update({"fts_table": table.fts, "fts_pk": "pos"})
    for name in sorted(set(tables_in_file) - shown.keys()):
        tables[name] = {"hidden": True}
    return {
        "title": "parley: who said what in the June 2025 US-China trade talks",
        "description": "The verified snapshot parley serves. Each table and column is described in "
        "docs/database.md; the engine's own tables are hidden.",
        "databases": {DATABASE: {"tables": tables}},
    }


# --- docs/database.md's reference, written from the declaration ---------------------------------

BEGIN = "<!-- tables: written by `python -m schema.store.layout docs/database.md`; do not edit by hand -->"
END = "<!-- end of tables -->"


def markdown() -> str:
    """The reference part of docs/database.md: each reader table, its columns, types and keys."""
    out: list[str] = []
    typed = _typed_columns()
    for name, doc in reader_tables().items():
        out += [f"### `{name}`", "", doc, "", "| column | type | description |", "|---|---|---|"]
        for column, description in described_columns()[name].items():
            out.append(f"| `{column}` | {typed[name].get(column, '')} | {description} |")
        out.append("")
    return "\n".join(out)


def _typed_columns() -> dict[str, dict[str, str]]:
    """Table -> column -> its type and keys as the docs show them."""

    def shown(c: Column) -> str:
        text = c.sql_type + ("" if c.required else ", NULL")
        return text + ("" if c.references is None else f" → `{c.references}.id`")

    found: dict[str, dict[str, str]] = {}
    for table in TABLES.values():
        found[table.stem] = {
            "id": "TEXT, key",
            "pos": "INTEGER, unique",
            **{c.name: shown(c) for c in entity_columns(table)},
        }
        for child in table.children:
            found[child.name] = {
                table.one: f"TEXT → `{table.stem}.id`",
                "seq": "INTEGER",
                **{c.name: shown(c) for c in child.columns},
            }
    for generic in (EVIDENCE, NOTES, SEEDS):
        found[generic.name] = {c.name: shown(c) for c in generic.columns}
    return found


def with_reference(text: str) -> str:
    """docs/database.md's text with the part between BEGIN and END rewritten from the declaration."""
    head, begin, rest = text.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if not begin or not end:
        raise ValueError(f"the file has no {BEGIN!r} ... {END!r} block")
    return f"{head}{BEGIN}\n\n{markdown()}\n{END}{tail}"


if __name__ == "__main__":  # python -m schema.store.layout docs/database.md
    target = Path(sys.argv[1])
    target.write_text(with_reference(target.read_text(encoding="utf-8")), encoding="utf-8")
