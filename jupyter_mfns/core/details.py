"""Runs' status, finish time and resume origin: computed by the store, cached in the index.

Details cost more reads than a listing (the end task's artifacts, for a running run its tasks),
so they are kept in the index: for good once the run finished, for one refresh interval while
it may still change. A recomputed status that differs from the kept one is a change (`run`).
"""

from __future__ import annotations

import time
from typing import Dict, List, Optional, Sequence

from .changes import Change
from .index import RunIndex, RunRow
from .refresh import Refresher
from .store.base import RunDetails, Store

#: unfinished runs re-checked after each background refresh while someone is subscribed
POLLED_RUNS = 8


class RunDetailsCache:
    """Details of runs, from the index while valid, else from the store."""

    def __init__(self, store: Store, index: RunIndex, refresher: Refresher) -> None:
        self.store = store
        self.index = index
        self.refresher = refresher
        refresher.add_poller(self.poll_unfinished)
        refresher.add_activity_handler(self.recheck)

    def cached(self, row: Optional[RunRow]) -> Optional[RunDetails]:
        """The index's details when still valid (final, or recent enough)."""
        if row is None:
            return None
        details = row.stored_details()
        if details is None:
            return None
        at = row.details_at
        if details.final or (at is not None and time.time() - at < self.refresher.refresh_interval):
            return details
        return None

    def of_run(self, flow: str, run_id: str, row: Optional[RunRow]) -> RunDetails:
        """Cached details, recomputed while the run may still change."""
        cached = self.cached(row)
        if cached is not None:
            return cached
        details = self.store.run_details(flow, run_id)
        if row is not None:
            self._keep(row, details)
        return details

    def of_page(self, rows: Sequence[RunRow]) -> List[RunDetails]:
        """Details of a page of runs; the missing ones in one `run_details_many` call per flow
        (the service store fetches them concurrently)."""
        out: List[Optional[RunDetails]] = [self.cached(row) for row in rows]
        missing = [i for i, d in enumerate(out) if d is None]
        if len(missing) > 1:
            by_flow: Dict[str, List[int]] = {}
            for i in missing:
                by_flow.setdefault(rows[i].flow, []).append(i)
            for flow, idx in by_flow.items():
                got = self.store.run_details_many(flow, [rows[i].run_id for i in idx])
                for i in idx:
                    out[i] = got[rows[i].run_id]
                    self._keep(rows[i], got[rows[i].run_id])
        return [
            d if d is not None else self.of_run(row.flow, row.run_id, row)
            for d, row in zip(out, rows)
        ]

    def _keep(self, row: RunRow, details: RunDetails) -> None:
        self.index.set_details(row.flow, row.run_id, details)
        before = row.stored_details()
        if before is not None and (before.status, before.finished_at) != (
            details.status,
            details.finished_at,
        ):
            self.refresher.announce([Change("run", row.flow, f"{row.flow}/{row.run_id}")])

    def recheck(self, flow: str, run_id: str) -> None:
        """Recompute an unfinished run's details now: something happened in it."""
        row = self.index.run_row(flow, run_id)
        if row is None:
            return
        before = row.stored_details()
        if before is not None and before.final:
            return  # done for good
        self._keep(row, self.store.run_details(flow, run_id))

    def poll_unfinished(self) -> None:
        """Recompute the details of the newest runs last seen running (a finish is a change)."""
        for row in self.index.unfinished_runs(POLLED_RUNS):
            self.of_run(row.flow, row.run_id, row)
