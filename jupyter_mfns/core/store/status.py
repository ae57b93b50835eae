"""A task's status as Metaflow's client derives it, from metadata any store can read.

Metaflow says a task finished when its latest done attempt has a `_task_ok` artifact, and
succeeded when that attempt's `_success` artifact is True (`Task.finished`, `Task.successful`);
`finished_at` is the `_task_ok` artifact's time. Older attempts without artifacts fall back to
the `attempt_ok` metadata. Stores supply the raw rows; this module holds the rules once.
"""

from __future__ import annotations

from typing import Any, Callable, List, Mapping, Optional, Sequence

from ..model import Status
from .base import TaskRecord

Row = Mapping[str, Any]


def as_int(value: Any) -> Optional[int]:
    """An int from JSON, never a bool."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


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

    def values(field: str) -> List[str]:
        return [str(m.get("value")) for m in metadata if m.get("field_name") == field]

    started = [int(v) for v in values("attempt") if v.isdigit()]
    done = [int(v) for v in values("attempt-done") if v.isdigit()]
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
        origin_run_id=next((v for v in values("origin-run-id") if v != "None"), None),
        origin_task_id=next((v for v in values("origin-task-id") if v != "None"), None),
    )
