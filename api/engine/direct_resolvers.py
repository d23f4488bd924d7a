"""Direct resolvers: the pipeline's schema calls plain fields' Python code without strawberry's wrapper.

Strawberry wraps every field's resolver to build its own Info, convert arguments and run field
extensions: a few microseconds per field, the largest cost of a 20-claim query once parsing and
validation are cached. Fields with no arguments, no extensions and no permissions need none of
that, so a second schema instance (same types, same SDL) gets a thin resolver on each such field.
Resolvers read only `info.context`, which graphql-core's resolve info carries too. Fields with
arguments, and the stock-strawberry baseline's schema, keep strawberry's own resolvers.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import cache
from typing import Any

import strawberry
from graphql import GraphQLField, GraphQLObjectType, GraphQLScalarType, GraphQLSchema, get_named_type
from strawberry.types.base import StrawberryMaybe, StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from api.graph.schema import strawberry_schema

_BACKREF = "strawberry-definition"
Resolve = Callable[..., Any]
DIRECT_RESOLVERS: set[Resolve] = set()
"""Every resolver installed here: they read nothing of their info but `.context` (see api.engine.compiled)."""


def _scalar_arguments(field: StrawberryField, graphql_field: GraphQLField) -> dict[str, str] | None:
    """Returns GraphQL name -> Python name of the field's arguments when every one is a scalar (or a
    list of scalars), which strawberry passes on unchanged; None if any needs strawberry's conversion."""
    names: dict[str, str] = {}
    for argument in field.arguments:
        if isinstance(argument.type, StrawberryMaybe):
            return None  # Maybe tells "unset" from null: strawberry's job
        graphql_name = next((k for k in graphql_field.args if _python_name(k) == argument.python_name), None)
        if graphql_name is None or not isinstance(
            get_named_type(graphql_field.args[graphql_name].type), GraphQLScalarType
        ):
            return None
        names[graphql_name] = argument.python_name
    return names


def _python_name(graphql_name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in graphql_name)


def direct_resolver(field: StrawberryField, graphql_field: GraphQLField) -> Resolve | None:
    """Returns a thin graphql-core resolver for a plain field, or None when strawberry's is needed."""
    if field.extensions or getattr(field, "permission_classes", None):
        return None
    names = _scalar_arguments(field, graphql_field)
    resolver = field.base_resolver
    if names is None or (resolver is None and names):
        return None
    if resolver is None:
        name = field.python_name

        def attribute(source: Any, info: Any) -> Any:
            return getattr(source, name)

        return attribute
    func: Resolve = resolver.wrapped_func  # type: ignore[assignment]  # a plain function here
    if inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func):
        return None
    parameters = list(inspect.signature(func).parameters)
    bound, rest = parameters[:1] == ["self"], [p for p in parameters if p not in ("self", "info")]
    takes_info = "info" in parameters
    if sorted(rest) != sorted(names.values()) or (parameters[:1] != ["self"] and "self" in parameters):
        return None
    if not names:
        if parameters == ["self"]:
            return lambda source, info: func(source)
        if parameters == ["self", "info"]:
            return func
        if parameters == ["info"]:
            return lambda source, info: func(info)
        return None

    def with_arguments(source: Any, info: Any, **graphql_args: Any) -> Any:
        kwargs = {names[k]: v for k, v in graphql_args.items()}
        if takes_info:
            kwargs["info"] = info
        return func(source, **kwargs) if bound else func(**kwargs)

    return with_arguments


def install_direct_resolvers(schema: GraphQLSchema) -> int:
    """Replaces the resolver of every plain field of the schema's object types; returns how many."""
    replaced = 0
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for graphql_field in named.fields.values():
            definition = (graphql_field.extensions or {}).get(_BACKREF)
            if not isinstance(definition, StrawberryField):
                continue
            direct = direct_resolver(definition, graphql_field)
            if direct is not None:
                graphql_field.resolve = direct
                DIRECT_RESOLVERS.add(direct)
                replaced += 1
    return replaced


@cache
def direct_schema() -> GraphQLSchema:
    """Returns a separate graphql-core schema, identical in SDL to the API's, with direct resolvers."""
    base = strawberry_schema()
    types = [
        named.definition.origin
        for named in base.schema_converter.type_map.values()
        if isinstance(named.definition, StrawberryObjectDefinition) and not named.definition.is_input
    ]
    twin = strawberry.Schema(query=base.query, types=types)
    install_direct_resolvers(twin._schema)
    return twin._schema
