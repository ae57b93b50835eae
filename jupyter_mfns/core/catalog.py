"""The Catalog: one object answering every query of jupyter_mfns, namespace as an argument.

Metaflow's own namespace is process-global state; here every call names its namespace
(`DEFAULT`, `None` for global, or a string), so concurrent callers never see each other's.
The Catalog resolves it and hands the query to the room that owns it:

- `refresh.Refresher`: keeps the SQLite `RunIndex` in step with the store, the change feed;
- `listing.RunListing`: runs pages and the latest run;
- `namespaces.NamespaceQueries`: namespaces, flows and tags in use;
- `objects.ObjectQueries`: runs, steps, tasks, artifacts and tag edits, read fresh;
- `logs.LogQueries`: task logs;
- `cards.CardQueries`: task cards (`@card`), their HTML and live data;
- `compare.CompareQueries`: runs side by side (parameters, steps, artifacts by sha).

It never unpickles: artifact values are loaded in the kernel (`kernel/loading.py`).
"""

from __future__ import annotations

import os
from typing import IO, Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Union

from . import identity
from .cards import CardQueries
from .changes import Change
from .compare import CompareQueries
from .detect import Detector, ScanDetector, make_detector
from .errors import MfnsError
from .index import RunIndex, index_path_for
from .limits import DEFAULT_REFRESH_INTERVAL, DEFAULT_TASK_PAGE
from .listing import RunListing, TagsArg
from .logs import LogQueries
from .model import (
    ArtifactsJSON,
    CardDataJSON,
    CardsJSON,
    CompareJSON,
    DagJSON,
    FlowsJSON,
    LogsJSON,
    NamespacesJSON,
    ObjectJSON,
    ProblemJSON,
    RunJSON,
    RunPageJSON,
    TagMutationJSON,
    TagsJSON,
    TasksPageJSON,
)
from .namespaces import NamespaceQueries
from .objects import ObjectQueries
from .parts import Parts
from .results.room import ResultsQueries
from .store.base import Store
from .tags import validate_tag


class _Default:
    """Sentinel: the caller's default namespace, as Metaflow's `default_namespace()`."""

    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Any = _Default()
Namespace = Union[str, None, _Default]


class Catalog:
    """Namespace-scoped queries over one Metaflow store (local folder or service)."""

    def __init__(
        self,
        store: Store,
        *,
        index_path: Optional[os.PathLike | str] = None,
        cache_dir: Optional[os.PathLike | str] = None,
        refresh_interval: float = DEFAULT_REFRESH_INTERVAL,
        background_refresh: bool = False,
        change_detection: Union[str, Detector] = "auto",
        safety_interval: Optional[float] = None,
        ui_backend_ws: Optional[str] = None,
    ) -> None:
        """`change_detection` says how a background refresh notices changes (`detect/`):
        "auto" (notifications or incremental reads where they work, else rescans), "watch",
        "scan" (rescan every `refresh_interval`, the old way), or a `Detector`. Without a
        background refresh, queries rescan inline when the index is older than the interval.
        `safety_interval`: seconds between rescans that catch what notifications missed.
        `ui_backend_ws`: a metadata service's ui_backend websocket, used as its change feed.
        """
        self.store = store
        self._detection = (change_detection, safety_interval, ui_backend_ws)
        detector: Optional[Detector] = None
        if isinstance(change_detection, Detector):
            detector = change_detection
        elif background_refresh:
            detector = self._make_detector()
        # a rescan every second reads every token each time: keep them in memory for it
        keep_tokens = detector is None or isinstance(detector, ScanDetector)
        self.index = RunIndex(
            index_path or index_path_for(store.identity, cache_dir),
            store.identity,
            keep_tokens=keep_tokens,
        )
        parts = Parts.build(store, self.index, refresh_interval, detector)
        #: no detector chosen yet: `start_background_refresh` builds the configured one
        self._detector_pending = detector is None and isinstance(change_detection, str)
        self.refresher = parts.refresher
        self.listing = RunListing(parts)
        self.namespace_queries = NamespaceQueries(parts)
        self.objects = ObjectQueries(parts, self.listing)
        self.log_queries = LogQueries(store, self.objects)
        self.results = ResultsQueries(parts, self.objects)
        self.card_queries = CardQueries(store, self.objects)
        self.compare_queries = CompareQueries(parts, self.objects)
        if background_refresh:
            self.start_background_refresh()

    @classmethod
    def from_metaflow_config(cls, sysroot: Optional[str] = None, **kwargs: Any) -> Catalog:
        """A Catalog over the store Metaflow itself would use here (env vars or profile)."""
        from .store.config import store_from_config

        return cls(store_from_config(sysroot), **kwargs)

    # -- freshness and changes ---------------------------------------------------------------
    @property
    def refresh_interval(self) -> float:
        return self.refresher.refresh_interval

    @property
    def max_staleness(self) -> float:
        """Seconds: a query reflects every change made in the store longer ago than this."""
        return self.refresher.max_staleness

    def refresh(self) -> bool:
        """Bring the index up to date with the store; True when something changed."""
        return self.refresher.refresh()

    def _make_detector(self) -> Detector:
        strategy, safety_interval, ui_backend_ws = self._detection
        assert isinstance(strategy, str)
        return make_detector(
            self.store, strategy, safety_interval=safety_interval, ui_backend_ws=ui_backend_ws
        )

    def start_background_refresh(self) -> None:
        """Start the background thread that keeps the index current (see `change_detection`)."""
        if self.refresher.in_background:
            return
        if self._detector_pending:
            self.refresher.detector = self._make_detector()
            self._detector_pending = False
        self.refresher.start()

    def subscribe(self, callback: Callable[[Change], None]) -> Callable[[], None]:
        """Call `callback(Change)` (from a background thread) whenever the index learns of new
        or removed runs of a flow (`runs`) or a changed run (`run`); returns `unsubscribe()`."""
        return self.refresher.subscribe(callback)

    @property
    def parameters_indexed(self) -> bool:
        """Every indexed run's parameters are in the index (a new store fills them in the
        background after its first refresh; a `where` or `sort` query waits for its flow's)."""
        return self.listing.parts.results.complete

    def problems(self) -> List[ProblemJSON]:
        """Runs skipped because their metadata cannot be read (half-written, corrupt)."""
        return self.refresher.problems()

    def detection(self) -> Dict[str, Any]:
        """How changes in the store are noticed (strategy, and why it fell back if it did)."""
        return self.refresher.describe()

    def close(self) -> None:
        self.refresher.close()
        self.index.close()
        self.store.close()

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
        return self.namespace_queries.namespaces(self.default_namespace())

    def flows(self, namespace: Namespace = DEFAULT) -> FlowsJSON:
        """Flows with a run in the namespace (all flows globally), with counts and latest run."""
        return self.namespace_queries.flows(self.resolve_namespace(namespace))

    def tags(self, namespace: Namespace = DEFAULT, flow: Optional[str] = None) -> TagsJSON:
        """Tags carried by runs in the namespace (for autocomplete), most used first."""
        return self.namespace_queries.tags(self.resolve_namespace(namespace), flow)

    # -- runs --------------------------------------------------------------------------------
    def runs(
        self,
        flow: str,
        namespace: Namespace = DEFAULT,
        tags: TagsArg = (),
        limit: int = 50,
        cursor: Optional[str] = None,
        where: Sequence[str] = (),
        sort: Optional[str] = None,
    ) -> RunPageJSON:
        """Same members and order as `Flow(flow).runs(*tags)` in the namespace, one page;
        `where` filters by parameters (`alpha>=0.5`, ANDed), `sort` orders otherwise
        (`created_at`, `param:alpha`, `-param:alpha`; see `results/where.py`)."""
        ns = self.resolve_namespace(namespace)
        return self.listing.runs(flow, ns, tags, limit, cursor, where, sort)

    def iter_runs(
        self,
        flow: str,
        namespace: Namespace = DEFAULT,
        tags: TagsArg = (),
        where: Sequence[str] = (),
        sort: Optional[str] = None,
    ) -> Iterator[RunJSON]:
        """Every matching run, newest first (or in `sort` order), page by page."""
        return self.listing.iter_runs(flow, self.resolve_namespace(namespace), tags, where, sort)

    def latest_run(
        self,
        flow: str,
        namespace: Namespace = DEFAULT,
        tags: TagsArg = (),
        successful: bool = False,
    ) -> RunJSON:
        """`Flow(flow).latest_run` (or `latest_successful_run`) among runs carrying `tags`."""
        ns = self.resolve_namespace(namespace)
        return self.listing.latest_run(flow, ns, tags, successful)

    # -- single objects ----------------------------------------------------------------------
    def run(self, pathspec: str, namespace: Namespace = DEFAULT) -> RunJSON:
        """One run by pathspec (`Run(pathspec)` in the namespace)."""
        return self.objects.run(pathspec, self.resolve_namespace(namespace))

    def get_object(self, pathspec: str, namespace: Namespace = DEFAULT) -> ObjectJSON:
        """A flow, run, step or task with its children (404, or 409 with the owners)."""
        return self.objects.get_object(pathspec, self.resolve_namespace(namespace))

    def artifacts(
        self, pathspec: str, namespace: Namespace = DEFAULT, include_private: bool = False
    ) -> ArtifactsJSON:
        """Name, type, size and sha of a task's artifacts, from metadata only."""
        ns = self.resolve_namespace(namespace)
        return self.objects.artifacts(pathspec, ns, include_private)

    def logs(
        self,
        pathspec: str,
        stream: str = "stdout",
        namespace: Namespace = DEFAULT,
        tail: Optional[int] = None,
        **selection: Any,
    ) -> LogsJSON:
        """A task's stdout/stderr lines, numbered: all of them, the last `tail` (reading only
        the end of the log), or a `selection` by `grep`, `grep_case`, `start` and `count`
        (see `LogQueries.logs`)."""
        ns = self.resolve_namespace(namespace)
        return self.log_queries.logs(pathspec, stream, ns, tail, **selection)

    # -- what a run holds ----------------------------------------------------------------
    def dag(self, pathspec: str, namespace: Namespace = DEFAULT) -> DagJSON:
        """The run's steps (Metaflow's graph) with each step's status, tasks and times."""
        return self.results.dag(pathspec, self.resolve_namespace(namespace))

    def tasks(
        self,
        pathspec: str,
        namespace: Namespace = DEFAULT,
        limit: int = DEFAULT_TASK_PAGE,
        cursor: Optional[str] = None,
    ) -> TasksPageJSON:
        """Every task of the run, by start time, with its attempts (a page at a time)."""
        ns = self.resolve_namespace(namespace)
        return self.results.tasks(pathspec, ns, limit, cursor)

    def export_log(
        self, pathspec: str, stream: str, out: IO[bytes], namespace: Namespace = DEFAULT
    ) -> int:
        """Write a task's whole stdout/stderr into `out` as Metaflow's `Task.stdout` gives it;
        returns its line count."""
        ns = self.resolve_namespace(namespace)
        return self.log_queries.export(pathspec, stream, ns, out)

    # -- cards ---------------------------------------------------------------------------
    def cards(self, pathspec: str, namespace: Namespace = DEFAULT) -> CardsJSON:
        """A task's cards as `metaflow.cards.get_cards(task)` lists them (a resumed task's
        are its origin's), without touching any process-wide namespace."""
        return self.card_queries.cards(pathspec, self.resolve_namespace(namespace))

    def card_html(self, pathspec: str, card_hash: str, namespace: Namespace = DEFAULT) -> bytes:
        """One card's HTML, as stored (show it only in a sandbox: it may come from anyone)."""
        ns = self.resolve_namespace(namespace)
        return self.card_queries.card_html(pathspec, ns, card_hash)

    def card_data(
        self, pathspec: str, card_hash: str, namespace: Namespace = DEFAULT
    ) -> CardDataJSON:
        """A card's latest live data and its task's status (for cards of running tasks)."""
        ns = self.resolve_namespace(namespace)
        return self.card_queries.card_data(pathspec, ns, card_hash)

    # -- comparisons ---------------------------------------------------------------------
    def compare(self, runs: Sequence[str], namespace: Namespace = DEFAULT) -> CompareJSON:
        """2 to 8 runs side by side: summary, parameters, steps and artifacts by sha (nothing
        is loaded), each row with `differs`; every run must be in the namespace (409)."""
        return self.compare_queries.compare(runs, self.resolve_namespace(namespace))

    def mutate_tags(
        self,
        pathspec: str,
        add: Iterable[str] = (),
        remove: Iterable[str] = (),
        namespace: Namespace = DEFAULT,
    ) -> TagMutationJSON:
        """Remove then add user tags on a run, atomically, with Metaflow's rules."""
        ns = self.resolve_namespace(namespace)
        return self.objects.mutate_tags(pathspec, add, remove, ns)


__all__ = ["DEFAULT", "Catalog", "Change", "MfnsError", "Namespace"]
