"""Every task of a run, for the timeline, the DAG and failure triage, read at a bounded cost.

A run's tasks are listed step by step (`Store.task_ids`), and their state (`Store.task_states`)
is read only for tasks not already known to be final: a task that succeeded never changes, and
once the run finished nothing does, so the whole listing is kept. A 1,000-task foreach of a
finished run is read once; while it runs, each refresh re-lists it and reads only the tasks
still running.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

from ..model import AttemptJSON, TimelineTaskJSON
from ..shapes import task_json
from ..store.base import RunRecord, Store, TaskRecord

#: task states kept (a task is a few hundred bytes)
CACHED_TASKS = 50_000
#: finished runs whose whole task list is kept
CACHED_RUNS = 64

TaskKey = Tuple[str, str, str, str]


class TaskReader:
    """Task records of runs, re-reading only what may still change."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._tasks: OrderedDict[TaskKey, TaskRecord] = OrderedDict()
        self._runs: OrderedDict[Tuple[str, str], List[TaskRecord]] = OrderedDict()
        self._lock = threading.Lock()

    def run_tasks(
        self, flow: str, run_id: str, steps: Sequence[str], run_finished: bool
    ) -> List[TaskRecord]:
        """Every task of the run's `steps` (names, e.g. from its graph), oldest first."""
        with self._lock:
            kept = self._runs.get((flow, run_id))
        if kept is not None:
            return kept
        listed = self.store.map_concurrently(
            lambda s: (s, self.store.task_ids(flow, run_id, s)), list(steps)
        )
        out: List[TaskRecord] = []
        for step, ids in listed:
            known: Dict[str, TaskRecord] = {}
            missing: List[Tuple[str, int]] = []
            with self._lock:
                for task_id, created_at in ids:
                    hit = self._tasks.get((flow, run_id, step, task_id))
                    if hit is not None:
                        known[task_id] = hit
                    else:
                        missing.append((task_id, created_at))
            for record in self.store.task_states(flow, run_id, step, missing) if missing else []:
                known[record.task_id] = record
                if record.status == "succeeded" or run_finished:
                    self._keep((flow, run_id, step, record.task_id), record)
            out += [known[t] for t, _ in ids if t in known]
        out.sort(key=lambda t: (started_at(t), t.created_at, t.step, _numeric(t.task_id)))
        if run_finished:
            with self._lock:
                self._runs[(flow, run_id)] = out
                if len(self._runs) > CACHED_RUNS:
                    self._runs.popitem(last=False)
        return out

    def _keep(self, key: TaskKey, record: TaskRecord) -> None:
        with self._lock:
            self._tasks[key] = record
            if len(self._tasks) > CACHED_TASKS:
                self._tasks.popitem(last=False)


def started_at(task: TaskRecord) -> int:
    """When a task started: when Metaflow created it and launched its process (Metaflow's
    `Task.created_at`); each attempt's own start is in `attempts`."""
    return task.created_at


def _numeric(task_id: str) -> Tuple[int, str]:
    return (int(task_id), "") if task_id.isdigit() else (0, task_id)


def timeline_json(rec: RunRecord, task: TaskRecord) -> TimelineTaskJSON:
    base = task_json(rec, task)
    return TimelineTaskJSON(
        **base,
        started_at=started_at(task),
        attempts=[
            AttemptJSON(
                attempt=a.attempt, started_at=a.started_at, finished_at=a.finished_at, ok=a.ok
            )
            for a in task.attempts
        ],
    )


def position(task: TaskRecord) -> List[object]:
    """A task's place in a run's task order (for cursors)."""
    return [started_at(task), task.created_at, task.step, task.task_id]


def after_position(tasks: List[TaskRecord], cursor_position: Optional[List[object]]) -> int:
    """Index of the first task after `cursor_position` in the ordered `tasks`."""
    if cursor_position is None:
        return 0
    for i, task in enumerate(tasks):
        if position(task) == cursor_position:
            return i + 1
    key = _sortable(cursor_position)
    for i, task in enumerate(tasks):
        if _sortable(position(task)) > key:
            return i
    return len(tasks)


def _sortable(pos: List[object]) -> Tuple[int, int, str, Tuple[int, str]]:
    start, created, step, task_id = pos
    return (int(start), int(created), str(step), _numeric(str(task_id)))  # type: ignore[call-overload]
