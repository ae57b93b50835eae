"""Change detection for a metadata service: incremental reads, at most one per interval.

A rescan re-downloads every flow's whole run list each interval: its cost grows with the runs
and is multiplied by every user's server. Here each tick of the refresh thread sends at most
one request while nothing changes, chosen by due time among:

- a *probe* of one flow: its newest `PROBE_ROWS` runs (`_limit`, newest first). New runs show
  up as unknown ids (then the next pages are walked, right away, until a known run), another
  user's tag change on a recent run as a changed row. Flows someone queried lately are probed
  every interval (shared by at most `HOT_FLOWS`), the others every `COLD_PROBE_EVERY` s;
- the flow list (`/flows`, new and removed flows) every `FLOWS_EVERY` s;
- one page of a slow *sweep*: the full listings, one `SWEEP_ROWS` page every `sweep_every` s,
  round the flows, which finds tag changes on old runs and deleted runs (the service has no
  change feed for them). Its bytes per minute do not depend on the number of runs; a full
  round takes longer on a larger service.

While runs are running (things change) each running run's end step is checked every tick,
and its status recomputed once its end task exists or every `RECHECK_EVERY` checks.

Where the deployment's `ui_backend` websocket is configured (`ui_feed.py`), its events are
written as they come, without any request; the probes then slow to `FEED_PROBE_EVERY` s (a
deployment whose trigger sends nothing for tag changes still shows them within that time).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Tuple

from ..errors import MfnsError
from ..store.base import RunRecord, ScanResult
from ..store.rules import MetadataError, run_record_from_json
from ..store.service import ServiceStore, _token
from ..store.service_rows import RunView
from .base import Detector, Hints, RunKey
from .ui_feed import UIBackendFeed

if TYPE_CHECKING:
    from ..refresh import Refresher

PROBE_ROWS = 10
WALK_ROWS = 100
SWEEP_ROWS = 100
SWEEP_EVERY = 30.0
COLD_PROBE_EVERY = 10.0
FEED_PROBE_EVERY = 5.0
FEED_COLD_PROBE_EVERY = 60.0
FLOWS_EVERY = 60.0
#: flows probed every interval (the ones queried most recently)
HOT_FLOWS = 4
#: seconds a queried flow stays hot when nobody is subscribed
HOT_FOR = 60.0
RUNNING_CHECKED = 8
RECHECK_EVERY = 10


@dataclass
class _Sweep:
    """Where the slow full listing is: which flow, the next page, the last page's oldest key."""

    flows: List[str]
    position: int = 0
    cursor: Optional[str] = None
    below: Optional[int] = None  # created_at of the previous page's oldest run


def _row_id(row: Dict[str, Any]) -> str:
    return str(row.get("run_number", ""))


class ServiceDetector(Detector):
    """Incremental reads of a `ServiceStore` (and its ui_backend feed, when given)."""

    name = "service"

    def __init__(
        self,
        store: ServiceStore,
        *,
        safety_interval: Optional[float] = None,
        ui_backend_ws: Optional[str] = None,
        feed_probe_every: float = FEED_PROBE_EVERY,
    ) -> None:
        self.store = store
        self.sweep_every = safety_interval if safety_interval is not None else SWEEP_EVERY
        #: seconds between probes of a hot flow while the feed is connected
        self.feed_probe_every = feed_probe_every
        self.ticks = 0
        self._refresher: Optional[Refresher] = None
        self.feed = (
            UIBackendFeed(ui_backend_ws, store.api.headers, on_event=self._wake)
            if ui_backend_ws
            else None
        )
        self._hot: OrderedDict[str, float] = OrderedDict()  # flow -> when last queried
        self._probed_at: Dict[str, float] = {}
        self._flows_at = time.monotonic()
        self._flows: List[str] = []
        self._walks: Dict[str, str] = {}  # flow -> cursor of the next page of new runs
        self._sweep: Optional[_Sweep] = None
        self._sweep_at = time.monotonic()
        self._checks: Dict[RunKey, int] = {}
        self.sweeps_done = 0

    # -- the loop ----------------------------------------------------------------------------
    def run(self, refresher: Refresher) -> None:
        self._refresher = refresher
        if self.feed is not None:
            self.feed.start()  # before catching up: nothing between is missed
        while not refresher.stopped and not refresher.guarded(lambda: self._start(refresher)):
            refresher.wait(refresher.refresh_interval)  # the service is down: try again
        while not refresher.stopped:
            started = time.monotonic()
            if refresher.guarded(lambda: self._tick(refresher)):
                refresher.mark_fresh(started, took=time.monotonic() - started)
            refresher.guarded(refresher.run_followers)
            wait = refresher.idle_interval if refresher.idle else refresher.refresh_interval
            if self._walks:
                wait = 0.0  # new runs are still being paged in
            refresher.wait(wait)

    def _start(self, refresher: Refresher) -> None:
        """Catch up with what happened while nobody watched: a cold index lists everything;
        a persisted one probes every flow (the sweep finds the rest, in time)."""
        if not refresher.index.known_flows():
            refresher.refresh()
            self._flows = refresher.index.known_flows()
            return
        with refresher.lock:
            hints = Hints()
            self._flows = self.store.flows()
            hints.flows |= set(refresher.index.known_flows()) ^ set(self._flows)
            refresher.apply_locked(hints)
            for flow in self._flows:
                self._probe_locked(refresher, flow)
            refresher.mark_caught_up()

    def _wake(self) -> None:
        if self._refresher is not None:
            self._refresher.wake()

    def _tick(self, refresher: Refresher) -> None:
        self.ticks += 1
        with refresher.lock:
            self._take_feed(refresher)
            if self._walks:
                flow, cursor = next(iter(self._walks.items()))
                self._walk_locked(refresher, flow, cursor)
            else:
                self._idle_request_locked(refresher)
            self._check_running_locked(refresher)

    def catch_up(self, refresher: Refresher, current: bool, flow: Optional[str]) -> None:
        """Inline: one probe (of `flow`, or of every hot flow when the thread fell behind)."""
        self._take_feed(refresher)
        flows = [flow] if flow else list(self._hot) or self._flows[:1]
        for name in flows:
            self._probe_locked(refresher, name)
        refresher.mark_fresh(time.monotonic())

    def before_query(self, refresher: Refresher, flow: str) -> None:
        """A query about a flow nobody looked at lately: probe it first (then it is hot)."""
        cold = flow not in self._hot
        self._make_hot(flow)
        if cold and flow in self._flows:
            with refresher.lock:
                self._probe_locked(refresher, flow)

    def shown(self, flow: str, run_ids: Iterable[str]) -> None:
        self._make_hot(flow)

    def _make_hot(self, flow: str) -> None:
        self._hot[flow] = time.monotonic()
        self._hot.move_to_end(flow)
        while len(self._hot) > HOT_FLOWS:
            self._hot.popitem(last=False)

    # -- choosing the one request of a tick ----------------------------------------------------
    def _hot_flows(self, refresher: Refresher) -> List[str]:
        now = time.monotonic()
        if not refresher.subscribed:
            for flow in [f for f, at in self._hot.items() if now - at > HOT_FOR]:
                del self._hot[flow]
        return [f for f in self._hot if f in self._flows]

    def _probe_period(self, refresher: Refresher, flow: str, hot: List[str]) -> float:
        feed = self.feed is not None and self.feed.connected
        if flow in hot:
            every = refresher.refresh_interval * len(hot)
            return max(every, self.feed_probe_every) if feed else every
        return max(FEED_COLD_PROBE_EVERY, self.feed_probe_every) if feed else COLD_PROBE_EVERY

    def _idle_request_locked(self, refresher: Refresher) -> None:
        now = time.monotonic()
        hot = self._hot_flows(refresher)
        due: List[Tuple[float, str, str]] = [(self._flows_at + FLOWS_EVERY, "flows", "")]
        due.append((self._sweep_at + self.sweep_every, "sweep", ""))
        for flow in self._flows:
            period = self._probe_period(refresher, flow, hot)
            due.append((self._probed_at.get(flow, 0.0) + period, "probe", flow))
        at, kind, flow = min(due)
        if at > now:
            return
        if kind == "flows":
            self._flows_at = now
            self._list_flows_locked(refresher)
        elif kind == "sweep":
            self._sweep_at = now
            self._sweep_page_locked(refresher)
        else:
            self._probe_locked(refresher, flow)

    # -- the requests ------------------------------------------------------------------------
    def _list_flows_locked(self, refresher: Refresher) -> None:
        flows = self.store.flows()
        changed = set(flows) ^ set(self._flows)
        self._flows = flows
        if changed:
            refresher.apply_locked(Hints(flows=changed))

    def _probe_locked(self, refresher: Refresher, flow: str) -> None:
        self._probed_at[flow] = time.monotonic()
        rows, following = self.store.api.run_page(flow, PROBE_ROWS)
        if rows is None:  # the flow is gone
            refresher.apply_locked(Hints(flows={flow}))
            return
        if self._write_rows(refresher, flow, rows) == len(rows) and rows and following:
            self._walks[flow] = following  # every probed run is new: there may be more

    def _walk_locked(self, refresher: Refresher, flow: str, cursor: str) -> None:
        rows, following = self.store.api.run_page(flow, WALK_ROWS, cursor)
        new = self._write_rows(refresher, flow, rows or [])
        if rows and new == len(rows) and following:
            self._walks[flow] = following
        else:
            self._walks.pop(flow, None)

    def _sweep_page_locked(self, refresher: Refresher) -> None:
        sweep = self._sweep
        if sweep is None or sweep.position >= len(sweep.flows):
            if sweep is not None:
                self.sweeps_done += 1
            sweep = self._sweep = _Sweep(list(self._flows))
            if not sweep.flows:
                return
        flow = sweep.flows[sweep.position]
        rows, following = self.store.api.run_page(flow, SWEEP_ROWS, sweep.cursor)
        rows = rows or []
        self._write_rows(refresher, flow, rows)
        stamps = [r["ts_epoch"] for r in rows if isinstance(r.get("ts_epoch"), int)]
        oldest = min(stamps) if stamps and following else None
        # the page holds every run created between its oldest row and the previous page's:
        # indexed runs in that range that it does not list were deleted
        listed = {_row_id(r) for r in rows}
        gone = [
            r for r in refresher.index.run_ids_between(flow, oldest, sweep.below) if r not in listed
        ]
        if gone:
            refresher.write(flow, ScanResult(removed=gone))
        if following:
            sweep.cursor, sweep.below = following, oldest
        else:
            sweep.position, sweep.cursor, sweep.below = sweep.position + 1, None, None

    def _write_rows(self, refresher: Refresher, flow: str, rows: List[Dict[str, Any]]) -> int:
        """Write the rows that differ from the index; returns how many were unknown to it."""
        by_id = {_row_id(r): r for r in rows if _row_id(r) and "/" not in _row_id(r)}
        known = refresher.index.tokens_of(flow, list(by_id))
        records: List[RunRecord] = []
        unknown = 0
        for run_id, row in by_id.items():
            token = _token(row)
            if run_id not in known:
                unknown += 1
            if known.get(run_id) == token:
                continue
            try:
                records.append(run_record_from_json(flow, run_id, row, token))
            except MetadataError as exc:
                refresher.note_broken(flow, run_id, str(exc))
        if records:
            refresher.write(flow, ScanResult(upserts=records))
        return unknown

    # -- running runs ------------------------------------------------------------------------
    def _check_running_locked(self, refresher: Refresher) -> None:
        hints = Hints()
        rows = refresher.index.unfinished_runs(RUNNING_CHECKED)
        self._checks = {
            k: v for k, v in self._checks.items() if k in {(r.flow, r.run_id) for r in rows}
        }
        feed = self.feed is not None and self.feed.connected
        for row in rows:
            key = (row.flow, row.run_id)
            checks = self._checks[key] = self._checks.get(key, 0) + 1
            if checks % RECHECK_EVERY == 0:
                hints.details.add(key)
            elif not feed and self._end_task_started(*key):
                hints.details.add(key)
        if hints:
            refresher.apply_locked(hints)

    def _end_task_started(self, flow: str, run_id: str) -> bool:
        try:
            end = self.store.end_step_name(flow, run_id)
            return bool(self.store.rows.tasks_of(RunView(flow, run_id), end))
        except MfnsError:
            return True  # let the status computation say what is wrong

    # -- the feed ----------------------------------------------------------------------------
    def _take_feed(self, refresher: Refresher) -> None:
        feed = self.feed
        if feed is None:
            return
        if feed.overflowed or feed.reconnected:  # events may be missing: probe every flow
            feed.overflowed = feed.reconnected = False
            self._probed_at.clear()
        hints = Hints()
        for event in feed.take():
            data = event["data"]
            flow, run_id = data.get("flow_id"), data.get("run_number")
            if not isinstance(flow, str) or run_id is None or "/" in str(run_id):
                continue
            run_id = str(run_id)
            if event["type"] == "DELETE":
                hints.runs.add((flow, run_id))
                continue
            if flow not in self._flows:
                self._flows.append(flow)
                hints.flows.add(flow)
                continue
            try:
                hints.records.append(run_record_from_json(flow, run_id, data, _token(data)))
            except MetadataError:
                hints.runs.add((flow, run_id))
            if data.get("status") not in (None, "running"):
                hints.details.add((flow, run_id))
        if hints:
            refresher.apply_locked(hints)

    def describe(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {
            "strategy": self.name,
            "probe_rows": PROBE_ROWS,
            "sweep_rows": SWEEP_ROWS,
            "sweep_every": self.sweep_every,
            "hot_flows": list(self._hot),
        }
        if self.feed is not None:
            out["ui_backend_ws"] = self.feed.url
            out["feed_connected"] = self.feed.connected
            if self.feed.last_error:
                out["feed_error"] = self.feed.last_error
        return out

    def close(self) -> None:
        if self.feed is not None:
            self.feed.close()
