"""How the run index learns that the store changed: the detector interface and its hints.

A detector runs the refresh thread's loop (`run`) and tells the `Refresher` what to re-read, as
`Hints`: everything, some flows' listings, some runs' records, some runs' details, or records
it already holds (a service's change feed carries the rows). The refresher applies them under
its lock and reports the changes to subscribers; the detector decides only what and when.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Set, Tuple

from ..store.base import RunRecord

if TYPE_CHECKING:  # the refresher imports this module
    from ..refresh import Refresher

RunKey = Tuple[str, str]  # (flow, run id)


@dataclass
class Hints:
    """What may have changed, as precisely as the detector knows it."""

    everything: bool = False  # rescan the whole store (a lost notification, a new root)
    flows: Set[str] = field(default_factory=set)  # rescan these flows' listings
    runs: Set[RunKey] = field(default_factory=set)  # re-read these runs' records
    details: Set[RunKey] = field(default_factory=set)  # recompute these runs' status
    records: List[RunRecord] = field(default_factory=list)  # rows read already, to write
    #: runs a file system notification named (`runs`: a new run folder, `run`: its record
    #: rewritten): announced even when the index file, shared with kernels, already has it
    notified: Dict[RunKey, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.everything or self.flows or self.runs or self.details or self.records)

    def merge(self, other: Hints) -> None:
        self.everything |= other.everything
        self.flows |= other.flows
        self.runs |= other.runs
        self.details |= other.details
        self.records += other.records
        for key, kind in other.notified.items():
            self.notify(key, kind)

    def notify(self, key: RunKey, kind: str) -> None:
        """A notification named run `key` (`runs`: it is new; `run`: it changed)."""
        self.runs.add(key)
        if self.notified.get(key) != "runs":
            self.notified[key] = kind


class Detector(ABC):
    """One strategy for noticing changes; `run` is the body of the refresh thread."""

    #: the strategy's name, as `GET status` shows it
    name: str = "detector"

    @abstractmethod
    def run(self, refresher: Refresher) -> None:
        """Keep the index in step until `refresher.stopped`; never raises."""

    def catch_up(self, refresher: Refresher, current: bool, flow: Optional[str]) -> None:
        """Bring the index up to date now, inline (the refresh lock is held): a query found it
        stale, or (`current`) wants to be sure about `flow`. The default rescans everything."""
        refresher.refresh_locked()

    def before_query(self, refresher: Refresher, flow: str) -> None:  # noqa: B027 - optional
        """A query is about to read `flow` from the index (the lock is not held)."""

    def between_parts(self, refresher: Refresher) -> None:  # noqa: B027 - optional
        """Between two parts of a long rescan (the lock is held): apply what came meanwhile."""

    def shown(self, flow: str, run_ids: Iterable[str]) -> None:  # noqa: B027 - optional
        """These runs were just shown to someone: changes to them matter most."""

    def extra_staleness(self, refresher: Refresher) -> float:
        """Seconds a healthy background thread may lag behind the store beyond one interval."""
        return 2 * refresher.last_step_seconds + 0.5

    def describe(self) -> Dict[str, Any]:
        """What `GET status` says about detection (strategy, and why when it fell back)."""
        return {"strategy": self.name}

    def close(self) -> None:  # noqa: B027 - optional
        """Release files, sockets and threads."""


class ScanDetector(Detector):
    """Rescan every flow's listing every `refresh_interval` (slower while nobody looks).

    The strategy before notifications existed: exact, and its cost grows with the store (a
    stat per local run, every run row of a service, each time). Kept as the fallback where
    nothing better works, and selectable for comparison."""

    name = "scan"

    def __init__(self, reason: Optional[str] = None) -> None:
        self.reason = reason

    def run(self, refresher: Refresher) -> None:
        while not refresher.stopped:
            refresher.guarded(refresher.refresh)
            if refresher.subscribed:
                refresher.guarded(refresher.run_pollers)
            refresher.guarded(refresher.run_followers)
            # scans start one interval apart, with at least half an interval of rest after a
            # long one: a change shows within about an interval plus a scan's time. Nobody
            # querying or subscribed: scan rarely; the next query wakes this thread.
            interval = refresher.refresh_interval
            wait = max(interval / 2, interval - refresher.last_step_seconds)
            if refresher.idle:
                wait = max(wait, refresher.idle_interval)
            refresher.wait(wait)

    def describe(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"strategy": self.name}
        if self.reason:
            out["reason"] = self.reason
        return out
