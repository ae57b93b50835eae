"""Keeping the run index in step with the store, and telling subscribers what changed.

Detection today is a scan: every `refresh_interval` the store lists each flow's runs with their
change tokens and the index rewrites what differs. A query never answers from an index older
than `max_staleness`; with nobody querying (and nobody subscribed) the scans slow down.

The change feed (`subscribe`) reports, from the thread that learned of it, every change the
index takes in: `Change("runs", flow)` when runs of a flow appear or disappear, and
`Change("run", flow, "F/R")` when a run's tags (or, once its details are recomputed, its
status) change. How changes are detected may change underneath; this interface stays.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, Iterator, List, Literal, Optional, Tuple

from .index import RunIndex, Written
from .model import ProblemJSON
from .store.base import RunRecord, ScanResult, Store

log = logging.getLogger(__name__)

#: seconds without a query after which the background refresh slows down to IDLE_INTERVAL
IDLE_AFTER = 60.0
IDLE_INTERVAL = 30.0
#: more changed runs of one flow in one write than this are announced as one `runs` change
MAX_RUN_CHANGES = 50


@dataclass(frozen=True)
class Change:
    """Something the index learned: the runs of `flow` (`runs`) or one run (`run`, `F/R`)."""

    kind: Literal["runs", "run"]
    flow: str
    pathspec: Optional[str] = None


Subscriber = Callable[[Change], None]


def changes_of(flow: str, written: Written) -> List[Change]:
    """The changes a write to the index of `flow` means to a reader."""
    many = len(written.changed) > MAX_RUN_CHANGES
    out = [Change("runs", flow)] if written.added or written.removed or many else []
    if not many:
        out += [Change("run", flow, f"{flow}/{run_id}") for run_id in written.changed]
    return out


def moved_since(known: Dict[str, str], scan: ScanResult, written: Written) -> Written:
    """What a scan changed for this process's readers, also when the index file already held it.

    The index file is shared by every process reading the store (the server and its kernels):
    a kernel's `%mfns tag` writes the run's new tags there first, so the server's own write finds
    nothing different. Its tokens (`known`, what this process last read) still tell: a listed run
    whose token moved has changed, a run it did not know is new.
    """
    added = set(written.added)
    changed = set(written.changed)
    for rec in scan.upserts:
        if rec.run_id not in known and rec.run_id not in added:
            written.added.append(rec.run_id)
        elif rec.run_id in known and rec.run_id not in changed and rec.run_id not in added:
            written.changed.append(rec.run_id)
    return written


class Refresher:
    """The refresh thread, the staleness rule, unreadable runs and the change feed."""

    def __init__(self, store: Store, index: RunIndex, refresh_interval: float) -> None:
        self.store = store
        self.index = index
        self.refresh_interval = refresh_interval
        self._refresh_lock = threading.Lock()
        #: when the last completed refresh started: the index reflects the store as of then
        self._fresh_as_of = float("-inf")
        self._last_refresh_seconds = 0.0
        self._broken: Dict[Tuple[str, str], str] = {}
        self._stop = threading.Event()
        self._wake = threading.Event()  # set by close(), by a query after an idle spell
        self._queried_at = time.monotonic()
        self._thread: Optional[threading.Thread] = None
        self._cold_queries = 0  # queries answered from listings: a refresh yields to them
        self._subscribers: List[Subscriber] = []
        self._subscribers_lock = threading.Lock()
        #: extra checks run after each background refresh while someone is subscribed
        self._pollers: List[Callable[[], None]] = []
        #: work that follows the index, run after every background refresh (bounded by each)
        self._followers: List[Callable[[], None]] = []

    # -- refreshing --------------------------------------------------------------------------
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
            self.announce([Change("runs", gone)])
            changed = True
        for flow in flows:
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
                written = moved_since(known, scan, self.index.apply(flow, scan))
                self.announce(changes_of(flow, written))
                changed |= bool(written)
        finished = time.monotonic()
        self._fresh_as_of = started
        self._last_refresh_seconds = finished - started
        return changed

    def fresh(self) -> None:
        """Make sure the index reflects the store as of at most `max_staleness` ago.

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

    @property
    def has_refreshed(self) -> bool:
        """True once one refresh completed (the index then holds every readable run)."""
        return self._fresh_as_of >= 0

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

    # -- the background thread ---------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="mfns-refresh", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.refresh()
                if self.subscribed:
                    for poll in self._pollers:
                        poll()
                for follow in self._followers:
                    follow()
            except Exception:  # keep serving from the last good index
                log.exception("jupyter_mfns: refreshing the run index failed")
            # scans start one interval apart, with at least half an interval of rest after a
            # long one: a change shows within about an interval plus a scan's time.
            # Nobody querying or subscribed: scan rarely (a scan of 100k runs costs most of a
            # second of CPU); the next query wakes this thread, and refreshes inline if stale.
            interval = self.refresh_interval
            wait = max(interval / 2, interval - self._last_refresh_seconds)
            if time.monotonic() - self._queried_at > IDLE_AFTER and not self.subscribed:
                wait = max(wait, IDLE_INTERVAL)
            self._wake.wait(wait)
            self._wake.clear()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

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
        before = self.index.tokens(rec.flow).get(rec.run_id)
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
        self._wake.set()  # an idling background thread goes back to one scan per interval

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
        """Run `follow()` after every background refresh (it must bound its own time)."""
        self._followers.append(follow)

    def add_poller(self, poll: Callable[[], None]) -> None:
        """Run `poll()` after each background refresh while someone is subscribed."""
        self._pollers.append(poll)
