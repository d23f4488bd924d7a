"""The registry of entities: every entity the API serves, in fixture order.

The schema's root fields come from this one list: per entity a slug lookup (`outlet(slug)`) and a
connection (`outlets(filter, orderBy, first, ...)`); `node(id)` and `nodes(ids)` reach every one.
Adding an entity: its module (strawberry type, filter input, an `Entity(...)` with its order keys),
then one line here.
"""

from __future__ import annotations

from api.graph.claims import CITATIONS, CLAIMS
from api.graph.discrepancies import DISCREPANCIES
from api.graph.entity import Entity
from api.graph.negotiations import DELEGATES, NEGOTIATIONS
from api.graph.people import PARTIES, PEOPLE
from api.graph.sources import OUTLETS, SOURCES

ENTITIES: tuple[Entity, ...] = (
    OUTLETS,
    SOURCES,
    PARTIES,
    PEOPLE,
    NEGOTIATIONS,
    DELEGATES,
    CLAIMS,
    CITATIONS,
    DISCREPANCIES,
)
