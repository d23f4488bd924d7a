"""Direct resolvers: a twin schema with the same SDL whose plain fields skip strawberry's wrapper."""

from __future__ import annotations

from pathlib import Path

import pytest
from api_client import dataset
from graphql import GraphQLObjectType, execute_sync, parse, print_schema

from api.engine.direct_resolvers import direct_schema
from api.graph.context import Context
from api.graph.schema import graphql_schema

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.graphql"))
NESTED = """{ claims(first: 40) { totalCount pageInfo { hasNextPage endCursor } nodes {
  id slug summary topics setting saidOn { date precision note earliest evidence { exact start end } }
  speaker { id name named aliases { name } } negotiation { name }
  citations { mode cue { exact } evidence { exact prefix suffix start end source { headline } }
    source { id outlet { name kind } } outlet { name } }
  independentSourceCount outlets { name } sources { seed }
} } }"""


def _blocks(sdl: str) -> list[str]:
    return sorted(sdl.split("\n\n"))


def test_the_twin_schema_has_the_same_sdl_but_is_a_separate_object() -> None:
    assert direct_schema() is not graphql_schema()
    assert _blocks(print_schema(direct_schema())) == _blocks(print_schema(graphql_schema()))


def test_plain_fields_and_scalar_arguments_resolve_directly_input_objects_do_not() -> None:
    claim, query = direct_schema().type_map["Claim"], direct_schema().type_map["Query"]
    stock = graphql_schema().type_map["Claim"]
    assert isinstance(claim, GraphQLObjectType) and isinstance(stock, GraphQLObjectType)
    assert isinstance(query, GraphQLObjectType)
    assert claim.fields["summary"].resolve is not stock.fields["summary"].resolve
    assert claim.fields["summary"].resolve.__module__ == "api.engine.direct_resolvers"
    # citations(outlet: ID, asOf: Date): scalars, passed on by name (asOf -> as_of)
    assert claim.fields["citations"].resolve.__module__ == "api.engine.direct_resolvers"
    # claims(filter: ClaimFilter, orderBy: ClaimOrder, ...): input objects need strawberry's conversion
    assert query.fields["claims"].resolve.__module__ == "strawberry.schema.schema_converter"
    # the baseline keeps strawberry's resolvers everywhere
    assert stock.fields["summary"].resolve.__module__ == "strawberry.schema.schema_converter"


@pytest.mark.parametrize("source", [NESTED, *(p.read_text(encoding="utf-8") for p in EXAMPLES)])
def test_both_schemas_give_identical_results(source: str) -> None:
    context = Context.for_dataset(dataset())
    document = parse(source)
    variables = {"name": "Lutnick", "text": "rare earth", "first": 3, "after": None, "asOf": "2025-06-10"}
    direct = execute_sync(direct_schema(), document, context_value=context, variable_values=variables)
    stock = execute_sync(graphql_schema(), document, context_value=context, variable_values=variables)
    assert direct.errors is None and stock.errors is None
    assert direct.data == stock.data
    assert direct.data is not None
