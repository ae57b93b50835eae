"""Keeping the run index in step with the store, and telling subscribers what changed.

How changes are noticed is a `Detector`'s business (`detect/`): a rescan every interval, file
system notifications, incremental reads of a metadata service, its change feed. The detector
runs the background thread and hands `Hints` to `apply`; this room owns what they share: the
refresh lock, the staleness rule, unreadable runs and the change feed.

Staleness: a query never answers from an index older than `max_staleness` while the detector's
thread keeps it current; when it fell behind (or there is no thread), the query catches up
inline first (`Detector.catch_up`: a rescan, or one incremental read). A server restarted over
a persisted index answers from it at once while its first catch-up runs in the background.

The change feed (`subscribe`) reports, from the thread that learned of it, every change the
index takes in: `Change("runs", flow)` when runs of a flow appear or disappear, and
`Change("run", flow, "F/R")` when a run's tags (or, once its details are recomputed, its
status) change. However detection works, this interface stays.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, TypeVar

from .changes import Change, changes_of, moved_since
from .detect.base import Detector, Hints, ScanDetector
from .errors import MfnsError
from .index import RunIndex
from .model import ProblemJSON
from .store.base import RunRecord, ScanResult, Store

log = logging.getLogger(__name__)

#: seconds without a query after which the background refresh slows down to IDLE_INTERVAL
IDLE_AFTER = 60.0
IDLE_INTERVAL = 30.0
T = TypeVar("T")
Subscriber = Callable[[Change], None]
ActivityHandler = Callable[[str, str], None]


class Refresher:
    """The refresh thread (run by a detector), the staleness rule, unreadable runs and the
    change feed."""

    idle_interval = IDLE_INTERVAL

    def __init__(
        self,
        store: Store,
        index: RunIndex,
        refresh_interval: float,
        detector: Optional[Detector] = None,
    ) -> None:
        self.store = store
        self.index = index
        self.refresh_interval = refresh_interval
        self.detector: Detector = detector or ScanDetector()
        self._refresh_lock = threading.Lock()
        #: when the last completed catch-up started: the index reflects the store as of then
        self._fresh_as_of = float("-inf")
        self._caught_up = False  # one whole rescan (or catch-up) completed
        self.last_step_seconds = 0.0
        #: the index was persisted by an earlier process: answer from it while catching up
        self._persisted = bool(index.known_flows())
        self._broken: Dict[Tuple[str, str], str] = {}
        self._stop = threading.Event()
        self._wake = threading.Event()  # set by close(), by a query after an idle spell
        self._queried_at = time.monotonic()
        self._thread: Optional[threading.Thread] = None
        self._cold_queries = 0  # queries answered from listings: a refresh yields to them
        self._subscribers: List[Subscriber] = []
        self._subscribers_lock = threading.Lock()
        #: extra checks a detector runs while someone is subscribed (running runs' status)
        self._pollers: List[Callable[[], None]] = []
        #: work that follows the index, run after every background refresh (bounded by each)
        self._followers: List[Callable[[], None]] = []
        #: told about activity in a run (its status may have changed)
        self._activity: List[ActivityHandler] = []
        self._last_failure: Optional[str] = None

    # -- rescanning --------------------------------------------------------------------------
    def refresh(self) -> bool:
        """Rescan the whole store into the index; True when something changed."""
        with self._refresh_lock:
            return self.refresh_locked()

    def refresh_locked(self) -> bool:
        started = time.monotonic()
        changed = False
        flows = self.store.flows()
        for gone in set(self.index.known_flows()) - set(flows):
            self.index.drop_flow(gone)
            self.announce([Change("runs", gone)])
            changed = True
        for flow in flows:
            changed |= self.refresh_flow_locked(flow)
        self.mark_fresh(started, took=time.monotonic() - started)
        self._caught_up = True
        return changed

    def refresh_flow_locked(self, flow: str) -> bool:
        """Rescan one flow's listing (the refresh lock is held)."""
        changed = False
        known = dict(self.index.tokens(flow))  # a snapshot: queries may add runs meanwhile
        # in parts: each change is committed as soon as it is found, and a cold start
        # never holds 100k records in memory
        parts = self.store.scan_runs_iter(flow, known)
        for key in [k for k in self._broken if k[0] == flow]:
            del self._broken[key]
        for scan in parts:
            while self._cold_queries and not self._stop.is_set():
                time.sleep(0.005)  # a cold query is reading a flow: let it have the CPU
            for run_id, why in scan.broken.items():
                self.note_broken(flow, run_id, why)
            changed |= self.write(flow, scan, known)
            self.detector.between_parts(self)  # what it learned meanwhile, in a long scan
        return changed

    def write(self, flow: str, scan: ScanResult, known: Optional[Dict[str, str]] = None) -> bool:
        """Apply a scan to the index and announce it; `known`, this process's tokens before
        the scan, also announces runs another process (a kernel) indexed first."""
        written = self.index.apply(flow, scan)
        if known is not None:
            written = moved_since(known, scan, written)
        self.announce(changes_of(flow, written))
        return bool(written)

    # -- applying what a detector learned ----------------------------------------------------
    def apply(self, hints: Hints) -> bool:
        with self._refresh_lock:
            return self.apply_locked(hints)

    def apply_locked(self, hints: Hints) -> bool:
        """Re-read what the hints name and write it to the index; True when anything changed."""
        if hints.everything:
            return self.refresh_locked()
        changed = False
        flows = set(self.store.flows()) if hints.flows else set()
        for flow in sorted(hints.flows):
            if flow in flows:
                changed |= self.refresh_flow_locked(flow)
            elif flow in self.index.known_flows():
                self.index.drop_flow(flow)
                self.announce([Change("runs", flow)])
                changed = True
        for flow, run_id in sorted(hints.runs):
            if flow not in hints.flows:
                changed |= self._reread_run(flow, run_id, hints.notified.get((flow, run_id)))
        for rec in hints.records:
            changed |= self._rewrite_run(rec)
        for flow, run_id in sorted(hints.details):
            for handler in self._activity:
                handler(flow, run_id)
        return changed

    def _reread_run(self, flow: str, run_id: str, notified: Optional[str] = None) -> bool:
        try:
            rec = self.store.read_run(flow, run_id)
        except MfnsError as exc:  # half-written or corrupt: skipped, reported
            self.note_broken(flow, run_id, str(exc))
            rec = None
        else:
            self._broken.pop((flow, run_id), None)
        if rec is None:
            if self.index.token(flow, run_id) is None:
                return False
            return self.write(flow, ScanResult(removed=[run_id]))
        return self._rewrite_run(rec, notified)

    def _rewrite_run(self, rec: RunRecord, notified: Optional[str] = None) -> bool:
        """Write a run read fresh and announce what changed. A run a notification named
        (`notified`) is announced even when its row in the index file, shared with kernels,
        is current already: another process (a kernel's `%mfns tag`) wrote it there first,
        and this process's readers must still hear of it."""
        before = self.index.token(rec.flow, rec.run_id)
        if before == rec.token:
            if notified == "runs":
                self.announce([Change("runs", rec.flow)])
            elif notified == "run":
                self.announce([Change("run", rec.flow, f"{rec.flow}/{rec.run_id}")])
            return False
        known = {} if before is None else {rec.run_id: before}
        return self.write(rec.flow, ScanResult(upserts=[rec]), known)

    def mark_caught_up(self) -> None:
        """The detector caught up with the store its own way (not by a whole rescan)."""
        self.mark_fresh(time.monotonic())
        self._caught_up = True

    def mark_fresh(self, as_of: float, took: Optional[float] = None) -> None:
        """The index reflects the store as of `as_of` (monotonic seconds)."""
        self._fresh_as_of = max(self._fresh_as_of, as_of)
        if took is not None:
            self.last_step_seconds = took

    # -- staleness ---------------------------------------------------------------------------
    def fresh(self, flow: Optional[str] = None) -> None:
        """Make sure the index reflects the store as of at most `max_staleness` ago (and, for
        a query about `flow`, let the detector look at that flow first)."""
        now = time.monotonic()
        if now - self._queried_at > IDLE_AFTER:
            self._wake.set()  # the background thread was idling: back to its usual pace
        self._queried_at = now
        if self.in_background and not self._caught_up and self._persisted:
            return  # a restart: answer from the persisted index while the thread catches up
        if now - self._fresh_as_of > self.max_staleness:
            self.catch_up()
        if flow is not None and self.in_background:
            self.detector.before_query(self, flow)

    def catch_up(self, force: bool = False, flow: Optional[str] = None) -> None:
        """Bring the index up to date inline (the detector's way, or a rescan); `force`: even
        when it seems current (a query about `flow` found nothing where something may be)."""
        allowed = self.max_staleness
        with self._refresh_lock:
            current = time.monotonic() - self._fresh_as_of <= allowed
            if current and not force:
                return  # another caller caught up while this one waited for the lock
            if self.in_background and self._caught_up:
                self.detector.catch_up(self, current, flow)
            else:
                self.refresh_locked()

    @property
    def max_staleness(self) -> float:
        """Seconds: a query reflects every change made in the store longer ago than this."""
        allowed = self.refresh_interval
        if self._thread is not None:
            allowed += self.detector.extra_staleness(self)
        return allowed

    @property
    def has_refreshed(self) -> bool:
        """True once one refresh completed (the index then holds every readable run)."""
        return self._caught_up

    @property
    def in_background(self) -> bool:
        return self._thread is not None

    @contextlib.contextmanager
    def cold_query(self) -> Iterator[None]:
        """Around a query that reads the store directly: refreshes pause meanwhile."""
        self._cold_queries += 1
        try:
            yield
        finally:
            self._cold_queries -= 1

    def shown(self, flow: str, run_ids: Iterable[str]) -> None:
        """Runs just shown to someone (a page, a run): the detector watches them closely."""
        if self.in_background:
            self.detector.shown(flow, run_ids)

    # -- the background thread (its loop is the detector's) ----------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="mfns-refresh", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.detector.run(self)
        except Exception:
            log.exception("jupyter_mfns: change detection stopped")

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    @property
    def idle(self) -> bool:
        """Nobody queried for a while and nobody is subscribed."""
        return time.monotonic() - self._queried_at > IDLE_AFTER and not self.subscribed

    def wait(self, seconds: float) -> None:
        """Sleep up to `seconds`, less when woken (a query after an idle spell, close())."""
        self._wake.wait(max(0.0, seconds))
        self._wake.clear()

    def wake(self) -> None:
        self._wake.set()

    def guarded(self, step: Callable[[], Any]) -> bool:
        """Run one step of the loop; a failure is logged and the last good index kept."""
        return self.guarded_value(lambda: step() or True, False)

    def guarded_value(self, step: Callable[[], T], failed: T) -> T:
        """`step()`, or `failed` when it raised (logged once per kind of failure in a row)."""
        try:
            value = step()
        except Exception as exc:
            why = f"{type(exc).__name__}: {exc}"
            if why != self._last_failure:
                log.exception("jupyter_mfns: refreshing the run index failed")
            self._last_failure = why
            return failed
        self._last_failure = None
        return value

    @property
    def lock(self) -> threading.Lock:
        """Held by whoever writes what the store says into the index."""
        return self._refresh_lock

    @property
    def on_refresh_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.detector.close()

    def describe(self) -> Dict[str, Any]:
        """How changes are detected, for `GET status`."""
        return self.detector.describe() if self.in_background else {"strategy": "on-demand"}

    # -- unreadable runs ---------------------------------------------------------------------
    def note_broken(self, flow: str, run_id: str, why: str) -> None:
        if self._broken.get((flow, run_id)) != why:
            log.warning("Skipping unreadable run %s/%s: %s", flow, run_id, why)
        self._broken[(flow, run_id)] = why

    def broken_reason(self, flow: str, run_id: str) -> Optional[str]:
        return self._broken.get((flow, run_id))

    def problems(self) -> List[ProblemJSON]:
        """Runs skipped because their metadata cannot be read (half-written, corrupt)."""
        return [
            ProblemJSON(pathspec=f"{f}/{r}", message=why)
            for (f, r), why in sorted(self._broken.items())
        ]

    # -- writes made by queries, and the change feed -----------------------------------------
    def upsert(self, rec: RunRecord) -> None:
        """Write a run read fresh from the store, announcing what it changed."""
        before = self.index.token(rec.flow, rec.run_id)  # one row, not the flow's tokens
        written = self.index.upsert(rec)
        if before != rec.token:
            known = {} if before is None else {rec.run_id: before}
            written = moved_since(known, ScanResult(upserts=[rec]), written)
        self.announce(changes_of(rec.flow, written))

    @property
    def subscribed(self) -> bool:
        return bool(self._subscribers)

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback(change)` for every change from now on; returns the unsubscriber."""
        with self._subscribers_lock:
            self._subscribers = [*self._subscribers, callback]
        self._wake.set()  # an idling background thread goes back to its usual pace

        def unsubscribe() -> None:
            with self._subscribers_lock:
                self._subscribers = [s for s in self._subscribers if s is not callback]

        return unsubscribe

    def announce(self, changes: Iterable[Change]) -> None:
        subscribers = self._subscribers  # replaced, never mutated: safe to iterate
        if not subscribers:
            return
        for change in changes:
            for callback in subscribers:
                try:
                    callback(change)
                except Exception:  # one broken subscriber must not stop the others
                    log.exception("jupyter_mfns: a change subscriber failed")

    def add_after_refresh(self, follow: Callable[[], None]) -> None:
        """Run `follow()` after every step of the background loop (it must bound its time)."""
        self._followers.append(follow)

    def add_poller(self, poll: Callable[[], None]) -> None:
        """`poll()` is run by detectors that poll running runs while someone is subscribed."""
        self._pollers.append(poll)

    def run_pollers(self) -> None:
        for poll in self._pollers:
            poll()

    def run_followers(self) -> None:
        """Work that follows the index (e.g. indexing new runs' parameters), after each step of
        a detector's loop; each follower bounds its own time."""
        for follow in self._followers:
            follow()

    def add_activity_handler(self, handler: ActivityHandler) -> None:
        """`handler(flow, run_id)` is told of activity in a run (a task started or ended)."""
        self._activity.append(handler)
