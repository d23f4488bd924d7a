"""The registry of entities: root fields, index-backed selection, enums defined once, indexes not scans."""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import Any

import pytest
import strawberry
from strawberry.tools import create_type

from api.errors import UserInputError
from api.graph.claims import CLAIMS, ClaimFilter
from api.graph.common import Record, record_field
from api.graph.context import Context, Info, described
from api.graph.entity import Entity, connection_field, keep, lookup_field, node_fields
from api.graph.enums import graphql_enum
from api.graph.ordering import BY_NAME
from api.graph.refs import slug_of
from api.graph.registry import ENTITIES
from api.graph.relay import decode_global_id, encode_global_id, split_global_id
from api.graph.schema import graphql_schema
from schema.load.loader import load_dataset
from schema.model import models
from schema.model.dataset import FIXTURE_MODELS
from schema.model.values import Precision
from tests.api_client import dataset
from tests.datafiles import FIXTURES, SEEDS, fixture_counts
from tests.oracle import Oracle


@cache
def context() -> Context:
    return Context.for_dataset(dataset())


def test_the_registry_lists_every_fixture_entity_in_fixture_order() -> None:
    assert [e.stem for e in ENTITIES] == list(FIXTURE_MODELS)
    assert [e.type_name for e in ENTITIES] == [m.__name__ for m in FIXTURE_MODELS.values()]


def test_every_entity_has_a_slug_lookup_and_a_connection_at_the_root() -> None:
    fields = graphql_schema().query_type.fields  # type: ignore[union-attr]
    for entity in ENTITIES:
        assert str(fields[entity.field_name].type) == entity.type_name
        assert list(fields[entity.field_name].args) == ["slug"]
        assert str(fields[entity.stem].type) == f"{entity.type_name}Connection!"
        assert list(fields[entity.stem].args) == ["filter", "orderBy", "first", "last", "after", "before"]
    assert list(fields)[:2] == ["node", "nodes"]


# --- selection on indexes ---------------------------------------------------------------


def _indexed_cases() -> list[tuple[Entity, str, str]]:
    """(entity, filter field, reference) for every indexed field: each id in its index, one unknown
    slug, and the first id again as a global ID."""
    cases = []
    for entity in ENTITIES:
        for name, (type_name, index) in entity.indexed.items():
            keys = list(index(context()))
            assert keys, f"{entity.stem}.{name}: empty index"
            cases += [(entity, name, key) for key in keys]
            cases += [(entity, name, "no-such-record"), (entity, name, encode_global_id(type_name, keys[0]))]
    return cases


@cache
def oracle() -> Oracle:
    return Oracle(load_dataset(FIXTURES, SEEDS))


@pytest.mark.parametrize(("entity", "name", "reference"), _indexed_cases(), ids=repr)
def test_an_indexed_condition_selects_exactly_what_a_full_scan_keeps(
    entity: Entity, name: str, reference: str
) -> None:
    where = entity.filter(**{name: strawberry.ID(reference)})
    selected = [r.id for r in entity.select(context(), where, None)]
    if entity.in_sql:  # claims and citations: the index list against the rules written out
        assert selected == getattr(oracle(), entity.stem)({name: reference})
    else:
        assert selected == [r.id for r in keep(context(), context().records(entity.stem), where)]


CLAIM_FILTERS: list[dict[str, str]] = [
    {"speaker": "donald-trump", "outlet": "caliber-az"},
    {"negotiation": "london-2025", "mode": "PARAPHRASE"},
    {"text": "rare earth"},
    {"source": "asean-now-fragile-progress", "text": "china"},
]


@pytest.mark.parametrize("where", CLAIM_FILTERS, ids=repr)
def test_combined_claim_conditions_select_what_the_rules_keep(where: dict[str, str]) -> None:
    given = {k: models.CitationMode[v] if k == "mode" else v for k, v in where.items()}
    expected = oracle().claims(where)
    assert expected, "every case keeps something"
    assert [c.id for c in CLAIMS.select(context(), ClaimFilter(**given), None)] == expected  # type: ignore[arg-type]


def test_a_lone_indexed_condition_answers_with_the_index_list_itself() -> None:
    selected = CLAIMS.select(context(), ClaimFilter(speaker=strawberry.ID("howard-lutnick")), None)
    assert selected is dataset().claims_by_speaker["howard-lutnick"]
    assert [c.id for c in selected][:2] == [
        "lutnick-talks-progressing-may-extend",
        "lutnick-negotiations-fruitful",
    ]


def test_no_filter_means_every_record_in_file_order_from_one_shared_list() -> None:
    for entity in ENTITIES:
        everything = entity.select(context(), None, None)
        assert everything is context().records(entity.stem)
        assert [r.id for r in everything] == list(getattr(dataset(), entity.stem))
    assert len(context().records("claims")) == fixture_counts()["claims"]


def test_a_reference_of_the_wrong_type_is_a_client_error() -> None:
    wrong = ClaimFilter(speaker=strawberry.ID(encode_global_id("Source", "econotimes-talks-resume")))
    with pytest.raises(
        UserInputError, match="is a Source ID, but this argument takes a slug or ID of type Person"
    ):
        CLAIMS.select(context(), wrong, None)


def test_one_decoder_reads_global_ids_for_node_and_for_references() -> None:
    encoded = encode_global_id("Person", "howard-lutnick")
    assert split_global_id(encoded) == decode_global_id(encoded) == ("Person", "howard-lutnick")
    assert slug_of(encoded, "Person") == "howard-lutnick"
    assert split_global_id("howard-lutnick") is None  # not base64 of "Type:slug": a plain slug
    assert slug_of("howard-lutnick", "Person") == "howard-lutnick"
    with pytest.raises(UserInputError, match="not a valid global id"):
        decode_global_id("howard-lutnick")


# --- enums are defined once, in schema/ ------------------------------------------------

DATA_ENUMS: list[type[StrEnum]] = [
    Precision,
    models.OutletKind,
    models.PersonKind,
    models.NegotiationStatus,
    models.CitationMode,
    models.DiscrepancyKind,
]


@pytest.mark.parametrize("enum", DATA_ENUMS, ids=lambda e: e.__name__)
def test_each_graphql_enum_of_the_data_is_the_schema_enum_itself(enum: type[StrEnum]) -> None:
    graphql_type: Any = graphql_schema().type_map[enum.__name__]
    assert graphql_type.wrapped_cls is enum
    assert list(graphql_type.values) == list(enum.__members__)
    assert all(v.description for v in graphql_type.values.values())
    first = next(iter(enum))
    assert graphql_type.serialize(first) == first.name  # resolvers return the records' members as they are
    assert graphql_type.parse_value(first.name) is first  # and inputs arrive as those members


def test_a_graphql_enum_must_describe_exactly_the_members() -> None:
    class Colour(StrEnum):
        RED = "red"
        BLUE = "blue"

    with pytest.raises(ValueError, match="describe exactly its members"):
        graphql_enum(Colour, "Colours.", {"RED": "Red."})


def test_an_enum_filter_compares_schema_members() -> None:
    where = next(e for e in ENTITIES if e.stem == "outlets").filter(kind=models.OutletKind.WIRE_SERVICE)
    kept = keep(context(), context().records("outlets"), where)
    assert kept and all(o.kind is models.OutletKind.WIRE_SERVICE for o in kept)


# --- resolvers read indexes built once, the same as a scan would find -------------------


def test_the_indexes_behind_party_negotiation_and_claim_fields_equal_their_scans() -> None:
    data, index = dataset(), context().index
    for party in data.parties:
        scan = [d.id for d in data.delegates.values() if d.party == party]
        assert [d.id for d in index.delegates_by_party.get(party, [])] == scan
    for negotiation in data.negotiations:
        people = {d.person for d in data.delegates_by_negotiation.get(negotiation, [])}
        scan = [
            d.id
            for d in data.discrepancies.values()
            if d.negotiation == negotiation or (d.negotiation is None and d.person in people)
        ]
        assert [d.id for d in index.discrepancies_by_negotiation.get(negotiation, [])] == scan
        successors = [n.id for n in data.negotiations.values() if n.predecessor == negotiation]
        assert [n.id for n in index.successors.get(negotiation, [])] == successors
    assert any(index.discrepancies_by_negotiation.values()) and any(index.successors.values())


# --- adding an entity: its module and one registry line ---------------------------------


@strawberry.type(description="A test-only entity over the people fixture: who speaks, and how often.")
class Speaker(Record):
    record: strawberry.Private[models.Person]
    name = record_field("name", str, "The speaker's canonical name.")

    @described("How many claims the speaker made.")
    def claim_count(self, info: Info) -> int:
        return len(info.context.dataset.claims_by_speaker.get(self.record.id, []))


@strawberry.input(description="Conditions on speakers.")
class SpeakerFilter:
    named: bool | None = strawberry.field(default=None, description="Named (true) or unnamed (false).")

    def passes(self, _: Context, r: models.Person) -> bool:
        return self.named is None or r.named is self.named


SPEAKERS = Entity(
    stem="people",
    object_type=Speaker,
    filter=SpeakerFilter,
    order_keys=dict(NAME=BY_NAME),
    lookup_doc="A speaker by slug.",
    connection_doc="Everyone who speaks.",
)


def test_a_new_entity_gets_its_lookup_connection_order_and_node_from_the_mechanism() -> None:
    fields = [*node_fields([SPEAKERS]), lookup_field(SPEAKERS), connection_field(SPEAKERS, name="speakers")]
    schema = strawberry.Schema(query=create_type("Query", fields), types=[Speaker])
    sdl = schema.as_str()
    assert "  speaker(" in sdl and "  speakers(" in sdl and "  node(" in sdl
    assert (
        "enum SpeakerOrderField {" in sdl and "input SpeakerOrder {" in sdl and "input SpeakerFilter {" in sdl
    )
    query = """{
      speaker(slug: "howard-lutnick") { name claimCount id }
      speakers(filter: {named: true}, orderBy: {field: NAME, direction: DESC}, first: 2) {
        totalCount nodes { slug }
      }
    }"""
    result = schema.execute_sync(query, context_value=context())
    assert result.errors is None, result.errors
    assert result.data is not None
    assert result.data["speaker"]["name"] == "Howard Lutnick"
    assert result.data["speaker"]["claimCount"] == len(dataset().claims_by_speaker["howard-lutnick"]) > 0
    named = sorted((p for p in dataset().people.values() if p.named), key=lambda p: p.name.casefold())
    assert result.data["speakers"]["totalCount"] == len(named)
    assert [n["slug"] for n in result.data["speakers"]["nodes"]] == [p.id for p in named[::-1][:2]]
    again = schema.execute_sync(
        "query($id: ID!) { node(id: $id) { ... on Speaker { name } } }",
        variable_values={"id": result.data["speaker"]["id"]},
        context_value=context(),
    )
    assert again.data == {"node": {"name": "Howard Lutnick"}}
