"""The GraphQL schema: every type, field, argument and enum value described; the checked-in SDL current."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
    is_introspection_type,
    is_specified_scalar_type,
)

from api.graph.schema import SDL_PATH, graphql_schema, print_sdl


def missing_descriptions() -> list[str]:
    """Walks the schema and returns the coordinates of everything that has no description."""
    missing: list[str] = []
    for name, named in graphql_schema().type_map.items():
        if is_introspection_type(named) or is_specified_scalar_type(named):
            continue
        if not (named.description or "").strip():
            missing.append(name)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                if not (field.description or "").strip():
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in field.args.items():
                    if not (arg.description or "").strip():
                        missing.append(f"{name}.{field_name}({arg_name}:)")
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                if not (input_field.description or "").strip():
                    missing.append(f"{name}.{field_name}")
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                if not (value.description or "").strip():
                    missing.append(f"{name}.{value_name}")
        elif isinstance(named, GraphQLUnionType):
            pass  # a union has only its own description, checked above
    return missing


def test_every_type_field_argument_and_enum_value_has_a_description() -> None:
    assert missing_descriptions() == []


def test_the_walk_would_notice_a_missing_description() -> None:
    field = graphql_schema().query_type.fields["claims"]  # type: ignore[union-attr]
    saved = field.args["first"].description
    field.args["first"].description = None
    try:
        assert missing_descriptions() == ["Query.claims(first:)"]
    finally:
        field.args["first"].description = saved


def test_checked_in_sdl_equals_the_printed_schema() -> None:
    assert SDL_PATH.read_text(encoding="utf-8") == print_sdl(), "run `parley export-schema`"


def test_the_schema_has_every_entity_as_a_node_with_a_root_connection() -> None:
    schema = graphql_schema()
    node = schema.get_type("Node")
    assert isinstance(node, GraphQLInterfaceType)
    entities = [
        "Outlet",
        "Source",
        "Party",
        "Person",
        "Negotiation",
        "Delegate",
        "Claim",
        "Citation",
        "Discrepancy",
    ]
    assert sorted(t.name for t in schema.get_implementations(node).objects) == sorted(entities)
    roots = schema.query_type.fields  # type: ignore[union-attr]
    connections = ["outlets", "sources", "parties", "people", "negotiations", "delegates", "claims"]
    for root in [*connections, "citations", "discrepancies"]:
        assert set(roots[root].args) == {"filter", "orderBy", "first", "last", "after", "before"}, root
