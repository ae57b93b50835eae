"""What the Catalog's rooms share: the store, its index, the refresher, run details, the
answers derived from the index, and runs' parameters and failures (`results/`). The Catalog
builds one `Parts` and hands it to every room."""

from __future__ import annotations

from dataclasses import dataclass

from .details import RunDetailsCache
from .index import DerivedCache, RunIndex
from .refresh import Refresher
from .results.cache import ResultsCache
from .store.base import Store


@dataclass(frozen=True)
class Parts:
    store: Store
    index: RunIndex
    refresher: Refresher
    details: RunDetailsCache
    derived: DerivedCache
    results: ResultsCache

    @classmethod
    def build(cls, store: Store, index: RunIndex, refresh_interval: float) -> Parts:
        refresher = Refresher(store, index, refresh_interval)
        details = RunDetailsCache(store, index, refresher)
        results = ResultsCache(store, index, refresher)
        return cls(store, index, refresher, details, DerivedCache(index), results)


class Room:
    """A part of the Catalog owning one kind of question."""

    def __init__(self, parts: Parts) -> None:
        self.parts = parts
        self.store = parts.store
        self.index = parts.index
        self.refresher = parts.refresher
