"""What the Catalog needs from a Metaflow deployment, whatever holds it.

A Store reads raw metadata (local `.metaflow` folder, or a metadata service plus S3) and never
unpickles anything. The Catalog adds the index, namespaces and JSON shapes on top.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Callable,
    Dict,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    TypeVar,
)

from ..mflog import LogSource, RangeReader
from ..model import ArtifactMetaJSON, Status

if TYPE_CHECKING:
    from .cards import CardFolder

__all__ = ["LogSource", "RangeReader", "RunDetails", "RunRecord", "ScanResult", "Store"]

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class RunRecord:
    """A run's own metadata (Metaflow's run object), cheap to list."""

    flow: str
    run_id: str
    user: Optional[str]
    tags: Tuple[str, ...]  # sorted user tags
    system_tags: Tuple[str, ...]  # sorted system tags
    created_at: int  # epoch ms (Metaflow's ts_epoch)
    token: str  # changes whenever the record changes (mtime, tag set, ...)

    @property
    def all_tags(self) -> frozenset[str]:
        return frozenset(self.tags) | frozenset(self.system_tags)


@dataclass(frozen=True)
class RunDetails:
    """What takes more reads than the listing: status, end time, resume origin."""

    status: Status
    finished_at: Optional[int]
    origin_run_id: Optional[str]
    final: bool  # True once the run finished: these details never change again


@dataclass(frozen=True)
class StepRecord:
    name: str
    created_at: int
    task_ids: Tuple[str, ...]


@dataclass(frozen=True)
class AttemptRecord:
    """One attempt of a task, from its `attempt`, `attempt-done` and `attempt_ok` metadata."""

    attempt: int
    started_at: Optional[int]
    finished_at: Optional[int]
    ok: Optional[bool]  # None while running, or when Metaflow recorded no outcome


@dataclass(frozen=True)
class TaskRecord:
    step: str
    task_id: str
    created_at: int
    status: Status
    finished_at: Optional[int]
    attempt: int
    origin_run_id: Optional[str]
    origin_task_id: Optional[str]
    attempts: Tuple[AttemptRecord, ...] = ()


@dataclass
class ScanResult:
    """Changes in one flow's run listing since the tokens the caller already knows."""

    upserts: List[RunRecord] = field(default_factory=list)
    removed: List[str] = field(default_factory=list)
    broken: Dict[str, str] = field(default_factory=dict)  # run id -> why it cannot be read
    tokens: Dict[str, str] = field(default_factory=dict)  # every listed run id -> token


class Store(ABC):
    """Read access (and tag mutation) over one Metaflow deployment."""

    #: stable text naming this deployment, used to key the on-disk index
    identity: str
    #: value for Metaflow's `metadata()` so a client in the kernel reads the same store
    metadata_spec: str
    #: the datastore's card folder (`mf.cards`); None where this store cannot read cards
    card_folder: Optional[CardFolder] = None

    @abstractmethod
    def flows(self) -> List[str]:
        """Every flow known to the store (Metaflow's global `Metaflow().flows` before filters)."""

    @abstractmethod
    def scan_runs_iter(self, flow: str, known: Mapping[str, str]) -> Iterator[ScanResult]:
        """List a flow's runs, returning records only for runs new or changed vs `known`, in
        parts (the last holds `removed`) so a caller can apply each part at once."""

    def scan_runs(self, flow: str, known: Mapping[str, str]) -> ScanResult:
        """The whole scan as one result."""
        result = ScanResult()
        for part in self.scan_runs_iter(flow, known):
            result.upserts += part.upserts
            result.broken.update(part.broken)
            result.tokens.update(part.tokens)
            result.removed += part.removed
        return result

    @abstractmethod
    def read_run(self, flow: str, run_id: str) -> Optional[RunRecord]:
        """One run, read fresh; None when it does not exist."""

    @abstractmethod
    def run_details(self, flow: str, run_id: str) -> RunDetails:
        """Status, finish time and origin of a run, as Metaflow's client derives them."""

    def run_details_many(self, flow: str, run_ids: Sequence[str]) -> Dict[str, RunDetails]:
        """Details of several runs; stores that can fetch them concurrently override this."""
        return {r: self.run_details(flow, r) for r in run_ids}

    @abstractmethod
    def steps(self, flow: str, run_id: str) -> List[StepRecord]:
        """The run's steps (internal `_parameters` excluded), oldest first."""

    @abstractmethod
    def tasks(self, flow: str, run_id: str, step: str) -> List[TaskRecord]:
        """The step's tasks, oldest first."""

    def task_record(self, flow: str, run_id: str, step: str, task_id: str) -> Optional[TaskRecord]:
        """One task's state, None when it does not exist (override to spare its siblings)."""
        return next((t for t in self.tasks(flow, run_id, step) if t.task_id == task_id), None)

    def task_exists(self, flow: str, run_id: str, step: str, task_id: str) -> bool:
        return self.task_record(flow, run_id, step, task_id) is not None

    def task_states(
        self, flow: str, run_id: str, step: str, tasks: Sequence[Tuple[str, int]]
    ) -> List[TaskRecord]:
        """The state of the given tasks of one step ((task id, created_at) as `task_ids`
        lists them), in that order; stores override this to read only those."""
        by_id = {t.task_id: t for t in self.tasks(flow, run_id, step)}
        return [by_id[t] for t, _ in tasks if t in by_id]

    def map_concurrently(self, fn: Callable[[T], R], items: Sequence[T]) -> List[R]:
        """`[fn(i) for i in items]`; stores whose reads wait on the network run them at once."""
        return [fn(i) for i in items]

    def task_ids(self, flow: str, run_id: str, step: str) -> List[Tuple[str, int]]:
        """(task id, created_at) of the step's tasks, oldest first, without their state
        (works for the internal `_parameters` step too)."""
        return [(t.task_id, t.created_at) for t in self.tasks(flow, run_id, step)]

    @abstractmethod
    def artifacts(self, flow: str, run_id: str, step: str, task_id: str) -> List[ArtifactMetaJSON]:
        """Artifact names, types, sizes and shas of the task's latest attempt, from metadata."""

    @abstractmethod
    def blob(self, flow: str, sha: str, max_bytes: int) -> Optional[bytes]:
        """The stored bytes of an artifact (`<flow>/data/<sha[:2]>/<sha>`, gzip-compressed as
        Metaflow writes them), None when missing or larger than `max_bytes` on disk."""

    def included_file(self, flow: str, url: str, max_bytes: int) -> Optional[bytes]:
        """The stored (gzip-compressed) bytes of an IncludeFile uploaded by a run of `flow`,
        named by its descriptor's `url`; None unless that url is exactly
        `<datastore root>/<flow>/<sha>` of this store (nothing else is ever read)."""
        return None

    @abstractmethod
    def log_sources(
        self, flow: str, run_id: str, step: str, task_id: str, stream: str
    ) -> Sequence[LogSource]:
        """Range readers over the task's log files for `stream` (runtime and task sources)."""

    @abstractmethod
    def mutate_tags(
        self, flow: str, run_id: str, add: Sequence[str], remove: Sequence[str]
    ) -> RunRecord:
        """Apply a validated tag change atomically and return the run as stored after it."""

    def close(self) -> None:  # noqa: B027 - optional hook, not abstract
        """Release connections; the default has none."""
