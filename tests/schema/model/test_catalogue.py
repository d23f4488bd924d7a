"""The entity catalogue: every per-entity structure has exactly its entities, and adding one (a Venue,
in a copy of the project) takes its model, its catalogue entry, its GraphQL module and its fixture
file: the rest is generated or derived, and the new entity is loaded, checked, stored and served."""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from api.graph.registry import ENTITIES as API_ENTITIES
from api.graph.search_index import SEARCH_TABLES as STORED_SEARCH_TABLES
from api.http.views.home import COUNT_LABELS as HOME_LABELS
from api.synth.generator import generate
from schema.load.loader import load_dataset
from schema.load.references import REFERENCES as LOADER_REFERENCES
from schema.model import catalogue
from schema.model.dataset import FIXTURE_MODELS, LISTS
from schema.publish.jsonschema import generated_schemas
from schema.store.layout import TABLES as STORE_TABLES
from schema.store.snapshot import BY_COLUMN as STORE_BY_COLUMN
from tests.datafiles import FIXTURES, REPO, SEEDS

STEMS = [entry.stem for entry in catalogue.ENTITIES]


def test_every_per_entity_structure_has_exactly_the_catalogued_entities() -> None:
    assert list(FIXTURE_MODELS) == STEMS
    assert list(STORE_TABLES) == STEMS
    assert [e.stem for e in API_ENTITIES] == STEMS
    assert [e.type_name for e in API_ENTITIES] == [e.model.__name__ for e in catalogue.ENTITIES]
    assert list(HOME_LABELS) == STEMS
    assert set(LOADER_REFERENCES) | {t for refs in LOADER_REFERENCES.values() for _, t in refs} <= set(STEMS)
    assert {stem for stem, _ in STORE_BY_COLUMN.values()} | set(LISTS.values()) <= set(STEMS)
    assert {stem for stem, _ in STORED_SEARCH_TABLES.values()} <= set(STEMS)
    assert sorted(generated_schemas()) == sorted(f"{stem}.schema.json" for stem in STEMS)
    package = json.loads((FIXTURES / "datapackage.json").read_bytes())
    resources = [r["path"] for r in package["resources"] if r["format"] == "json" and "jsonSchema" in r]
    assert resources == [e.file for e in catalogue.ENTITIES]  # changes.json, a diff, has no records
    dataset = load_dataset(FIXTURES, SEEDS)
    assert list(dataset.counts()) == STEMS and list(dataset.tables) == STEMS
    assert set(dataset.lists) == set(LISTS)
    for entry in catalogue.ENTITIES:  # the typed shorthand and the catalogue's table are one mapping
        assert getattr(dataset, entry.stem) is dataset.of(entry) is dataset.tables[entry.stem]
    synthetic = generate(50)
    assert {e.file for e in catalogue.ENTITIES} <= set(synthetic.fixtures)


def test_each_grouping_holds_the_records_whose_column_has_that_value() -> None:
    dataset = load_dataset(FIXTURES, SEEDS)
    for name, (stem, column) in STORE_BY_COLUMN.items():
        value_of = catalogue.BY_STEM[stem].value_of(column)
        expected: dict[str, list[str]] = {}
        for record in dataset.tables[stem].values():
            if value_of(record) is not None:
                expected.setdefault(value_of(record), []).append(record.id)
        assert {k: [r.id for r in v] for k, v in dataset.lists[name].items()} == expected, name
        assert expected, f"{name} groups nothing in the curated data"


def test_a_catalogue_that_contradicts_itself_is_refused_naming_the_entry() -> None:
    venues = catalogue.Entry("venues", catalogue.PARTIES.model, label="venues", references=(("x", "rooms"),))
    for entities, message in [
        ((*catalogue.ENTITIES, catalogue.OUTLETS), "outlets is declared twice"),
        ((*catalogue.ENTITIES, venues), "venues.x names 'rooms', not declared above it"),
        (
            (catalogue.Entry("rooms", catalogue.PARTIES.model, label="rooms", grouped_by=("floor",)),),
            "rooms is grouped by 'floor', not one of its columns",
        ),
    ]:
        try:
            catalogue.check(entities)
        except ValueError as error:
            assert message in str(error)
        else:
            raise AssertionError(f"accepted: {message}")


# --- adding an entity, in a copy of the project ------------------------------------------------

VENUE_MODEL = '''

class Venue(Verified):
    """A building where talks were held."""

    name: NonEmpty
    negotiation: Slug
    evidence: Citations
'''

VENUE_ENTRY = '''VENUES: Entry[Venue] = Entry(
    "venues",
    Venue,
    label="venues",
    references=(("negotiation", "negotiations"),),
    doc="Buildings talks were held in.",
    fields=(F("name", "The venue's name."), F("negotiation", "The negotiation held there.")),
    grouped_by=("negotiation",),
)

ENTITIES: tuple[Entry[Any], ...] = ('''

VENUE_MODULE = '''"""Where talks were held: Venue, its filter and its orders."""

from __future__ import annotations

import strawberry

from api.graph.common import Record, evidence_field, record_field
from api.graph.context import Context, Info, data, described
from api.graph.entity import Entity
from api.graph.ordering import BY_NAME
from api.graph.refs import text_matches
from api.graph.relay import Node
from api.graph.type_registry import lazy, wrap
from schema.model import catalogue, models


@strawberry.type(description="A building where talks were held.")
class Venue(Record):
    record: strawberry.Private[models.Venue]

    name = record_field("name", str, "The venue's name as printed.")
    evidence = evidence_field("evidence", "The spans that name the venue.")

    @described("The negotiation held there.", graphql_type=lazy("Negotiation", "api.graph.negotiations"))
    def negotiation(self, info: Info) -> Node:
        return wrap("Negotiation", data(info).negotiations[self.record.negotiation])


@strawberry.input(description="Conditions on venues.")
class VenueFilter:
    text: str | None = strawberry.field(default=None, description="Words in the venue's name.")

    def passes(self, _: Context, r: models.Venue) -> bool:
        return text_matches(self.text, r.name)


VENUES = Entity(
    stem=catalogue.VENUES.stem,
    object_type=Venue,
    filter=VenueFilter,
    order_keys=dict(NAME=BY_NAME),
    lookup_doc="A venue by slug.",
    connection_doc="Buildings where talks were held.",
)
'''

SERVE = '''
import json, sys
from pathlib import Path
from starlette.testclient import TestClient
from api.http.app import create_app
from schema.load.loader import FixtureError, load_dataset

root, snapshot, venue = Path.cwd(), Path(sys.argv[1]), json.loads(sys.argv[2])
app = create_app(snapshot=snapshot, fixtures_dir=root / "fixtures", seeds_dir=root / "seeds")
out = {}
with TestClient(app) as client:
    query = """{ venue(slug: "%s") { id name negotiation { slug } evidence { exact } }
      venues(filter: {text: "%s"}, orderBy: {field: NAME, direction: ASC}) { totalCount nodes { slug } }
      meta { counts { entity count } } }""" % (venue["id"], venue["name"])
    answer = client.post("/graphql", json={"query": query}).json()
    out["graphql"] = answer
    again = "query($id: ID!) { node(id: $id) { ... on Venue { name } } }"
    given = {"id": answer["data"]["venue"]["id"]}
    node = client.post("/graphql", json={"query": again, "variables": given}).json()
    out["node"] = node["data"]["node"]
    out["home"] = client.get("/", headers={"Accept": "text/html"}).text
    out["fixture"] = client.get("/fixtures/venues.json").content.decode()
    out["ndjson"] = client.get("/exports/venues.ndjson").text
    out["schema"] = client.get("/schema/venues.schema.json").status_code
(root / "fixtures" / "venues.json").write_text(json.dumps([{**venue, "negotiation": "nowhere"}]))
try:
    load_dataset(root / "fixtures", root / "seeds")
except FixtureError as error:
    out["invalid"] = error.report()
print(json.dumps(out))
'''


def _tree(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under the copied folders."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in ("api", "schema", "fixtures", "seeds", "examples")
        for p in sorted((root / folder).rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def _run(root: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=root, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_adding_a_venue_takes_four_hand_edited_files(tmp_path: Path) -> None:
    root = tmp_path / "parley"
    for folder in ("api", "schema", "fixtures", "seeds", "examples"):
        shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    before = _tree(root)
    # The venue as a seed prints it: a negotiation's venue, with that evidence.
    held = next(n for n in json.loads((FIXTURES / "negotiations.json").read_bytes()) if n.get("venue"))
    name = held["venue"]["value"]
    venue: dict[str, Any] = {
        "id": name.lower().replace(" ", "-"),
        "name": name,
        "negotiation": held["id"],
        "evidence": held["venue"]["evidence"],
        "verification": held["verification"],
    }

    # 1. The model, 2. the catalogue entry, 3. the GraphQL module, 4. the fixture file.
    models = root / "schema" / "model" / "models.py"
    models.write_text(models.read_text() + VENUE_MODEL)
    entries = root / "schema" / "model" / "catalogue.py"
    text = entries.read_text().replace("    Verified,\n)", "    Venue,\n    Verified,\n)", 1)
    text = text.replace("ENTITIES: tuple[Entry[Any], ...] = (", VENUE_ENTRY, 1)
    entries.write_text(text.replace("    DISCREPANCIES,\n)", "    DISCREPANCIES,\n    VENUES,\n)", 1))
    (root / "api" / "graph" / "venues.py").write_text(VENUE_MODULE)
    (root / "fixtures" / "venues.json").write_text(json.dumps([venue], indent=2) + "\n")
    # Everything else is generated: the JSON Schema, datapackage.json (and claims.csv, unchanged).
    _run(root, "-m", "schema", "generate")
    validated = _run(root, "-m", "schema", "validate")
    assert f"{'venues':<14}{1:>5}" in validated

    changed = {name for name, digest in _tree(root).items() if before.get(name) != digest}
    hand_edited = {
        "schema/model/models.py", "schema/model/catalogue.py", "api/graph/venues.py", "fixtures/venues.json"
    }
    assert changed == hand_edited | {"schema/json/venues.schema.json", "fixtures/datapackage.json"}

    served = json.loads(_run(root, "-c", SERVE, str(tmp_path / "parley.db"), json.dumps(venue)))
    assert "errors" not in served["graphql"], served["graphql"]
    answer = served["graphql"]["data"]
    assert answer["venue"]["name"] == name and answer["venue"]["negotiation"] == {"slug": held["id"]}
    assert answer["venue"]["evidence"] == [{"exact": e["exact"]} for e in venue["evidence"]]
    assert answer["venues"] == {"totalCount": 1, "nodes": [{"slug": venue["id"]}]}
    counts = {c["entity"]: c["count"] for c in answer["meta"]["counts"]}
    assert list(counts) == [*STEMS, "venues"] and counts["venues"] == 1
    assert served["node"] == {"name": name}
    assert "<b>1</b>venues</li>" in served["home"]
    assert json.loads(served["fixture"]) == [venue]
    assert [json.loads(line)["id"] for line in served["ndjson"].splitlines()] == [venue["id"]]
    assert served["schema"] == 200
    # The database people download has its readable table, typed, with its foreign key.
    with contextlib.closing(sqlite3.connect(f"file:{tmp_path / 'parley.db'}?mode=ro", uri=True)) as db:
        assert db.execute("SELECT id, name, negotiation FROM venues").fetchall() == [
            (venue["id"], name, held["id"])
        ]
        keys = db.execute("PRAGMA foreign_key_list(venues)").fetchall()
        assert ("negotiations", "negotiation", "id") in {(k[2], k[3], k[4]) for k in keys}
    # The loader resolves its cross-reference like any other: a dangling one is named.
    assert "venues.json" in served["invalid"] and "unknown negotiation 'nowhere'" in served["invalid"]

