"""Store records shaped into the JSON answers of `model.py` (one place per shape)."""

from __future__ import annotations

from typing import Optional, Sequence

from .model import RunJSON, StepJSON, TaskJSON
from .results.extras import RunExtras
from .store.base import RunDetails, RunRecord, StepRecord, TaskRecord
from .tags import owner_namespaces


def run_json(rec: RunRecord, details: RunDetails, extras: Optional[RunExtras] = None) -> RunJSON:
    extras = extras or RunExtras()
    return RunJSON(
        pathspec=f"{rec.flow}/{rec.run_id}",
        flow=rec.flow,
        id=rec.run_id,
        user=rec.user,
        tags=sorted(rec.tags),
        system_tags=sorted(rec.system_tags),
        created_at=rec.created_at,
        finished_at=details.finished_at,
        status=details.status,
        origin_run=f"{rec.flow}/{details.origin_run_id}" if details.origin_run_id else None,
        namespaces=owner_namespaces(rec.system_tags),
        parameters=extras.parameters,
        opaque_parameters=extras.opaque,
        parameter_types=extras.types,
        failure=extras.failure,
    )


def step_json(
    rec: RunRecord, step: StepRecord, tasks: Optional[Sequence[TaskRecord]] = None
) -> StepJSON:
    """A step; it has finished once every one of its `tasks` has."""
    finished: Optional[int] = None
    if tasks and all(t.finished_at is not None for t in tasks):
        finished = max(t.finished_at for t in tasks if t.finished_at is not None)
    return StepJSON(
        pathspec=f"{rec.flow}/{rec.run_id}/{step.name}",
        name=step.name,
        created_at=step.created_at,
        finished_at=finished,
        tasks=len(step.task_ids),
    )


def task_json(rec: RunRecord, t: TaskRecord) -> TaskJSON:
    origin = None
    if t.origin_run_id and t.origin_task_id:
        origin = f"{rec.flow}/{t.origin_run_id}/{t.step}/{t.origin_task_id}"
    return TaskJSON(
        pathspec=f"{rec.flow}/{rec.run_id}/{t.step}/{t.task_id}",
        id=t.task_id,
        step=t.step,
        created_at=t.created_at,
        finished_at=t.finished_at,
        status=t.status,
        attempt=t.attempt,
        origin_task=origin,
    )
