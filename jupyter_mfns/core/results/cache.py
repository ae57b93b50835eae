"""What a RUN answer adds from the datastore (parameters, failure), kept in the index.

Parameters never change once a run started, so each run's are read once (`params.py`) and
written to the index: its answer as JSON, and one row per value for `where` and `sort`.
New runs are read as they are indexed: a page shows them at once, a parameter query first
reads the flow's missing ones, and after each background refresh the rest are read in batches
(a cold 100k-run store fills while queries are answered). A failure is read when a failed run
is shown and kept once the run's details are final.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..index import RunIndex
from ..model import FailureJSON
from ..refresh import Refresher
from ..store.base import RunDetails, RunRecord, Store
from .dag import graph_steps
from .extras import RunExtras
from .failure import read_failure
from .params import RunParameters, graph_info, read_parameters
from .tasks import TaskReader
from .values import ValueReader

#: runs read per batch (one index transaction each)
FILL_BATCH = 256
#: seconds one background fill may take before the refresh loop gets the thread back
FILL_BUDGET = 2.0
#: seconds before a run whose `_parameters` task was not written yet is tried again
PENDING_RETRY = 2.0


class ResultsCache:
    """Reads runs' parameters and failures from the store, once, into the index."""

    def __init__(self, store: Store, index: RunIndex, refresher: Refresher) -> None:
        self.store = store
        self.index = index
        self.values = ValueReader(store)
        self.tasks = TaskReader(store)
        self._pending: Dict[Tuple[str, str], float] = {}
        self._fill_lock = threading.Lock()
        refresher.add_after_refresh(self.fill_background)

    # -- parameters --------------------------------------------------------------------------
    def read(self, flow: str, runs: Sequence[Tuple[str, int]]) -> Dict[str, Optional[str]]:
        """Read the parameters of `runs` ((run_id, created_at)) from the store and index them;
        run_id -> answer JSON (None while a run's `_parameters` task is not written)."""
        now = time.monotonic()
        found: List[Optional[RunParameters]] = self.store.map_concurrently(
            lambda r: read_parameters(self.store, self.values, flow, r[0], r[1]), list(runs)
        )
        items: List[Tuple[str, int, Dict[str, Any], str]] = []
        out: Dict[str, Optional[str]] = {}
        for (run_id, created_at), params in zip(runs, found):
            if params is None:
                self._pending[(flow, run_id)] = now + PENDING_RETRY
                out[run_id] = None
                continue
            self._pending.pop((flow, run_id), None)
            answer = json.dumps(params.to_json())
            items.append((run_id, created_at, params.values, answer))
            out[run_id] = answer
        self.index.write_parameters(flow, items)
        return out

    def parameters_of(self, flow: str, runs: Sequence[Tuple[str, int]]) -> Dict[str, RunExtras]:
        """Parameters of `runs` from the index, read now for those it does not hold yet."""
        stored = self.index.results_of(flow, [r for r, _ in runs])
        known = {r: v[0] for r, v in stored.items() if v[0] is not None}
        missing = [r for r in runs if r[0] not in known]
        if missing:
            known.update({k: v for k, v in self.read(flow, missing).items() if v is not None})
        return {run_id: RunExtras.from_answer(known.get(run_id)) for run_id, _ in runs}

    def fill_flow(self, flow: str, budget: Optional[float] = None) -> bool:
        """Read every run of `flow` whose parameters are not indexed (true when done)."""
        started = time.monotonic()
        with self._fill_lock:
            while True:
                now = time.monotonic()
                waiting = {r for (f, r), at in self._pending.items() if f == flow and at > now}
                batch = [
                    r
                    for r in self.index.missing_parameters(flow, FILL_BATCH + len(waiting))
                    if r[0] not in waiting
                ][:FILL_BATCH]
                if not batch:
                    return True
                self.read(flow, batch)
                if budget is not None and time.monotonic() - started > budget:
                    return False

    def fill_background(self) -> None:
        """After a background refresh: read missing parameters, a time budget at a time."""
        started = time.monotonic()
        for flow in self.index.known_flows():
            left = FILL_BUDGET - (time.monotonic() - started)
            if left <= 0 or not self.fill_flow(flow, left):
                return

    # -- failures ----------------------------------------------------------------------------
    def failure_of(
        self, rec: RunRecord, details: RunDetails, stored: Optional[Tuple[Optional[str], int]]
    ) -> Optional[FailureJSON]:
        """A failed run's failure (read once its details are final, then kept)."""
        if details.status != "failed":
            return None
        if stored is not None and stored[0] is not None and stored[1]:
            value: Optional[FailureJSON] = json.loads(stored[0])
            return value
        graph, _ = graph_info(self.store, self.values, rec.flow, rec.run_id)
        steps = list(graph_steps(graph)) or [s.name for s in self.store.steps(rec.flow, rec.run_id)]
        tasks = self.tasks.run_tasks(rec.flow, rec.run_id, steps, details.final)
        failure = read_failure(self.store, self.values, rec, tasks)
        self.index.write_failure(rec.flow, rec.run_id, json.dumps(failure), details.final)
        return failure

    def of_runs(self, flow: str, runs: Sequence[Tuple[RunRecord, RunDetails]]) -> List[RunExtras]:
        """Extras of a page of runs of one flow (parameters indexed, failures of failed ones)."""
        extras = self.parameters_of(flow, [(rec.run_id, rec.created_at) for rec, _ in runs])
        failed = [rec.run_id for rec, d in runs if d.status == "failed"]
        stored = self.index.results_of(flow, failed) if failed else {}
        out = []
        for rec, details in runs:
            extra = extras[rec.run_id]
            if details.status == "failed":
                kept = stored.get(rec.run_id)
                extra.failure = self.failure_of(
                    rec, details, (kept[1], kept[2]) if kept is not None else None
                )
            out.append(extra)
        return out
