"""Task and run status as Metaflow's client derives them, from metadata any store can read.

Metaflow says a task finished when its latest done attempt has a `_task_ok` artifact, and
succeeded when that attempt's `_success` artifact is True (`Task.finished`, `Task.successful`);
`finished_at` is the `_task_ok` artifact's time. Older attempts without artifacts fall back to
the `attempt_ok` metadata. A run is what its end step's newest task is, once that finished;
before, it is running while a task runs, failed once one failed and nothing runs any more.
Stores supply the raw rows and their own signs of life; this module holds the rules once.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from ..model import Status
from .base import AttemptRecord, RunDetails, TaskRecord
from .rules import as_int, done_attempts, origin_run_id, origin_task_id, started_attempts

Row = Mapping[str, Any]


def _attempt_of(row: Row) -> Optional[int]:
    """The attempt a metadata row is about: its value (`attempt`, `attempt-done`), else its
    `attempt_id:N` tag (`attempt_ok`)."""
    if row.get("field_name") in ("attempt", "attempt-done"):
        value = str(row.get("value"))
        return int(value) if value.isdigit() else None
    for tag in row.get("tags") or []:
        if isinstance(tag, str) and tag.startswith("attempt_id:") and tag[11:].isdigit():
            return int(tag[11:])
    return None


def attempt_records(metadata: Sequence[Row]) -> Tuple[AttemptRecord, ...]:
    """Every attempt of a task, oldest first: when it started (its `attempt` row), ended (its
    `attempt-done` row) and whether it succeeded (its `attempt_ok` row)."""
    started: Dict[int, Optional[int]] = {}
    done: Dict[int, Optional[int]] = {}
    ok: Dict[int, bool] = {}
    for row in metadata:
        field, attempt = row.get("field_name"), _attempt_of(row)
        if attempt is None:
            continue
        ts = as_int(row.get("ts_epoch"))
        if field == "attempt":
            started.setdefault(attempt, ts)
        elif field == "attempt-done":
            done[attempt] = ts
        elif field == "attempt_ok":
            ok[attempt] = str(row.get("value")) == "True"
    return tuple(
        AttemptRecord(n, started.get(n), done.get(n), ok.get(n))
        for n in sorted(set(started) | set(done))
    )


def task_record(
    *,
    step: str,
    task_id: str,
    created_at: int,
    metadata: Sequence[Row],
    artifacts_of: Callable[[int], Mapping[str, Row]],
    blob_bool: Callable[[Any], Optional[bool]],
    recently_active: Callable[[], bool],
) -> TaskRecord:
    """Derive a TaskRecord.

    metadata: the task's metadata rows (`field_name`, `value`, `tags`, `ts_epoch`), oldest
        first, as Metaflow lists them;
    artifacts_of(attempt): that attempt's artifact rows by name (`_task_ok`, `_success`);
    blob_bool(sha): a pickled bool decoded without unpickling (None when unknown);
    recently_active(): whether an unfinished task still shows signs of life.
    """

    started = started_attempts(metadata)
    done = done_attempts(metadata)
    attempt = max(started + done, default=0)
    done_attempt = done[-1] if done else None  # Metaflow: the last attempt-done entry
    status: Status = "running"
    finished_at: Optional[int] = None
    if done_attempt is not None:
        arts = artifacts_of(done_attempt)
        task_ok, success = arts.get("_task_ok"), arts.get("_success")
        ok: Optional[bool] = None
        if task_ok is not None:
            finished_at = as_int(task_ok.get("ts_epoch"))
            ok = blob_bool((success or {}).get("sha")) is True
        else:
            oks = [
                m
                for m in metadata
                if m.get("field_name") == "attempt_ok"
                and f"attempt_id:{done_attempt}" in (m.get("tags") or [])
            ]
            if oks:
                ok = str(oks[-1].get("value")) == "True"
                finished_at = as_int(oks[-1].get("ts_epoch"))
        if attempt > done_attempt:
            status = "running"  # a retry is under way
        elif ok is None:
            status = "unknown"
        else:
            status = "succeeded" if ok else "failed"
    if status == "running" and not recently_active():
        status = "unknown"
    return TaskRecord(
        step=step,
        task_id=task_id,
        created_at=created_at,
        status=status,
        finished_at=finished_at,
        attempt=attempt,
        origin_run_id=origin_run_id(metadata),
        origin_task_id=origin_task_id(metadata),
        attempts=attempt_records(metadata),
    )


def finished_run(end_task: Optional[TaskRecord], origin: Optional[str]) -> Optional[RunDetails]:
    """The run's final details once its end step's newest task finished, else None."""
    if end_task is None or end_task.finished_at is None:
        return None
    if end_task.status not in ("succeeded", "failed"):
        return None
    return RunDetails(end_task.status, end_task.finished_at, origin, final=True)


def unfinished_run(
    tasks: Iterable[TaskRecord],
    origin: Optional[str],
    *,
    alive: Callable[[], bool],
    between_steps: Callable[[List[TaskRecord]], bool],
) -> RunDetails:
    """Details of a run whose end step has not finished.

    tasks: the run's tasks, read lazily (a store may read them newest first and stop at the
        first one running, so a large foreach is not read whole);
    alive(): the run's runtime showed signs of life recently (else a failure is final);
    between_steps(states): nothing runs or failed, yet the runtime is about to start a task.
    """
    states: List[TaskRecord] = []
    for task in tasks:
        if task.status == "running":
            return RunDetails("running", None, origin, final=False)
        states.append(task)
    if any(t.status == "failed" for t in states):
        # no task is running any more: the runtime gave up on this run
        return RunDetails("failed", None, origin, final=not alive())
    if between_steps(states):
        return RunDetails("running", None, origin, final=False)
    return RunDetails("unknown", None, origin, final=False)
