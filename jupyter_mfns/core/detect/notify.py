"""Change detection for a local store by file system notifications (inotify), with a slow
safety rescan for what notifications cannot see (watch budget, a lost event).

The refresh thread sleeps in `read()` on the inotify descriptor: with nothing changing it wakes
once per refresh interval to say the index is current, and costs nothing else. Events become
hints applied at once; activity in a running run recomputes its status at most every
`DETAILS_EVERY` seconds. Every `safety_interval` the whole store is rescanned (its parts
interleaved with the events that arrive meanwhile), which catches a tag change on an old run
nobody watched, an event lost to a full queue, or a change made over a network mount.
"""

from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING, Any, Deque, Dict, Iterable, Optional

from .base import Detector, Hints, RunKey
from .local_watch import LocalWatcher, max_user_watches

if TYPE_CHECKING:
    from ..refresh import Refresher

#: seconds between two status recomputations of one busy running run
DETAILS_EVERY = 0.5
#: recent runs per flow whose `_meta` is watched from the start (tag changes seen at once)
RECENT_RUNS = 100
#: watches one server takes at most (and at most 1/16 of the machine's per-user limit)
DEFAULT_WATCH_BUDGET = 8192
DEFAULT_SAFETY_INTERVAL = 300.0


def default_watch_budget() -> int:
    return max(64, min(DEFAULT_WATCH_BUDGET, max_user_watches() // 16))


class NotifyDetector(Detector):
    """inotify over a `LocalStore`'s folder."""

    name = "notify"

    def __init__(
        self,
        sysroot: str,
        *,
        safety_interval: float = DEFAULT_SAFETY_INTERVAL,
        watch_budget: Optional[int] = None,
    ) -> None:
        self.sysroot = sysroot
        self.safety_interval = safety_interval
        self.watcher = LocalWatcher(sysroot, watch_budget or default_watch_budget())
        self._details_at: Dict[RunKey, float] = {}
        self._deferred: Dict[RunKey, float] = {}  # run -> when its status may be recomputed
        self._pending_shown: Deque[RunKey] = deque(maxlen=4096)  # from query threads
        self.safety_rescans = 0
        self._next_safety = 0.0
        self._timeout = 0.0
        self.events_applied = 0

    # -- the loop ----------------------------------------------------------------------------
    def run(self, refresher: Refresher) -> None:
        self.watcher.start(refresher.store.flows())
        # first catch up with what happened while nobody watched (events meanwhile queue up)
        refresher.guarded(refresher.refresh)
        # watches added after the scan: what changed in between is re-read with them
        with refresher.lock:
            refresher.apply_locked(self._watch_running_and_recent(refresher))
        self._next_safety = time.monotonic() + self.safety_interval
        while not refresher.stopped:
            now = time.monotonic()
            timeout = min(refresher.refresh_interval, max(0.0, self._next_safety - now))
            if self._deferred:
                timeout = min(timeout, max(0.0, min(self._deferred.values()) - now))
            self._timeout = timeout
            if not refresher.guarded(self._step_with(refresher)):
                refresher.wait(refresher.refresh_interval)  # e.g. the store is unreadable
            refresher.guarded(refresher.run_followers)

    def _step_with(self, refresher: Refresher) -> Any:
        return lambda: self._step(refresher)

    def _step(self, refresher: Refresher) -> None:
        """Wait for events (up to `_timeout`), apply them, rescan when due."""
        hints = self.watcher.read(self._timeout)
        started = time.monotonic()
        if started >= self._next_safety:
            self._next_safety = started + self.safety_interval
            self.safety_rescans += 1
            refresher.refresh()
            if refresher.subscribed:
                refresher.run_pollers()  # a silent running run turns "unknown" in time
        self._apply(refresher, hints)
        refresher.mark_fresh(started, took=time.monotonic() - started)

    def between_parts(self, refresher: Refresher) -> None:
        """During a long rescan by this thread: apply what arrived meanwhile (lock held)."""
        if refresher.on_refresh_thread:  # the watch table is this thread's alone
            self._apply_locked(refresher, self.watcher.read(0))

    # -- applying ----------------------------------------------------------------------------
    def _apply(self, refresher: Refresher, hints: Hints) -> None:
        with refresher.lock:
            self._apply_locked(refresher, hints)

    def _apply_locked(self, refresher: Refresher, hints: Hints) -> None:
        now = time.monotonic()
        for key in hints.details:  # a busy run: recompute its status once per DETAILS_EVERY
            due = self._details_at.get(key, 0.0) + DETAILS_EVERY
            self._deferred[key] = min(self._deferred.get(key, due), due)
        if refresher.subscribed:
            for key in self.watcher.too_large:  # too many tasks to watch: poll it
                self._deferred.setdefault(key, now)
        hints.details = {k for k, due in self._deferred.items() if due <= now}
        for key in hints.details:
            del self._deferred[key]
            self._details_at[key] = now
        if hints:
            self.events_applied += 1
            refresher.apply_locked(hints)
        for key in hints.details | {k for k in hints.runs if k in self.watcher.trees}:
            row = refresher.index.run_row(*key)
            if row is not None and row.details_final:  # (not indexed yet: still starting)
                self.watcher.unwatch_tree(key)
                self._details_at.pop(key, None)
        watched = Hints()
        while self._pending_shown:
            self._watch_shown(refresher, *self._pending_shown.popleft(), watched)
        if watched:
            refresher.apply_locked(watched)

    def _watch_running_and_recent(self, refresher: Refresher) -> Hints:
        hints = Hints()
        for row in refresher.index.unfinished_runs(64):
            self.watcher.watch_tree(row.flow, row.run_id, hints)
        for flow in refresher.index.known_flows():
            # oldest first: the newest are the most recently used when the budget runs out
            for row in reversed(refresher.index.query_runs(flow, [], RECENT_RUNS)):
                self.watcher.watch_run_meta(flow, row.run_id, hints)
        return hints

    def _watch_shown(self, refresher: Refresher, flow: str, run_id: str, hints: Hints) -> None:
        self.watcher.watch_run_meta(flow, run_id, hints)
        row = refresher.index.run_row(flow, run_id)
        if row is not None and row.status == "running" and not row.details_final:
            self.watcher.watch_tree(flow, run_id, hints)

    def shown(self, flow: str, run_ids: Iterable[str]) -> None:
        # applied by the refresh thread (the watch table is its own)
        self._pending_shown.extend((flow, r) for r in run_ids)

    def catch_up(self, refresher: Refresher, current: bool, flow: Optional[str]) -> None:
        if not current:  # the thread stopped marking the index current: rescan
            refresher.refresh_locked()
        # else the events are applied as they come: nothing to do

    def extra_staleness(self, refresher: Refresher) -> float:
        # the thread says "current" on every wake-up; a loaded machine may delay that, and a
        # query must not mistake the delay for a dead thread (its catch-up is a rescan)
        return 2 * refresher.last_step_seconds + 2.0

    def describe(self) -> Dict[str, Any]:
        return {
            "strategy": self.name,
            "watches": self.watcher.watch_count,
            "watch_budget": self.watcher.budget,
            "running_runs_watched": len(self.watcher.trees),
            "safety_interval": self.safety_interval,
        }

    def close(self) -> None:
        self.watcher.close()
