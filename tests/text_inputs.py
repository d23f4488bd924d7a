"""Every text input of the served schema, enumerated from it (not listed by hand), and valid queries
that put a given text there, as a literal or in a variable: tests/api/test_text_limits.py checks each
one's length limit, bench/edge_bounds.py sends each one 95 kB."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
    is_leaf_type,
)

from api.graph.schema import graphql_schema

TEXT_SCALARS = {"String", "ID"}


@dataclass(frozen=True)
class TextInput:
    """One place a text value goes: a root field, its argument, and a path inside an input object."""

    field: str
    argument: str
    path: tuple[str, ...]

    def __str__(self) -> str:
        return ".".join((self.field, self.argument, *self.path))


def _unwrap(kind: Any) -> tuple[Any, bool]:
    """The type inside NonNull, and whether it is a list."""
    kind = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
    if isinstance(kind, GraphQLList):
        return get_named_type(kind), True
    return kind, False


def _text_paths(kind: GraphQLInputType, seen: frozenset[str] = frozenset()) -> list[tuple[str, ...]]:
    """Paths to every String or ID leaf of an input type (() for the type itself)."""
    named, _ = _unwrap(kind)
    if isinstance(named, GraphQLScalarType):
        return [()] if named.name in TEXT_SCALARS else []
    if isinstance(named, GraphQLInputObjectType) and named.name not in seen:
        return [
            (name, *rest)
            for name, input_field in named.fields.items()
            for rest in _text_paths(input_field.type, seen | {named.name})
        ]
    return []


@cache
def text_inputs() -> list[TextInput]:
    query = graphql_schema().query_type
    assert query is not None
    return [
        TextInput(name, arg_name, path)
        for name, field in query.fields.items()
        for arg_name, arg in field.args.items()
        for path in _text_paths(arg.type)
    ]


def _literal(kind: Any, text: str | None, path: tuple[str, ...]) -> str:
    """A GraphQL literal of `kind` with `text` at `path` and valid values for required parts."""
    named, is_list = _unwrap(kind)
    if isinstance(named, GraphQLInputObjectType):
        parts = []
        for name, input_field in named.fields.items():
            if path and path[0] == name:
                parts.append(f"{name}: {_literal(input_field.type, text, path[1:])}")
            elif isinstance(input_field.type, GraphQLNonNull):
                parts.append(f"{name}: {_literal(input_field.type, None, ())}")
        value = "{" + ", ".join(parts) + "}"
    elif isinstance(named, GraphQLEnumType):
        value = next(iter(named.values))
    elif named.name in TEXT_SCALARS:
        value = '"' + (text if text is not None and not path else "x") + '"'
    elif named.name == "Int":
        value = "1"
    elif named.name == "Boolean":
        value = "true"
    else:
        value = '"2025-06-09"'  # the dates
    return f"[{value}]" if is_list else value


def query_with(place: TextInput, text: str | None, as_variable: bool) -> tuple[str, dict[str, Any]]:
    """A valid query asking for `place` with `text` there (in a variable, or written in the document)."""
    field = graphql_schema().query_type.fields[place.field]  # type: ignore[union-attr]
    args, variables, declared = [], {}, ""
    for name, arg in field.args.items():
        if name == place.argument:
            if as_variable and not place.path:
                declared = f"($v: {arg.type})"
                args.append(f"{name}: $v")
                variables = {"v": [text] if _unwrap(arg.type)[1] else text}
            elif as_variable:  # the input object as a variable, the long text inside it
                declared = f"($v: {arg.type})"
                args.append(f"{name}: $v")
                variables = {"v": _value(arg.type, text, place.path)}
            else:
                args.append(f"{name}: {_literal(arg.type, text, place.path)}")
        elif isinstance(arg.type, GraphQLNonNull):
            args.append(f"{name}: {_literal(arg.type, None, ())}")
    selection = "" if is_leaf_type(get_named_type(field.type)) else " { __typename }"
    return f"query{declared} {{ {place.field}({', '.join(args)}){selection} }}", variables


def _value(kind: Any, text: str | None, path: tuple[str, ...]) -> Any:
    """The JSON value of a variable of `kind` with `text` at `path` (required parts filled)."""
    named, is_list = _unwrap(kind)
    value: Any
    if isinstance(named, GraphQLInputObjectType):
        value = {}
        for name, input_field in named.fields.items():
            if path and path[0] == name:
                value[name] = _value(input_field.type, text, path[1:])
            elif isinstance(input_field.type, GraphQLNonNull):
                value[name] = _value(input_field.type, None, ())
    elif isinstance(named, GraphQLEnumType):
        value = next(iter(named.values))
    elif named.name in TEXT_SCALARS:
        value = text if text is not None else "x"
    else:
        value = 1 if named.name == "Int" else True if named.name == "Boolean" else "2025-06-09"
    return [value] if is_list else value
