"""What resolvers are written with: the per-request context (dataset, indexes) and the field decorator."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar, cast

import strawberry

from api.graph.deadline import past_deadline
from api.graph.indexes import ApiIndex
from schema.model.dataset import Dataset
from schema.store.reader import StoredDataset

T = TypeVar("T")

Estimate = Callable[[str, str | None, Mapping[str, Any]], int]
"""(query text, operation name, variables) -> the operation's estimated cost."""


@dataclass
class Pricing:
    """How queries are priced on this server, for `queryCost` (api/graph/cost.py): the estimate
    and limit of the engine running over this context, which binds them when it is built (the API
    layer cannot import the engine)."""

    estimate: Estimate | None = None
    limit: int = 0


@dataclass(frozen=True)
class Context:
    """What every resolver gets as `info.context`: the dataset and its derived indexes."""

    dataset: StoredDataset
    index: ApiIndex
    pricing: Pricing = field(default_factory=Pricing, compare=False, repr=False)
    """The engine's cost estimate and limit, for `queryCost` (set by the app that builds the engine)."""
    _records: dict[str, Sequence[Any]] = field(default_factory=dict, compare=False, repr=False)
    _derived: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def for_dataset(cls, dataset: StoredDataset) -> Context:
        """Takes an opened snapshot's dataset and returns a context over it (do this once per app);
        its statements then stop at the execution's deadline (`past_deadline`)."""
        assert dataset.store is not None, "served from an opened snapshot"
        dataset.store.interrupt = past_deadline
        return cls(dataset=dataset, index=ApiIndex.from_store(dataset))

    def records(self, stem: str) -> Sequence[Any]:
        """Returns every record of a fixture stem in file order: one list per context, never copied."""
        found = self._records.get(stem)
        if found is None:
            values = self.dataset.tables[stem].values()  # a snapshot's is a lazy Sequence: kept as is
            found = self._records[stem] = values if isinstance(values, Sequence) else list(values)
        return found

    def derived(self, name: str, build: Callable[[Context], T]) -> T:
        """Returns an index derived from this context's data, built on first use (once per app)."""
        found: T | None = self._derived.get(name)
        if found is None:
            found = self._derived[name] = build(self)
        return found


Info = strawberry.Info[Context, Any]


def data(info: Info) -> Dataset:
    """Returns the dataset of the request being resolved."""
    return info.context.dataset


def index(info: Info) -> ApiIndex:
    """Returns the derived indexes of the request being resolved."""
    return info.context.index


P = ParamSpec("P")
R = TypeVar("R")


def described(
    description: str, *, name: str | None = None, graphql_type: Any | None = None
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """`@strawberry.field(description=...)` with a type mypy can follow (strawberry's is `Any`).

    `graphql_type` declares the field's GraphQL type when the resolver's annotation cannot name it:
    another entity's type, referred to lazily (see api.graph.type_registry.lazy).
    """
    field = strawberry.field(description=description, name=name, graphql_type=graphql_type)
    return cast(Callable[[Callable[P, R]], Callable[P, R]], field)
