"""Reading a metadata service's rows of steps, tasks, metadata and artifacts, and a task's
status from them, fetching each at most once per question (and caching task rows briefly)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

from ..safepickle import decode_bool
from . import rules
from .base import TaskRecord
from .rules import as_int as _int
from .s3 import DatastoreReader
from .service_api import ServiceAPI, obj_path
from .status import task_record

#: task row lists kept at most (the cache is emptied when full)
ROWS_CACHED = 4096


@dataclass
class ServiceTask:
    """One task's rows, fetched at most once per store call."""

    step: str
    task_id: str
    created_at: int
    heartbeat_ms: Optional[int]
    metadata: Optional[List[Dict[str, Any]]] = None
    artifacts: Optional[List[Dict[str, Any]]] = None


@dataclass
class RunView:
    """What one `run_details` call has read about a run, so nothing is fetched twice."""

    flow: str
    run_id: str
    steps: Optional[List[Tuple[str, int]]] = None
    tasks: Dict[str, List[ServiceTask]] = field(default_factory=dict)
    newest_ms: int = 0


def latest_attempt_rows(rows: Iterable[Mapping[str, Any]]) -> Dict[int, Dict[str, Dict]]:
    """Artifact rows by attempt, then by name."""
    out: Dict[int, Dict[str, Dict]] = {}
    for r in rows:
        attempt = _int(r.get("attempt_id")) or 0
        name = r.get("name")
        if isinstance(name, str):
            out.setdefault(attempt, {})[name] = dict(r)
    return out


class ServiceRows:
    """Rows of one service, and the datastore's small blobs, as a task's status needs them."""

    def __init__(
        self, api: ServiceAPI, data: DatastoreReader, *, stale_after: float, listing_ttl: float
    ) -> None:
        self.api = api
        self.data = data
        #: an unfinished task with no activity for this long is "unknown", not "running"
        self.stale_after = stale_after
        self.listing_ttl = listing_ttl
        self._lock = threading.Lock()
        self._bools: Dict[str, Optional[bool]] = {}
        self._blob_lock = threading.Lock()
        self._task_rows: Dict[Tuple[str, ...], Tuple[float, List[Dict[str, Any]]]] = {}

    def get(self, path: str) -> Any:
        return self.api.get(path)

    def list(self, path: str) -> List[Dict[str, Any]]:
        body = self.api.get(path)
        return [r for r in body if isinstance(r, dict)] if isinstance(body, list) else []

    def tasks_of(self, view: RunView, step: str) -> List[ServiceTask]:
        """The step's tasks, oldest first (1 request, once per view)."""
        if step not in view.tasks:
            rows = self.list(obj_path(view.flow, view.run_id, step) + "/tasks")
            tasks = []
            for r in rows:
                ts = _int(r.get("ts_epoch"))
                task_id = r.get("task_id")
                if ts is None or task_id is None:
                    continue
                hb = _int(r.get("last_heartbeat_ts"))
                tasks.append(ServiceTask(step, str(task_id), ts, hb * 1000 if hb else None))
                view.newest_ms = max(view.newest_ms, ts, hb * 1000 if hb else 0)
            tasks.sort(key=lambda t: (t.created_at, t.task_id))
            view.tasks[step] = tasks
        return view.tasks[step]

    def steps_of(self, view: RunView) -> List[Tuple[str, int]]:
        """(name, created_at) of the run's steps, `_parameters` excluded, oldest first."""
        if view.steps is None:
            rows = self.list(obj_path(view.flow, view.run_id) + "/steps")
            steps = []
            for r in rows:
                name, ts = r.get("step_name"), _int(r.get("ts_epoch"))
                if isinstance(name, str) and ts is not None and not name.startswith("_"):
                    steps.append((name, ts))
                    view.newest_ms = max(view.newest_ms, ts)
            steps.sort(key=lambda s: (s[1], s[0]))
            view.steps = steps
        return view.steps

    def rows(self, kind: str, flow: str, run_id: str, step: str, task_id: str) -> List[Dict]:
        """A task's `metadata` or `artifacts` rows, cached for `listing_ttl` seconds."""
        key = (kind, flow, run_id, step, task_id)
        now = time.monotonic()
        with self._lock:
            hit = self._task_rows.get(key)
        if hit is not None and now - hit[0] < self.listing_ttl:
            return hit[1]
        rows = self.list(obj_path(flow, run_id, step, task_id) + f"/{kind}")
        if kind == "metadata":
            rows.sort(key=lambda m: _int(m.get("ts_epoch")) or 0)
        with self._lock:
            if len(self._task_rows) > ROWS_CACHED:
                self._task_rows.clear()
            self._task_rows[key] = (now, rows)
        return rows

    def metadata(self, flow: str, run_id: str, t: ServiceTask) -> List[Dict[str, Any]]:
        if t.metadata is None:
            t.metadata = self.rows("metadata", flow, run_id, t.step, t.task_id)
        return t.metadata

    def artifact_rows(self, flow: str, run_id: str, t: ServiceTask) -> List[Dict[str, Any]]:
        if t.artifacts is None:
            t.artifacts = self.rows("artifacts", flow, run_id, t.step, t.task_id)
        return t.artifacts

    def blob_bool(self, flow: str, sha: Any) -> Optional[bool]:
        if not rules.is_sha(sha):
            return None
        if sha in self._bools:
            return self._bools[sha]
        with self._blob_lock:  # concurrent details of a page share one read per sha
            if sha not in self._bools:
                blob = self.data.blob(flow, sha)
                if blob is None:
                    return None  # not cached: the blob may appear a moment later
                self._bools[sha] = decode_bool(blob)
        return self._bools[sha]

    def task_state(self, flow: str, run_id: str, t: ServiceTask) -> TaskRecord:
        """A task's status as Metaflow's client sees it (2 requests + a cached blob read)."""
        meta = self.metadata(flow, run_id, t)
        stamps = [_int(m.get("ts_epoch")) or 0 for m in meta]
        newest = max([t.created_at, t.heartbeat_ms or 0, *stamps])

        def artifacts_of(done_attempt: int) -> Mapping[str, Mapping[str, Any]]:
            by_attempt = latest_attempt_rows(self.artifact_rows(flow, run_id, t))
            return by_attempt.get(done_attempt) or (
                by_attempt[max(by_attempt)] if by_attempt else {}
            )

        return task_record(
            step=t.step,
            task_id=t.task_id,
            created_at=t.created_at,
            metadata=meta,
            artifacts_of=artifacts_of,
            blob_bool=lambda sha: self.blob_bool(flow, sha),
            recently_active=lambda: self.recent(newest),
        )

    def recent(self, newest_ms: int) -> bool:
        return time.time() * 1000 - newest_ms < self.stale_after * 1000
