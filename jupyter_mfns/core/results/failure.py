"""Why a failed run failed: its first failed task, and that task's exception.

Metaflow stores a failed task's exception as its `_exception` artifact, a pickled
`metaflow.exception.MetaflowExceptionWrapper` whose state holds `type` (module.Class),
`exception` (the message) and `stacktrace`; Metaflow's client returns it as `Task.exception`.
It is read here as an inert record (`safepickle.decode(objects=True)`): nothing is imported or
called. A task without a readable `_exception` (killed, or the serializer unknown) is described
by the end of its stderr instead: the last traceback there, and its last line as the exception.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from ..mflog import tail
from ..model import FailureJSON
from ..safepickle import PickledObject
from ..store.base import RunRecord, Store, TaskRecord
from .tasks import started_at
from .values import ValueReader

EXCEPTION_ARTIFACT = "_exception"
_WRAPPER = ("metaflow.exception", "MetaflowExceptionWrapper")
#: stderr lines read when no `_exception` says what happened
STDERR_TAIL = 200
TRACEBACK_START = "Traceback (most recent call last):"


def first_failed(tasks: Sequence[TaskRecord]) -> Optional[TaskRecord]:
    """The failed task that finished first (the one that brought the run down)."""
    failed = [t for t in tasks if t.status == "failed"]
    return min(failed, key=lambda t: (t.finished_at or started_at(t), t.created_at), default=None)


def exception_text(type_name: Any, message: Any) -> Optional[str]:
    """ "ValueError: message" (builtins unnamed, other modules kept)."""
    if not isinstance(type_name, str) or not type_name:
        return None if message is None else str(message)
    name = type_name[len("builtins.") :] if type_name.startswith("builtins.") else type_name
    return f"{name}: {message}" if message not in (None, "") else name


def _from_exception(
    store: Store, values: ValueReader, rec: RunRecord, task: TaskRecord
) -> Optional[Dict[str, Any]]:
    arts = {a["name"]: a for a in store.artifacts(rec.flow, rec.run_id, task.step, task.task_id)}
    art = arts.get(EXCEPTION_ARTIFACT)
    if art is None:
        return None
    found = values.value(rec.flow, art, objects=True)
    record = found.value
    if not found.ok or not isinstance(record, PickledObject):
        return None
    if (record.module, record.name) != _WRAPPER or not isinstance(record.state, dict):
        return None
    state = record.state
    stacktrace = state.get("stacktrace")
    return {
        "exception": exception_text(state.get("type"), state.get("exception")),
        "traceback": stacktrace if isinstance(stacktrace, str) else None,
    }


def _from_stderr(store: Store, rec: RunRecord, task: TaskRecord) -> Dict[str, Any]:
    sources = store.log_sources(rec.flow, rec.run_id, task.step, task.task_id, "stderr")
    lines, _ = tail(sources, STDERR_TAIL)
    texts: List[str] = [line.text for line in lines]
    start = max((i for i, t in enumerate(texts) if t.startswith(TRACEBACK_START)), default=None)
    if start is None:
        last = next((t.strip() for t in reversed(texts) if t.strip()), None)
        return {"exception": last, "traceback": None}
    # a traceback ends at its first unindented line after the frames: "Type: message"
    end = next(
        (i for i in range(start + 1, len(texts)) if texts[i] and not texts[i][0].isspace()),
        len(texts) - 1,
    )
    return {"exception": texts[end].strip() or None, "traceback": "\n".join(texts[start : end + 1])}


def read_failure(
    store: Store, values: ValueReader, rec: RunRecord, tasks: Sequence[TaskRecord]
) -> Optional[FailureJSON]:
    """The run's failure, None when no task of it failed."""
    task = first_failed(tasks)
    if task is None:
        return None
    found = _from_exception(store, values, rec, task)
    source = "exception"
    if found is None:
        found, source = _from_stderr(store, rec, task), "stderr"
    return FailureJSON(
        step=task.step,
        task=f"{rec.flow}/{rec.run_id}/{task.step}/{task.task_id}",
        exception=found["exception"],
        traceback=found["traceback"],
        source=source,  # type: ignore[typeddict-item]
    )
