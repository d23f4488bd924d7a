"""The registry of entities: every entity the API serves, in the catalogue's order.

The schema's root fields come from this one list: per entity a slug lookup (`outlet(slug)`) and a
connection (`outlets(filter, orderBy, first, ...)`); `node(id)` and `nodes(ids)` reach every one.
Nothing is listed by hand: each catalogued entity's `Entity(...)` is found in `api/graph/<stem>.py`,
or in the module of another entity (`sources` declares `outlets` too).
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from api.graph.entity import Entity
from schema.model.catalogue import ENTITIES as CATALOGUE


def _entities() -> tuple[Entity, ...]:
    """Imports the modules named after catalogued stems; returns the entities they declare, in the
    catalogue's order. Raises ImportError naming what is missing or contradicts the catalogue."""
    found: dict[str, Entity] = {}
    for entry in CATALOGUE:
        name = f"{__package__}.{entry.stem}"
        if find_spec(name) is None:
            continue
        for value in vars(import_module(name)).values():
            if isinstance(value, Entity) and found.setdefault(value.stem, value) is not value:
                raise ImportError(f"{name}: a second API entity for {value.stem!r}")
    problems = [
        f"{entry.stem} has no API entity (declare one in {__package__}.{entry.stem})"
        if entry.stem not in found
        else f"{entry.stem}'s API type is {found[entry.stem].type_name}, its model {entry.model.__name__}"
        for entry in CATALOGUE
        if entry.stem not in found or found[entry.stem].type_name != entry.model.__name__
    ]
    if problems:
        raise ImportError("the API does not match schema/model/catalogue.py: " + "; ".join(problems))
    return tuple(found[entry.stem] for entry in CATALOGUE)


ENTITIES: tuple[Entity, ...] = _entities()
