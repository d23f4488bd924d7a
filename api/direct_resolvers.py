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
from graphql import GraphQLObjectType, GraphQLSchema
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from api.schema import strawberry_schema

_BACKREF = "strawberry-definition"
Resolve = Callable[..., Any]
DIRECT_RESOLVERS: set[Resolve] = set()
"""Every resolver installed here: they read nothing of their info but `.context` (see api.compiled)."""


def direct_resolver(field: StrawberryField) -> Resolve | None:
    """Returns a thin graphql-core resolver for a plain field, or None when strawberry's is needed."""
    if field.arguments or field.extensions or getattr(field, "permission_classes", None):
        return None
    resolver = field.base_resolver
    if resolver is None:
        name = field.python_name

        def attribute(source: Any, info: Any) -> Any:
            return getattr(source, name)

        return attribute
    func: Resolve = resolver.wrapped_func  # type: ignore[assignment]  # a plain function here
    if inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func):
        return None
    parameters = list(inspect.signature(func).parameters)
    if parameters == ["self"]:
        return lambda source, info: func(source)
    if parameters == ["self", "info"]:
        return func
    if parameters == ["info"]:
        return lambda source, info: func(info)
    return None


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
            direct = direct_resolver(definition)
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
