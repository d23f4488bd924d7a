"""Direct calls: which fields a plan can run by calling the resolver itself, chosen while it is built.

Strawberry wraps every resolver to build its own Info, convert arguments and run field extensions,
the largest cost per field of a cached query. A field with no extensions or permissions whose
arguments are all scalars (passed on unchanged) needs none of that, so a plan calls its resolver
with exactly the parameters its signature declares (the parent as `self`, a `strawberry.Info` if
asked for, the arguments by Python name). Only strawberry's public API is read
(`Schema.get_field_for_type`, `StrawberryField`, `StrawberryResolver`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import strawberry
from graphql import GraphQLField, GraphQLScalarType, get_named_type
from strawberry.types.base import StrawberryMaybe
from strawberry.types.field import StrawberryField


@dataclass(frozen=True)
class DirectCall:
    """How to call one field's resolver directly: `resolver(parent?, **keywords)`."""

    resolver: Callable[..., Any]
    """The field's resolver (strawberry's StrawberryResolver, which calls the Python function)."""
    takes_self: bool
    """Whether the parent object is passed first (as `self`)."""
    names: dict[str, str]
    """GraphQL argument name -> the resolver's Python parameter name."""
    info_name: str | None
    """The parameter that receives a strawberry.Info, if the resolver declares one."""

    def keywords(self, arguments: dict[str, Any], info: Callable[[], Any]) -> dict[str, Any]:
        """The keyword arguments of a call, from GraphQL arguments (the same for every parent object
        of one run, so a plan computes them once per run and field)."""
        keywords = {self.names[k]: v for k, v in arguments.items()}
        if self.info_name is not None:
            keywords[self.info_name] = info()
        return keywords


def direct_call(
    schema: strawberry.Schema, field: StrawberryField | None, graphql_field: GraphQLField
) -> DirectCall | None:
    """Returns how to call a field's resolver directly, or None when strawberry's wrapper is needed."""
    if field is None or field.extensions or field.permission_classes:
        return None
    names = _python_names(schema, field, graphql_field)
    if names is None:
        return None
    resolver = field.base_resolver
    if resolver is None:
        if names:
            return None
        return DirectCall(attrgetter(field.python_name), True, {}, None)  # a plain attribute
    if resolver.is_async or resolver.root_parameter is not None or resolver.parent_parameter is not None:
        return None
    declared = set(resolver.signature.parameters)
    takes_self = resolver.self_parameter is not None
    info_name = None if resolver.info_parameter is None else resolver.info_parameter.name
    expected = set(names.values()) | {info_name} - {None}
    if takes_self:
        expected.add(resolver.self_parameter.name)  # type: ignore[union-attr]
    if declared != expected:
        return None  # a parameter strawberry fills in some other way
    return DirectCall(resolver, takes_self, names, info_name)


def _python_names(
    schema: strawberry.Schema, field: StrawberryField, graphql_field: GraphQLField
) -> dict[str, str] | None:
    """Returns GraphQL name -> Python name of the field's arguments when every one is a scalar (or a
    list of scalars), which strawberry passes on unchanged; None if any needs strawberry's conversion."""
    names: dict[str, str] = {}
    for argument in field.arguments:
        if isinstance(argument.type, StrawberryMaybe):
            return None  # Maybe tells "unset" from null: strawberry's job
        graphql_name = schema.config.name_converter.get_graphql_name(argument)
        declared = graphql_field.args.get(graphql_name)
        if declared is None or not isinstance(get_named_type(declared.type), GraphQLScalarType):
            return None
        names[graphql_name] = argument.python_name
    return names
