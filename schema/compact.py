"""Shares what validated records repeat: fields-set objects, identical small values and id strings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from schema.values import FieldNote, Verification

_SHARED_VALUES = (Verification, FieldNote)
"""Small frozen values that records repeat by the thousand (the same verification on most records)."""

_ID_FIELDS = frozenset(
    {"source", "speaker", "negotiation", "claim", "party", "person", "origin", "outlet", "by", "field"}
)
"""Fields holding ids or names that many records repeat: one str object per distinct value."""


class Compactor:
    """Replaces equal parts of validated records by one shared object, in place.

    Only equal values are shared, so every record reads exactly as before. Each model's
    `__pydantic_fields_set__` becomes one set per distinct set of names (1.3M sets of up to 700
    bytes each at 100k claims, 22 distinct); pydantic copies that set before changing it
    (`model_copy`), and the models are frozen, so nothing writes to a shared one.
    """

    def __init__(self) -> None:
        self._fields_sets: dict[frozenset[str], set[str]] = {}
        self._values: dict[tuple[object, ...], BaseModel] = {}
        self._strings: dict[str, str] = {}

    def records(self, records: Iterable[BaseModel]) -> None:
        """Compacts every record (and every model inside it) in place."""
        for record in records:
            self._model(record)

    def _model(self, model: BaseModel) -> None:
        fields_set = model.__pydantic_fields_set__
        shared = self._fields_sets.setdefault(frozenset(fields_set), fields_set)
        if shared is not fields_set:
            object.__setattr__(model, "__pydantic_fields_set__", shared)
        attributes: dict[str, Any] = model.__dict__
        for name, value in attributes.items():
            if type(value) is str:
                if name in _ID_FIELDS:
                    attributes[name] = self._strings.setdefault(value, value)
            elif isinstance(value, BaseModel):
                attributes[name] = self._part(value)
            elif type(value) is list and value and not isinstance(value[0], str | int):
                value[:] = [self._part(item) if isinstance(item, BaseModel) else item for item in value]

    def _part(self, model: BaseModel) -> BaseModel:
        if isinstance(model, _SHARED_VALUES):
            attributes = model.__dict__
            key = (type(model), *(tuple(v) if type(v) is list else v for v in attributes.values()))
            shared = self._values.get(key)
            if shared is not None:
                return shared
            self._values[key] = model
        self._model(model)
        return model
