"""Shares what validated records repeat: fields-set objects, identical small values and id strings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum
from functools import cache
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel

from schema.model.values import FieldNote, Verification

_SHARED_VALUES = (Verification, FieldNote)
"""Small frozen values that records repeat by the thousand (the same verification on most records)."""

_ID_FIELDS = frozenset(
    {"source", "speaker", "negotiation", "claim", "party", "person", "origin", "outlet", "by", "field"}
    | {"start", "end"}
)
"""Fields holding ids or offsets that many records repeat: one str or int object per distinct value
(CPython caches only the ints below 257; offsets repeat far more often than they differ)."""


def _holds_models(annotation: object) -> bool:
    """Whether a field of this type can hold a model (anything but strings, numbers, dates, enums)."""
    if annotation is None or annotation is type(None):
        return False
    if get_origin(annotation) is Annotated:
        return _holds_models(get_args(annotation)[0])
    if isinstance(annotation, type) and issubclass(annotation, str | int | float | bytes | dt.date | Enum):
        return False
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    args = get_args(annotation)
    return not args or any(_holds_models(arg) for arg in args)


@cache
def _plan(model: type[BaseModel]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fields that can hold models, id fields holding strings) of a model class."""
    fields = model.model_fields
    parts = tuple(name for name, info in fields.items() if _holds_models(info.annotation))
    ids = tuple(name for name in fields if name in _ID_FIELDS and name not in parts)
    return parts, ids


class Compactor:
    """Replaces equal parts of validated records by one shared object, in place.

    Only equal values are shared, so every record reads exactly as before. Each model's
    `__pydantic_fields_set__` becomes one set per distinct set of names (a few dozen, where every
    model held its own); pydantic copies that set before changing it
    (`model_copy`), and the models are frozen, so nothing writes to a shared one.
    """

    def __init__(self) -> None:
        self._fields_sets: dict[frozenset[str], set[str]] = {}
        self._last_set: dict[type[BaseModel], set[str]] = {}
        self._values: dict[tuple[object, ...], BaseModel] = {}
        self._scalars: dict[str | int, str | int] = {}

    def records(self, records: Iterable[BaseModel]) -> None:
        """Compacts every record (and every model inside it) in place."""
        for record in records:
            self._model(record)

    def _model(self, model: BaseModel) -> None:
        cls = type(model)
        fields_set = model.__pydantic_fields_set__
        shared = self._last_set.get(cls)
        if shared is None or (shared is not fields_set and shared != fields_set):
            shared = self._fields_sets.setdefault(frozenset(fields_set), fields_set)
            self._last_set[cls] = shared
        if shared is not fields_set:
            object.__setattr__(model, "__pydantic_fields_set__", shared)
        parts, ids = _plan(cls)
        attributes: dict[str, Any] = model.__dict__
        scalars = self._scalars
        for name in ids:
            value = attributes[name]
            if type(value) is str or type(value) is int:
                attributes[name] = scalars.setdefault(value, value)
        for name in parts:
            value = attributes[name]
            if type(value) is list:
                for index, item in enumerate(value):
                    if isinstance(item, _SHARED_VALUES):
                        value[index] = self._part(item)
                    elif isinstance(item, BaseModel):
                        self._model(item)
            elif isinstance(value, _SHARED_VALUES):
                attributes[name] = self._part(value)
            elif isinstance(value, BaseModel):
                self._model(value)

    def _part(self, model: BaseModel) -> BaseModel:
        if isinstance(model, _SHARED_VALUES):
            attributes = model.__dict__
            values = (tuple(v) if type(v) is list else v for v in attributes.values())
            # The names set count too: model_dump(exclude_unset=True) must read the same.
            key = (type(model), frozenset(model.__pydantic_fields_set__), *values)
            shared = self._values.get(key)
            if shared is not None:
                return shared
            self._values[key] = model
        self._model(model)
        return model
