"""The Catalog: one object answering every query of jupyter_mfns, namespace as an argument.

Metaflow's own namespace is process-global state; here every call names its namespace
(`DEFAULT`, `None` for global, or a string), so concurrent callers never see each other's.
Listing queries go through the SQLite `RunIndex`; single objects are read fresh from the store.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from . import identity
from .errors import (
    ArtifactNotFound,
    InvalidArgument,
    MfnsError,
    NamespaceMismatch,
    NoRun,
    NotFound,
)
from .index import RunIndex, decode_cursor, encode_cursor, index_path_for
from .model import (
    ArtifactsJSON,
    FlowJSON,
    FlowsJSON,
    LogsJSON,
    NamespaceJSON,
    NamespacesJSON,
    ObjectJSON,
    RunJSON,
    RunPageJSON,
    StepJSON,
    TagCountJSON,
    TagMutationJSON,
    TagsJSON,
    TaskJSON,
)
from .pathspec import Pathspec, check_flow_name, parse_pathspec
from .store.base import RunDetails, RunRecord, StepRecord, Store, TaskRecord
from .tags import namespace_kind, validate_tag, validate_tag_list

log = logging.getLogger(__name__)

MAX_PAGE = 1000
MAX_TAIL = 100_000
_GENERATION = object()  # key of the index generation in Catalog._derived
#: seconds without a query after which the background refresh slows down to IDLE_INTERVAL
IDLE_AFTER = 60.0
IDLE_INTERVAL = 30.0


class _Default:
    """Sentinel: the caller's default namespace, as Metaflow's `default_namespace()`."""

    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Any = _Default()
Namespace = Union[str, None, _Default]


def _tags_arg(tags: Union[str, Iterable[str], None]) -> List[str]:
    if tags is None:
        return []
    if isinstance(tags, str):
        return [validate_tag(tags)]
    return validate_tag_list(list(tags), "tag")


class Catalog:
    """Namespace-scoped queries over one Metaflow store (local folder or service)."""

    def __init__(
        self,
        store: Store,
        *,
        index_path: Optional[os.PathLike | str] = None,
        cache_dir: Optional[os.PathLike | str] = None,
        refresh_interval: float = 1.0,
        background_refresh: bool = False,
    ) -> None:
        self.store = store
        self.refresh_interval = refresh_interval
        self.index = RunIndex(
            index_path or index_path_for(store.identity, cache_dir), store.identity
        )
        self._refresh_lock = threading.Lock()
        self._refreshed_at = 0.0
        #: when the last completed refresh started: the index reflects the store as of then
        self._fresh_as_of = float("-inf")
        self._last_refresh_seconds = 0.0
        #: answers derived from the whole index, valid while index.generation is unchanged
        self._derived: Dict[Any, Any] = {}
        self._broken: Dict[Tuple[str, str], str] = {}
        self._stop = threading.Event()
        self._wake = threading.Event()  # set by close() and by a query after an idle spell
        self._queried_at = time.monotonic()
        self._thread: Optional[threading.Thread] = None
        #: an empty index is built from scratch: until then, runs() answers from a listing
        self._from_scratch = not self.index.known_flows()
        self._direct_queries = 0  # runs() answered from listings: the first build yields to them
        self._listings: Dict[str, Tuple[float, List[RunRecord]]] = {}
        self._listing_lock = threading.Lock()
        if background_refresh:
            self.start_background_refresh()

    # -- construction from Metaflow's configuration -------------------------------------------
    @classmethod
    def from_metaflow_config(cls, sysroot: Optional[str] = None, **kwargs: Any) -> Catalog:
        """A Catalog over the store Metaflow itself would use here (env vars or profile)."""
        from .store.config import store_from_config

        return cls(store_from_config(sysroot), **kwargs)

    # -- refresh -----------------------------------------------------------------------------
    def refresh(self) -> bool:
        """Bring the index up to date with the store; True when something changed."""
        with self._refresh_lock:
            return self._refresh_locked()

    def _refresh_locked(self) -> bool:
        started = time.monotonic()
        changed = False
        flows = self.store.flows()
        for gone in set(self.index.known_flows()) - set(flows):
            self.index.drop_flow(gone)
            changed = True
        for flow in flows:
            known = dict(self.index.tokens(flow))  # a snapshot: queries may add runs meanwhile
            # in parts: each change is committed as soon as it is found, and a cold start
            # never holds 100k records in memory
            parts = self.store.scan_runs_iter(flow, known)
            for key in [k for k in self._broken if k[0] == flow]:
                del self._broken[key]
            for scan in parts:
                while self._direct_queries and not self._stop.is_set():
                    time.sleep(0.005)  # a cold query is reading a flow: let it have the CPU
                for run_id, why in scan.broken.items():
                    self._broken[(flow, run_id)] = why
                    log.warning("Skipping unreadable run %s/%s: %s", flow, run_id, why)
                changed |= self.index.apply(flow, scan)
        self._refreshed_at = time.monotonic()
        self._fresh_as_of = started
        self._listings.clear()
        self._last_refresh_seconds = self._refreshed_at - started
        return changed

    def _fresh(self) -> None:
        """Make sure the index reflects the store as of at most `refresh_interval` ago.

        A background thread keeps it so (scan, wait one interval, scan again), with a scan's
        duration as slack; a query refreshes inline only before the first refresh, without a
        background thread, or when that thread fell behind (then it waits for a fresh scan
        rather than answer from a stale tag set).
        """
        now = time.monotonic()
        if now - self._queried_at > IDLE_AFTER:
            self._wake.set()  # the background thread was idling: back to one scan per interval
        self._queried_at = now
        allowed = self.max_staleness
        if now - self._fresh_as_of <= allowed:
            return
        with self._refresh_lock:
            if time.monotonic() - self._fresh_as_of <= allowed:
                return  # another caller refreshed while this one waited for the lock
            self._refresh_locked()

    @property
    def max_staleness(self) -> float:
        """Seconds: a query reflects every change made in the store longer ago than this."""
        allowed = self.refresh_interval
        if self._thread is not None:
            allowed += 2 * self._last_refresh_seconds + 0.5
        return allowed

    def _derived_answer(self, key: Any, compute: Any) -> Any:
        """`compute()`, cached until the index changes (counts over 100k runs are not free)."""
        generation = self.index.generation  # read before computing: never cache older data
        cache = self._derived
        if cache.get(_GENERATION) != generation:
            cache = self._derived = {_GENERATION: generation}
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    def start_background_refresh(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._refresh_loop, name="mfns-refresh", daemon=True)
        self._thread.start()

    def _refresh_loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.refresh()
            except Exception:  # keep serving from the last good index
                log.exception("jupyter_mfns: refreshing the run index failed")
            # scans start one interval apart, with at least half an interval of rest after a
            # long one: a change shows within about an interval plus a scan's time.
            # Nobody querying: scan rarely (a scan of 100k runs costs most of a second of CPU);
            # the next query wakes this thread, and refreshes inline if the index is stale.
            interval = self.refresh_interval
            wait = max(interval / 2, interval - self._last_refresh_seconds)
            if time.monotonic() - self._queried_at > IDLE_AFTER:
                wait = max(wait, IDLE_INTERVAL)
            self._wake.wait(wait)
            self._wake.clear()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.index.close()
        self.store.close()

    def problems(self) -> List[Dict[str, str]]:
        """Runs skipped because their metadata cannot be read (half-written, corrupt)."""
        return [
            {"pathspec": f"{f}/{r}", "message": why} for (f, r), why in sorted(self._broken.items())
        ]

    # -- namespaces --------------------------------------------------------------------------
    def default_namespace(self) -> Optional[str]:
        return identity.default_namespace()

    def resolve_namespace(self, namespace: Namespace) -> Optional[str]:
        if isinstance(namespace, _Default):
            return self.default_namespace()
        if namespace is None:
            return None
        return validate_tag(namespace)

    def namespaces(self) -> NamespacesJSON:
        """Every tag as a namespace with its kind and run count, plus the default."""
        self._fresh()
        agg: Dict[str, Dict[str, Any]] = self._derived_answer("namespaces", self._tag_totals)
        held = identity.held_production_tokens()
        out: List[NamespaceJSON] = []
        for tag, e in agg.items():
            kind = namespace_kind(tag, e["system"])
            item = NamespaceJSON(namespace=tag, kind=kind, runs=e["runs"], flows=sorted(e["flows"]))
            if kind == "production":
                item["mine"] = tag[len("production:") :] in held
            out.append(item)
        order = {"user": 0, "production": 1, "tag": 2, "system": 3}
        out.sort(key=lambda n: (order[n["kind"]], n["namespace"]))
        return NamespacesJSON(default=self.default_namespace(), namespaces=out)

    def _tag_totals(self) -> Dict[str, Dict[str, Any]]:
        """Per tag: runs carrying it, their flows, whether it is a system tag."""
        agg: Dict[str, Dict[str, Any]] = {}
        for tag, flow, system, n in self.index.tag_counts():
            entry = agg.setdefault(tag, {"runs": 0, "flows": set(), "system": False})
            entry["runs"] += n
            entry["flows"].add(flow)
            entry["system"] |= bool(system)
        return agg

    def flows(self, namespace: Namespace = DEFAULT) -> FlowsJSON:
        """Flows with a run in the namespace (all flows globally), with counts and latest run."""
        ns = self.resolve_namespace(namespace)
        self._fresh()
        if ns is None:
            counts = self.index.flow_counts()
            names = sorted(set(self.store.flows()) | set(counts))
        else:
            counts = self.index.flows_with_tag(ns)
            names = sorted(counts)
        flows = []
        for flow in names:
            latest = self.index.latest_in(flow, ns)
            flows.append(
                FlowJSON(
                    flow=flow,
                    runs=counts.get(flow, 0),
                    latest_run=f"{flow}/{latest}" if latest else None,
                )
            )
        return FlowsJSON(namespace=ns, flows=flows)

    def tags(self, namespace: Namespace = DEFAULT, flow: Optional[str] = None) -> TagsJSON:
        """Tags carried by runs in the namespace (for autocomplete), most used first."""
        ns = self.resolve_namespace(namespace)
        flow = check_flow_name(flow) if flow else None
        self._fresh()
        rows: List[Tuple[str, int, int]]
        if ns is None:
            agg: Dict[str, List[int]] = {}
            for tag, f, system, n in self.index.tag_counts():
                if flow is None or f == flow:
                    a = agg.setdefault(tag, [0, 0])
                    a[0] |= system
                    a[1] += n
            rows = [(t, s, n) for t, (s, n) in agg.items()]
        else:
            rows = self._derived_answer(
                ("tags", ns, flow), lambda: self.index.tags_of_runs_in(ns, flow)
            )
        tags = [TagCountJSON(tag=t, system=bool(s), runs=n) for t, s, n in rows]
        tags.sort(key=lambda t: (-t["runs"], t["tag"]))
        return TagsJSON(namespace=ns, flow=flow, tags=tags)

    # -- runs --------------------------------------------------------------------------------
    def runs(
        self,
        flow: str,
        namespace: Namespace = DEFAULT,
        tags: Union[str, Iterable[str], None] = (),
        limit: int = 50,
        cursor: Optional[str] = None,
    ) -> RunPageJSON:
        """Same members and order as `Flow(flow).runs(*tags)` in the namespace, one page."""
        flow = check_flow_name(flow)
        ns = self.resolve_namespace(namespace)
        tag_list = _tags_arg(tags)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE:
            raise InvalidArgument(f"limit must be an integer from 1 to {MAX_PAGE}.")
        after = decode_cursor(cursor) if cursor else None
        if self._from_scratch and self._thread is not None and self._fresh_as_of < 0:
            return self._runs_from_listing(flow, ns, tag_list, limit, after)
        self._fresh()
        self._require_flow(flow)
        if ns is not None and self.index.count_runs(flow, [ns]) == 0:
            # a run just started may not be indexed yet: refuse only on fresh data
            self.refresh()
        if ns is not None and self.index.count_runs(flow, [ns]) == 0:
            # like `Flow(flow)` in Metaflow: a flow is in a namespace only through its runs
            raise NamespaceMismatch(flow, ns, self.index.owners(flow))
        filters = tag_list + ([ns] if ns is not None else [])
        rows = self.index.query_runs(flow, filters, limit + 1, after)
        more = len(rows) > limit
        rows = rows[:limit]
        runs = self._runs_json(rows)
        next_cursor = encode_cursor(rows[-1][3], rows[-1][1]) if more and rows else None
        return RunPageJSON(
            namespace=ns,
            flow=flow,
            tags=tag_list,
            runs=runs,
            total=self._derived_answer(
                ("total", flow, tuple(sorted(set(filters)))),
                lambda: self.index.count_runs(flow, filters),
            ),
            next_cursor=next_cursor,
        )

    def _runs_from_listing(
        self,
        flow: str,
        ns: Optional[str],
        tag_list: List[str],
        limit: int,
        after: Optional[Tuple[int, str]],
    ) -> RunPageJSON:
        """`runs()` while the index of a new store is being built: one listing of the flow,
        filtered and sorted here, as Metaflow's client does, so the first answer after a cold
        start costs what Metaflow's first listing costs rather than a whole index build."""
        self._require_flow(flow)
        records = self._listing(flow)
        if ns is not None and not any(ns in r.all_tags for r in records):
            owners = {t for r in records for t in r.system_tags}
            raise NamespaceMismatch(
                flow, ns, sorted(t for t in owners if t.startswith(("user:", "production:")))
            )
        wanted = set(tag_list) | ({ns} if ns is not None else set())
        matching = sorted(
            (r for r in records if wanted <= r.all_tags),
            key=lambda r: (r.created_at, r.run_id),
            reverse=True,
        )
        total = len(matching)
        if after is not None:
            matching = [r for r in matching if (r.created_at, r.run_id) < after]
        page = matching[:limit]
        details = self.store.run_details_many(flow, [r.run_id for r in page])
        more = len(matching) > limit
        return RunPageJSON(
            namespace=ns,
            flow=flow,
            tags=tag_list,
            runs=[self._run_json(r, details[r.run_id]) for r in page],
            total=total,
            next_cursor=encode_cursor(page[-1].created_at, page[-1].run_id) if more else None,
        )

    def _listing(self, flow: str) -> List[RunRecord]:
        """Every readable run of `flow`, read at most once per refresh interval."""
        with self._listing_lock:
            cached = self._listings.get(flow)
            if cached is not None and time.monotonic() - cached[0] < self.refresh_interval:
                return cached[1]
            self._direct_queries += 1
            try:
                scan = self.store.scan_runs(flow, {})
            finally:
                self._direct_queries -= 1
            for run_id, why in scan.broken.items():
                self._broken[(flow, run_id)] = why
            self._listings[flow] = (time.monotonic(), scan.upserts)
            return scan.upserts

    def iter_runs(
        self, flow: str, namespace: Namespace = DEFAULT, tags: Union[str, Iterable[str], None] = ()
    ) -> Iterable[RunJSON]:
        """Every matching run, newest first, page by page."""
        cursor = None
        while True:
            page = self.runs(flow, namespace, tags, limit=200, cursor=cursor)
            yield from page["runs"]
            cursor = page["next_cursor"]
            if cursor is None:
                return

    def latest_run(
        self,
        flow: str,
        namespace: Namespace = DEFAULT,
        tags: Union[str, Iterable[str], None] = (),
        successful: bool = False,
    ) -> RunJSON:
        """`Flow(flow).latest_run` (or `latest_successful_run`) among runs carrying `tags`."""
        ns = self.resolve_namespace(namespace)
        # small first page: the answer is usually among the newest runs, and every run on a
        # page gets its status computed
        cursor, limit = None, 1 if not successful else 20
        while True:
            page = self.runs(flow, ns, tags, limit=limit, cursor=cursor)
            for run in page["runs"]:
                if not successful or run["status"] == "succeeded":
                    return run
            cursor, limit = page["next_cursor"], 200
            if cursor is None:
                break
        what = "successful run" if successful else "run"
        where = f"namespace {ns!r}" if ns is not None else "the global namespace"
        tag_text = f" with tags {', '.join(_tags_arg(tags))}" if tags else ""
        raise NoRun(f"{flow} has no {what}{tag_text} in {where}.")

    def _require_flow(self, flow: str) -> None:
        if not self.index.tokens(flow) and flow not in self.store.flows():
            raise NotFound(f"Flow {flow} does not exist in this Metaflow store.")

    def _cached_details(self, row: Optional[Sequence[Any]]) -> Optional[RunDetails]:
        """The index's status/finish/origin when still valid (final, or recent enough)."""
        if row is not None and row[7] is not None:
            status, finished_at, origin, final, at = row[7], row[8], row[9], row[10], row[11]
            if final or (at is not None and time.time() - at < self.refresh_interval):
                return RunDetails(status, finished_at, origin, bool(final))
        return None

    def _details(self, flow: str, run_id: str, row: Optional[Sequence[Any]]) -> RunDetails:
        """Cached status/finish/origin, recomputed while the run may still change."""
        cached = self._cached_details(row)
        if cached is not None:
            return cached
        details = self.store.run_details(flow, run_id)
        if row is not None:
            self.index.set_details(flow, run_id, details)
        return details

    def _page_details(self, rows: Sequence[Sequence[Any]]) -> List[RunDetails]:
        """Details of a page of runs; the missing ones in one `run_details_many` call per flow
        (the service store fetches them concurrently)."""
        out: List[Optional[RunDetails]] = [self._cached_details(row) for row in rows]
        missing = [i for i, d in enumerate(out) if d is None]
        if len(missing) > 1:
            by_flow: Dict[str, List[int]] = {}
            for i in missing:
                by_flow.setdefault(rows[i][0], []).append(i)
            for flow, idx in by_flow.items():
                got = self.store.run_details_many(flow, [rows[i][1] for i in idx])
                for i in idx:
                    out[i] = got[rows[i][1]]
                    self.index.set_details(flow, rows[i][1], got[rows[i][1]])
        return [
            d if d is not None else self._details(row[0], row[1], row) for d, row in zip(out, rows)
        ]

    def _runs_json(self, rows: Sequence[Sequence[Any]]) -> List[RunJSON]:
        out = []
        for row, details in zip(rows, self._page_details(rows)):
            rec = RunRecord(
                flow=row[0],
                run_id=row[1],
                user=row[2],
                created_at=row[3],
                tags=tuple(_json_list(row[4])),
                system_tags=tuple(_json_list(row[5])),
                token=row[6],
            )
            out.append(self._run_json(rec, details))
        return out

    @staticmethod
    def _run_json(rec: RunRecord, details: RunDetails) -> RunJSON:
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
        )

    # -- single objects ----------------------------------------------------------------------
    def _run_in_namespace(self, ps: Pathspec, ns: Optional[str]) -> RunRecord:
        """Read the run fresh; 404 when absent, 409 (with owners) when outside `ns`."""
        assert ps.run is not None
        rec = self.store.read_run(ps.flow, ps.run)
        if rec is None:
            if (ps.flow, ps.run) in self._broken:
                raise NotFound(
                    f"Run {ps.flow}/{ps.run} cannot be read: {self._broken[(ps.flow, ps.run)]}"
                )
            raise NotFound(f"Run {ps.flow}/{ps.run} does not exist.")
        self.index.upsert(rec)
        if ns is not None and ns not in rec.all_tags:
            owners = sorted(t for t in rec.system_tags if t.startswith(("user:", "production:")))
            raise NamespaceMismatch(str(ps), ns, owners)
        return rec

    def run(self, pathspec: str, namespace: Namespace = DEFAULT) -> RunJSON:
        """One run by pathspec (`Run(pathspec)` in the namespace)."""
        ps = parse_pathspec(pathspec, min_depth=2, max_depth=2, what="run pathspec")
        ns = self.resolve_namespace(namespace)
        rec = self._run_in_namespace(ps, ns)
        return self._run_json(
            rec, self._details(rec.flow, rec.run_id, self.index.run_row(rec.flow, rec.run_id))
        )

    def get_object(self, pathspec: str, namespace: Namespace = DEFAULT) -> ObjectJSON:
        """A flow, run, step or task with its children (404, or 409 with the owners)."""
        ps = parse_pathspec(pathspec)
        ns = self.resolve_namespace(namespace)
        if ps.run is None:
            page = self.runs(ps.flow, ns, limit=50)
            return ObjectJSON(
                type="flow",
                pathspec=str(ps),
                namespace=ns,
                run=None,
                step=None,
                task=None,
                children=list(page["runs"]),
            )
        rec = self._run_in_namespace(ps, ns)
        run = self._run_json(
            rec, self._details(rec.flow, rec.run_id, self.index.run_row(rec.flow, rec.run_id))
        )
        if ps.step is None:
            steps = [
                self._step_json(rec, s, self.store.tasks(ps.flow, rec.run_id, s.name))
                for s in self._steps_in_execution_order(rec.flow, rec.run_id, run["origin_run"])
            ]
            return ObjectJSON(
                type="run",
                pathspec=str(ps),
                namespace=ns,
                run=run,
                step=None,
                task=None,
                children=list(steps),
            )
        step_rec = self._find_step(ps)
        tasks = self.store.tasks(ps.flow, rec.run_id, step_rec.name)
        step = self._step_json(rec, step_rec, tasks)
        if ps.task is None:
            return ObjectJSON(
                type="step",
                pathspec=str(ps),
                namespace=ns,
                run=run,
                step=step,
                task=None,
                children=[self._task_json(rec, t) for t in tasks],
            )
        task = next((t for t in tasks if t.task_id == ps.task), None)
        if task is None:
            raise NotFound(f"Task {ps} does not exist.")
        return ObjectJSON(
            type="task",
            pathspec=str(ps),
            namespace=ns,
            run=run,
            step=step,
            task=self._task_json(rec, task),
            children=[],
        )

    def _steps_in_execution_order(
        self, flow: str, run_id: str, origin_run: Optional[str]
    ) -> List[StepRecord]:
        """Steps oldest first. A resume clones the finished steps in no particular order, so
        cloned steps take their place in the origin run (whose steps all came first)."""
        steps = self.store.steps(flow, run_id)
        if not origin_run:
            return steps
        try:
            origin = {
                s.name: s.created_at for s in self.store.steps(flow, origin_run.split("/")[1])
            }
        except MfnsError:
            return steps
        cloned = {
            s.name
            for s in steps
            if s.name in origin
            and all(t.origin_task_id for t in self.store.tasks(flow, run_id, s.name))
        }

        def when(step: StepRecord) -> Tuple[int, int]:
            if step.name in cloned:
                return (0, origin[step.name])
            return (1, step.created_at)

        return sorted(steps, key=when)

    def _find_step(self, ps: Pathspec) -> StepRecord:
        assert ps.run is not None and ps.step is not None
        for s in self.store.steps(ps.flow, ps.run):
            if s.name == ps.step:
                return s
        raise NotFound(f"Step {ps.flow}/{ps.run}/{ps.step} does not exist.")

    def _step_json(
        self, rec: RunRecord, step: StepRecord, tasks: Optional[List[TaskRecord]] = None
    ) -> StepJSON:
        finished: Optional[int] = None
        if tasks is not None and tasks and all(t.finished_at is not None for t in tasks):
            finished = max(t.finished_at for t in tasks if t.finished_at is not None)
        return StepJSON(
            pathspec=f"{rec.flow}/{rec.run_id}/{step.name}",
            name=step.name,
            created_at=step.created_at,
            finished_at=finished,
            tasks=len(step.task_ids),
        )

    @staticmethod
    def _task_json(rec: RunRecord, t: TaskRecord) -> TaskJSON:
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

    def _task(self, pathspec: str, ns: Optional[str], what: str = "task pathspec") -> Pathspec:
        """Validate a task pathspec, its namespace and its existence."""
        ps = parse_pathspec(pathspec, min_depth=4, max_depth=4, what=what)
        self._run_in_namespace(ps, ns)
        assert ps.run and ps.step and ps.task
        if not self.store.task_exists(*ps.task_parts()):
            raise NotFound(f"Task {ps} does not exist.")
        return ps

    # -- logs and artifacts ------------------------------------------------------------------
    def logs(
        self,
        pathspec: str,
        stream: str = "stdout",
        namespace: Namespace = DEFAULT,
        tail: Optional[int] = None,
    ) -> LogsJSON:
        """A task's stdout/stderr lines with timestamps; `tail` reads only the end of the log."""
        from .mflog import tail as log_tail

        if stream not in ("stdout", "stderr"):
            raise InvalidArgument("stream must be 'stdout' or 'stderr'.")
        if tail is not None and (
            not isinstance(tail, int) or isinstance(tail, bool) or not 0 <= tail <= MAX_TAIL
        ):
            raise InvalidArgument(f"tail must be an integer from 0 to {MAX_TAIL}.")
        ns = self.resolve_namespace(namespace)
        ps = self._task(pathspec, ns)
        assert ps.run and ps.step and ps.task
        sources = self.store.log_sources(ps.flow, ps.run, ps.step, ps.task, stream)
        lines, truncated = log_tail(list(sources), tail)
        task = self.store.task_record(ps.flow, ps.run, ps.step, ps.task)
        finished = task is not None and task.status in ("succeeded", "failed", "unknown")
        return LogsJSON(
            pathspec=str(ps),
            stream=stream,  # type: ignore[typeddict-item]
            lines=[{"ts": ln.ts, "text": ln.text} for ln in lines],
            truncated=truncated,
            finished=finished,
        )

    def artifacts(
        self, pathspec: str, namespace: Namespace = DEFAULT, include_private: bool = False
    ) -> ArtifactsJSON:
        """Name, type, size and sha of a task's artifacts, from metadata only."""
        ns = self.resolve_namespace(namespace)
        ps = self._task(pathspec, ns)
        assert ps.run and ps.step and ps.task
        arts = self.store.artifacts(ps.flow, ps.run, ps.step, ps.task)
        if not include_private:
            arts = [a for a in arts if not a["name"].startswith("_")]
        return ArtifactsJSON(pathspec=str(ps), artifacts=arts)

    def load_artifact(self, pathspec: str, namespace: Namespace = DEFAULT) -> Any:
        """Unpickle an artifact with Metaflow's client and convert it to pandas (kernel only).

        Returns a `convert.Conversion`. Never call this in the server process: artifacts may
        come from anyone, and unpickling runs their code.
        """
        from .convert import to_pandas

        ps = parse_pathspec(pathspec, min_depth=5, max_depth=5, what="artifact pathspec")
        ns = self.resolve_namespace(namespace)
        task_ps = self._task(str(ps).rsplit("/", 1)[0], ns)
        names = {a["name"] for a in self.store.artifacts(*task_ps.task_parts())}
        if ps.artifact not in names:
            raise ArtifactNotFound(f"Task {task_ps} has no artifact {ps.artifact!r}.")
        from metaflow import Task

        task = Task(
            str(task_ps), _namespace_check=False, _current_metadata=self.store.metadata_spec
        )
        return to_pandas(task[ps.artifact].data)

    # -- tags --------------------------------------------------------------------------------
    def mutate_tags(
        self,
        pathspec: str,
        add: Iterable[str] = (),
        remove: Iterable[str] = (),
        namespace: Namespace = DEFAULT,
    ) -> TagMutationJSON:
        """Remove then add user tags on a run, atomically, with Metaflow's rules.

        The run's created_at, user and place among runs do not change.
        """
        ps = parse_pathspec(pathspec, min_depth=2, max_depth=2, what="run pathspec")
        add_list = validate_tag_list(list(add) if not isinstance(add, str) else [add], "add")
        remove_list = validate_tag_list(
            list(remove) if not isinstance(remove, str) else [remove], "remove"
        )
        ns = self.resolve_namespace(namespace)
        self._run_in_namespace(ps, ns)
        assert ps.run is not None
        rec = self.store.mutate_tags(ps.flow, ps.run, add_list, remove_list)
        self.index.upsert(rec)
        return TagMutationJSON(
            pathspec=str(ps), tags=sorted(rec.tags), system_tags=sorted(rec.system_tags)
        )


def _json_list(text: str) -> List[str]:
    import json

    value = json.loads(text)
    return [str(v) for v in value] if isinstance(value, list) else []


__all__ = ["Catalog", "DEFAULT", "MfnsError"]
