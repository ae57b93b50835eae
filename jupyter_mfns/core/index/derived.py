"""Answers computed from the whole index, kept until the index changes."""

from __future__ import annotations

from typing import Any, Callable, Dict, Hashable, TypeVar

from .run_index import RunIndex

T = TypeVar("T")


class DerivedCache:
    """`compute()` answers keyed by the index generation (counts over 100k runs are not free)."""

    def __init__(self, index: RunIndex) -> None:
        self.index = index
        self._generation = -1
        self._answers: Dict[Hashable, Any] = {}

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        generation = self.index.generation  # read before computing: never cache older data
        if generation != self._generation:
            self._answers, self._generation = {}, generation
        answers = self._answers
        if key not in answers:
            answers[key] = compute()
        value: T = answers[key]
        return value
