"""A Store over Metaflow's metadata service (metaflow-service) and its datastore (S3).

This is what teams run once they outgrow a laptop: runs, steps, tasks, metadata and artifact
rows live behind the service's REST API (Postgres behind it), artifacts and logs in S3.
Everything is derived exactly as Metaflow's client derives it in service mode (the oracle):

- runs come from one listing per flow (`GET /flows/F/runs`, paginated with `_limit`/`_cursor`
  on services that support it), never from one request per run;
- a run's status and finish time are its end task's `_task_ok`/`_success` artifacts (rows from
  the service, values decoded from the S3 blob with `safepickle`, cached by sha), the end step
  is named by the `_parameters` task's `end_step` metadata, and the resume origin is the
  `origin-run-id` of the newest step's newest task;
- artifact names/types/sizes come from the task's artifact rows and its `<attempt>.data.json`;
  logs are read from S3 by byte ranges (a tail costs one request per log file);
- tag changes go through the service's atomic `PATCH .../tag/mutate`.

Nothing is ever unpickled here, and S3 keys are always built from validated pathspec parts under
the configured datastore root: `location`s recorded in metadata are never followed.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

from ..errors import InvalidTag, NotFound, TagConflict
from ..model import ArtifactMetaJSON
from ..pathspec import IDENTIFIER
from . import rules
from .base import (
    LogSource,
    RunDetails,
    RunRecord,
    ScanResult,
    StepRecord,
    Store,
    TaskRecord,
)
from .cards import CardFolder
from .rules import MetadataError, run_record_from_json
from .rules import as_int as _int
from .s3 import DatastoreReader, check_part
from .service_api import ServiceAPI, ServiceError, obj_path
from .service_rows import RunView, ServiceRows, ServiceTask, latest_attempt_rows
from .status import finished_run, unfinished_run

#: cap on `<attempt>.data.json` (a few KB in practice): never download an arbitrary object
DATA_JSON_MAX = 4 * 1024 * 1024
#: a run heartbeat younger than this (seconds) means the run's runtime is alive
HEARTBEAT_FRESH = 60
#: tasks of an unfinished run read concurrently at a time
TASK_BATCH = 16
_POOL_PREFIX = "mfns-service-io"


def _token(row: Mapping[str, Any]) -> str:
    """Changes whenever what the index keeps of a run changes (not on heartbeats)."""
    keep = [
        row.get("ts_epoch"),
        row.get("user_name"),
        sorted(str(t) for t in row.get("tags") or []),
        sorted(str(t) for t in row.get("system_tags") or []),
    ]
    return hashlib.sha1(json.dumps(keep).encode("utf-8")).hexdigest()


class ServiceStore(Store):
    """Runs, tasks, artifacts and logs of a metadata service deployment (S3 or local data)."""

    def __init__(
        self,
        url: str,
        datastore: DatastoreReader,
        *,
        headers: Optional[Mapping[str, str]] = None,
        stale_after: float = 6 * 3600,
        listing_ttl: float = 0.5,
        workers: int = 8,
        api: Optional[ServiceAPI] = None,
        cards: Optional[CardFolder] = None,
    ) -> None:
        self.api = api or ServiceAPI(url, headers)
        self.url = self.api.url
        self.data = datastore
        #: `<datastore root>/mf.cards` unless the configuration names another (`config.py`)
        self.card_folder = cards or CardFolder(datastore)
        self.identity = f"service:{self.url}|{datastore.root}"
        self.metadata_spec = f"service@{self.url}"
        self.listing_ttl = listing_ttl
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, workers), thread_name_prefix=_POOL_PREFIX
        )
        #: an unfinished task with no activity for `stale_after` s is "unknown", not "running"
        self.rows = ServiceRows(
            self.api, datastore, stale_after=stale_after, listing_ttl=listing_ttl
        )
        self._lock = threading.Lock()
        self._flows: Optional[Tuple[float, List[str]]] = None
        self._known_flows: set[str] = set()
        self._end_steps: Dict[Tuple[str, str], str] = {}

    # -- small helpers -----------------------------------------------------------------------
    def _get(self, path: str) -> Any:
        return self.api.get(path)

    def _map(self, fn: Any, items: Sequence[Any]) -> List[Any]:
        """Run independent requests concurrently (the service and S3 answer in parallel).

        Inside one of the pool's own threads (a run's details computed for a page) the items
        run inline: waiting on the pool from within it could leave no thread to run them.
        """
        if len(items) <= 1 or threading.current_thread().name.startswith(_POOL_PREFIX):
            return [fn(i) for i in items]
        return list(self._pool.map(fn, items))

    @staticmethod
    def _check(*parts: str) -> None:
        whole = "/".join(parts)
        for p in parts:
            check_part(p, whole)

    def stats(self) -> Dict[str, int]:
        """Requests sent so far: to the service, and to the datastore (S3), by kind."""
        stats = Counter(self.data.stats)
        cards = self.card_folder
        if cards is not None and cards.reader is not self.data:  # cards elsewhere (CARD_S3ROOT)
            stats.update(cards.reader.stats)
        return {**self.api.stats, **stats}

    def close(self) -> None:
        self._pool.shutdown(wait=False)
        self.api.session.close()

    # -- listing -----------------------------------------------------------------------------
    def flows(self) -> List[str]:
        with self._lock:
            cached = self._flows
        if cached is not None and time.monotonic() - cached[0] < self.listing_ttl:
            return list(cached[1])
        body = self._get("/flows")
        if isinstance(body, list):
            names = sorted(
                {str(f["flow_id"]) for f in body if isinstance(f, dict) and f.get("flow_id")}
            )
        else:  # a service without `GET /flows` (metaflow-local-service): ask the datastore
            names = [n for n in self.data.top_level_names() if self._flow_exists(n)]
        with self._lock:
            self._flows = (time.monotonic(), names)
        return list(names)

    def _flow_exists(self, name: str) -> bool:
        if name in self._known_flows:
            return True
        if not IDENTIFIER.match(name) or self._get(obj_path(name)) is None:
            return False
        self._known_flows.add(name)
        return True

    def scan_runs_iter(self, flow: str, known: Mapping[str, str]) -> Iterator[ScanResult]:
        """`scan_runs` one page of the service's listing at a time (the last part holds
        `removed`): a cold start indexes the first 500 runs while the rest are fetched."""
        self._check(flow)
        listed: set[str] = set()  # every run id seen (a page walk never yields one twice)
        kept: set[str] = set()  # readable ones: a known run that became unreadable is removed
        for rows in self.api.run_pages(flow):
            part = ScanResult()
            for row in rows or []:
                run_id = str(row.get("run_number", ""))
                if not run_id or "/" in run_id or run_id in listed:
                    continue
                listed.add(run_id)
                token = _token(row)
                part.tokens[run_id] = token
                if known.get(run_id) == token:
                    kept.add(run_id)
                    continue
                try:
                    part.upserts.append(run_record_from_json(flow, run_id, row, token))
                    kept.add(run_id)
                except MetadataError as exc:
                    part.broken[run_id] = str(exc)
                    del part.tokens[run_id]
            if part.upserts or part.broken:
                yield part
        yield ScanResult(removed=[r for r in known if r not in kept])

    def read_run(self, flow: str, run_id: str) -> Optional[RunRecord]:
        self._check(flow, run_id)
        row = self._get(obj_path(flow, run_id))
        if not isinstance(row, dict):
            return None
        try:
            return run_record_from_json(flow, run_id, row, _token(row))
        except MetadataError as exc:
            raise NotFound(f"Run {flow}/{run_id} cannot be read: {exc}") from None

    # -- runs --------------------------------------------------------------------------------
    def end_step_name(self, flow: str, run_id: str) -> str:
        """The run's terminal step, from `_parameters` metadata (Metaflow's _graph_endpoints)."""
        self._check(flow, run_id)
        cached = self._end_steps.get((flow, run_id))
        if cached is not None:
            return cached
        view = RunView(flow, run_id)
        params = self.rows.tasks_of(view, "_parameters")
        for t in params:
            name = rules.end_step(self.rows.metadata(flow, run_id, t))
            if name is not None:
                self._end_steps[(flow, run_id)] = name
                return name
        if params:  # an older run: Metaflow falls back to "end" for good
            self._end_steps[(flow, run_id)] = rules.DEFAULT_END_STEP
        return rules.DEFAULT_END_STEP

    def run_details(self, flow: str, run_id: str) -> RunDetails:
        self._check(flow, run_id)
        end_step = self.end_step_name(flow, run_id)
        view = RunView(flow, run_id)
        steps = self.rows.steps_of(view)
        origin: Optional[str] = None
        newest_step = rules.newest(steps, lambda s: s[1])
        if newest_step is not None:
            newest_task = rules.newest(
                self.rows.tasks_of(view, newest_step[0]), lambda t: t.created_at
            )
            if newest_task is not None:
                origin = rules.origin_run_id(self.rows.metadata(flow, run_id, newest_task))
        if end_step in {name for name, _ in steps}:
            end = rules.newest(self.rows.tasks_of(view, end_step), lambda t: t.created_at)
            if end is not None:
                done = finished_run(self.rows.task_state(flow, run_id, end), origin)
                if done is not None:
                    return done
        # Unfinished (or broken) run. A fresh run heartbeat (metaflow-service records one every
        # few seconds while the runtime lives) says "running" without reading any task.
        run_row = self._get(obj_path(flow, run_id))
        if isinstance(run_row, dict):
            hb = _int(run_row.get("last_heartbeat_ts"))
            if hb and time.time() - hb < HEARTBEAT_FRESH:
                return RunDetails("running", None, origin, final=False)
            view.newest_ms = max(
                view.newest_ms, _int(run_row.get("ts_epoch")) or 0, hb * 1000 if hb else 0
            )
        # Otherwise look at the tasks as the local store does, newest first, a batch at a time
        # (the rule stops at the first one still running: a large foreach is not read whole).
        all_tasks = [t for name, _ in steps for t in self.rows.tasks_of(view, name)]
        all_tasks.sort(key=lambda t: t.created_at, reverse=True)

        def states() -> Iterator[TaskRecord]:
            for start in range(0, len(all_tasks), TASK_BATCH):
                batch = all_tasks[start : start + TASK_BATCH]
                yield from self._map(lambda t: self.rows.task_state(flow, run_id, t), batch)

        return unfinished_run(
            states(),
            origin,
            alive=lambda: self.rows.recent(view.newest_ms),
            between_steps=lambda seen: not seen and self.rows.recent(view.newest_ms),
        )

    def run_details_many(self, flow: str, run_ids: Sequence[str]) -> Dict[str, RunDetails]:
        """Details of several runs, fetched concurrently."""
        details = self._map(lambda r: self.run_details(flow, r), list(run_ids))
        return dict(zip(run_ids, details))

    def steps(self, flow: str, run_id: str) -> List[StepRecord]:
        self._check(flow, run_id)
        view = RunView(flow, run_id)
        steps = self.rows.steps_of(view)
        tasks = self._map(lambda s: self.rows.tasks_of(view, s[0]), steps)
        return [
            StepRecord(name, ts, tuple(t.task_id for t in ts_tasks))
            for (name, ts), ts_tasks in zip(steps, tasks)
        ]

    def tasks(self, flow: str, run_id: str, step: str) -> List[TaskRecord]:
        self._check(flow, run_id, step)
        view = RunView(flow, run_id)
        return self._map(
            lambda t: self.rows.task_state(flow, run_id, t), self.rows.tasks_of(view, step)
        )

    def task_record(self, flow: str, run_id: str, step: str, task_id: str) -> Optional[TaskRecord]:
        """One task's state without reading its siblings (None when it does not exist)."""
        self._check(flow, run_id, step, task_id)
        row = self._get(obj_path(flow, run_id, step, task_id))
        if not isinstance(row, dict) or _int(row.get("ts_epoch")) is None:
            return None
        hb = _int(row.get("last_heartbeat_ts"))
        t = ServiceTask(step, task_id, int(row["ts_epoch"]), hb * 1000 if hb else None)
        return self.rows.task_state(flow, run_id, t)

    def task_exists(self, flow: str, run_id: str, step: str, task_id: str) -> bool:
        self._check(flow, run_id, step, task_id)
        return isinstance(self._get(obj_path(flow, run_id, step, task_id)), dict)

    def task_states(
        self, flow: str, run_id: str, step: str, tasks: Sequence[Tuple[str, int]]
    ) -> List[TaskRecord]:
        self._check(flow, run_id, step)
        listed = {t.task_id: t for t in self.rows.tasks_of(RunView(flow, run_id), step)}
        wanted = [listed[t] for t, _ in tasks if t in listed]
        return self._map(lambda t: self.rows.task_state(flow, run_id, t), wanted)

    def map_concurrently(self, fn: Any, items: Sequence[Any]) -> List[Any]:
        return self._map(fn, items)

    def task_ids(self, flow: str, run_id: str, step: str) -> List[Tuple[str, int]]:
        self._check(flow, run_id, step)
        return [(t.task_id, t.created_at) for t in self.rows.tasks_of(RunView(flow, run_id), step)]

    # -- artifacts and logs ------------------------------------------------------------------
    def artifacts(self, flow: str, run_id: str, step: str, task_id: str) -> List[ArtifactMetaJSON]:
        self._check(flow, run_id, step, task_id)
        t = ServiceTask(step, task_id, 0, None)
        by_attempt = latest_attempt_rows(self.rows.artifact_rows(flow, run_id, t))
        if not by_attempt:
            return []
        attempt = max(by_attempt)  # the service's own rule: the latest attempt's artifacts
        rows = by_attempt[attempt]
        info: Dict[str, Any] = {}
        parts = (flow, run_id, step, task_id, f"{attempt}.data.json")
        raw = self.data.read_small(parts, DATA_JSON_MAX)
        if raw is not None:
            try:
                info = rules.data_json_parts(json.loads(raw))[1]
            except ValueError:
                pass
        return rules.artifacts_json(
            {name: row.get("sha", "") for name, row in rows.items()},
            info,
            {name: row.get("content_type") for name, row in rows.items()},
        )

    def blob(self, flow: str, sha: str, max_bytes: int) -> Optional[bytes]:
        self._check(flow)
        if not rules.is_sha(sha):
            return None
        return self.data.blob(flow, sha, max_bytes)

    def included_file(self, flow: str, url: str, max_bytes: int) -> Optional[bytes]:
        self._check(flow)
        return self.data.included_file(flow, url, max_bytes)

    def current_attempt(self, flow: str, run_id: str, step: str, task_id: str) -> int:
        """The latest started attempt (Metaflow's `Task.current_attempt`)."""
        return rules.current_attempt(
            self.rows.metadata(flow, run_id, ServiceTask(step, task_id, 0, None))
        )

    def log_sources(
        self, flow: str, run_id: str, step: str, task_id: str, stream: str
    ) -> Sequence[LogSource]:
        self._check(flow, run_id, step, task_id, stream)
        attempt = self.current_attempt(flow, run_id, step, task_id)
        names = [f"{attempt}.{source}_{stream}.log" for source in ("runtime", "task")]
        found = self._map(lambda n: self.data.log_source((flow, run_id, step, task_id, n)), names)
        return [s for s in found if s is not None]

    # -- tags --------------------------------------------------------------------------------
    def mutate_tags(
        self, flow: str, run_id: str, add: Sequence[str], remove: Sequence[str]
    ) -> RunRecord:
        self._check(flow, run_id)
        for attempt in range(6):
            current = self.read_run(flow, run_id)
            if current is None:
                raise NotFound(f"{flow}/{run_id} does not exist.")
            change = rules.plan_tag_change(current.tags, current.system_tags, add, remove)
            if change.unchanged:
                return current
            # disjoint sets: the result is the same whichever the service applies first
            body = {"tags_to_add": change.to_add, "tags_to_remove": change.to_remove}
            status, resp = self.api.patch(obj_path(flow, run_id) + "/tag/mutate", body)
            if status < 300 and isinstance(resp, dict) and isinstance(resp.get("tags"), list):
                final_tags = [str(t) for t in resp["tags"]]
                after = self.read_run(flow, run_id)
                if after is not None and frozenset(after.tags) == frozenset(final_tags):
                    return after
                row = {
                    "ts_epoch": current.created_at,
                    "user_name": current.user,
                    "tags": final_tags,
                    "system_tags": list(current.system_tags),
                }
                return run_record_from_json(flow, run_id, row, _token(row))
            if status in (400, 422):
                raise InvalidTag(f"The Metaflow service refused the tag change: {resp}")
            if status == 404:
                raise NotFound(f"{flow}/{run_id} does not exist (or the service is too old).")
            if status not in (409, 500, 502, 503, 504):
                raise ServiceError(
                    f"Tag mutation needs metaflow-service >= 2.3.0; the service answered "
                    f"{status}: {str(resp)[:300]}",
                    status,
                )
            time.sleep(0.1 * (attempt + 1))
        raise TagConflict(
            f"Tags of {flow}/{run_id} kept changing under concurrent writers; please retry."
        )
