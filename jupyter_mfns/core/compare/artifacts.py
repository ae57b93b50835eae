"""Each run's artifacts step by step, as a comparison reads them: from metadata only (name,
sha, size, type; a small plain value decoded safely, as `GET artifacts` shows it inline).

How a step's artifact is compared. A step with one task: that task's artifact, by sha. A step
with many tasks (a foreach, a parallel step): the artifact taken over all its tasks, compared
as the multiset of their shas, so two runs agree when the same values came out of the step
whatever the order its tasks ran, were numbered or were cloned in. Its `sha` is then a digest
of the sorted shas (`step_digest`), its size their sum. Tasks are read at their latest attempt,
as Metaflow's client reads `task[name]`; private `_` artifacts are left out, as the client's
iteration leaves them out.

A finished run's tables never change, so the last `CACHED_RUNS` of them are kept.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Dict, List, Sequence, Tuple

from ..model import ArtifactMetaJSON, CompareCellJSON
from ..results.values import ValueReader
from ..store.base import Store, TaskRecord

#: finished runs whose tables are kept
CACHED_RUNS = 64
#: a step's type when its tasks recorded different types for one artifact
MIXED_TYPE = "mixed"

#: step -> artifact name -> cell
RunTable = Dict[str, Dict[str, CompareCellJSON]]


def step_digest(shas: Sequence[str]) -> str:
    """One sha stands for itself; several, for the sha1 of their sorted list (a multiset)."""
    if len(shas) == 1:
        return shas[0]
    return hashlib.sha1("\n".join(sorted(shas)).encode("ascii", "replace")).hexdigest()


class ArtifactTables:
    """Runs' artifact tables, read once for finished runs."""

    def __init__(self, store: Store, values: ValueReader) -> None:
        self.store = store
        self.values = values
        self._runs: OrderedDict[Tuple[str, str], RunTable] = OrderedDict()
        self._lock = threading.Lock()

    def of_run(self, flow: str, run_id: str, tasks: Sequence[TaskRecord], final: bool) -> RunTable:
        """The run's table from its `tasks` (every task of every step)."""
        key = (flow, run_id)
        with self._lock:
            kept = self._runs.get(key)
            if kept is not None:
                self._runs.move_to_end(key)
                return kept
        listed = self.store.map_concurrently(
            lambda t: self.store.artifacts(flow, run_id, t.step, t.task_id), list(tasks)
        )
        by_step: Dict[str, List[Tuple[str, ArtifactMetaJSON]]] = {}
        for task, arts in zip(tasks, listed):
            pathspec = f"{flow}/{run_id}/{task.step}/{task.task_id}"
            step = by_step.setdefault(task.step, [])
            step += [(pathspec, a) for a in arts if not a["name"].startswith("_")]
        table = {step: self._cells(flow, held) for step, held in by_step.items()}
        if final:
            with self._lock:
                self._runs[key] = table
                if len(self._runs) > CACHED_RUNS:
                    self._runs.popitem(last=False)
        return table

    def _cells(
        self, flow: str, held: List[Tuple[str, ArtifactMetaJSON]]
    ) -> Dict[str, CompareCellJSON]:
        by_name: Dict[str, List[Tuple[str, ArtifactMetaJSON]]] = {}
        for pathspec, art in held:
            by_name.setdefault(art["name"], []).append((pathspec, art))
        cells: Dict[str, CompareCellJSON] = {}
        for name in sorted(by_name):
            found = by_name[name]
            arts = [a for _, a in found]
            sizes = [a["size"] for a in arts]
            types = {a["type"] for a in arts}
            cell = CompareCellJSON(
                sha=step_digest([a["sha"] for a in arts]),
                size=-1 if any(s < 0 for s in sizes) else sum(sizes),
                type=types.pop() if len(types) == 1 else MIXED_TYPE,
                tasks=len(found),
                task=found[0][0] if len(found) == 1 else None,
            )
            if len(found) == 1:
                small = self.values.inline(flow, arts[0])
                if small is not None:
                    cell["value"] = small[0]
            cells[name] = cell
        return cells
