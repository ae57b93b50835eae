"""A Store over Metaflow's local metadata provider and datastore (a `.metaflow` folder).

It reads exactly the files Metaflow's `LocalMetadataProvider` reads (`_meta/_self.json`,
`sysmeta_*`, `<attempt>_artifact_*.json`, `<attempt>.data.json`, mflog files), but:
- every path is built from validated components under the store root; paths recorded inside
  metadata (`ds-root`, `location`) are never followed;
- nothing is unpickled (`_success`/`_task_ok` are decoded with `safepickle`);
- a run folder whose metadata is missing or half-written is reported, not fatal;
- tag changes keep the run's `ts_epoch` and `user_name` (Metaflow's provider rewrites them).
"""

from __future__ import annotations

import errno
import os
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from ..errors import NotFound, StoreUnavailable, TagConflict
from ..mflog import file_range_reader
from ..model import ArtifactMetaJSON
from ..safepickle import decode_bool
from . import rules
from .base import (
    PARAMETERS_STEP,
    LogSource,
    RunDetails,
    RunRecord,
    ScanResult,
    StepRecord,
    Store,
    TaskRecord,
)
from .cards import CardFolder
from .local_files import (
    ATTEMPT_ARTIFACT,
    META,
    SELF,
    artifact_row,
    atomic_write_json,
    children,
    metadata_rows,
    read_capped,
    read_json,
)
from .local_files import token as file_token
from .local_scan import SCAN_CHUNK, scan_flow_folder
from .rules import MetadataError, run_record_from_json
from .s3 import LocalReader
from .status import finished_run, task_record, unfinished_run

#: the metadata files a task's state is derived from (attempts and resume origin): a foreach
#: of 1,000 tasks reads these five kinds, not every `sysmeta_*` file of each task
TASK_STATE_ROWS = ("sysmeta_attempt", "sysmeta_origin-")


class LocalStore(Store):
    """Metaflow's local store rooted at `sysroot` (the folder holding `.metaflow`)."""

    def __init__(
        self,
        sysroot: os.PathLike | str,
        *,
        stale_after: float = 6 * 3600,
        card_root: Optional[os.PathLike | str] = None,
    ) -> None:
        self.sysroot = Path(sysroot).resolve()
        self.root = self.sysroot / ".metaflow"
        self.identity = f"local:{self.root}"
        self.metadata_spec = f"local@{self.sysroot}"
        #: `<root>/mf.cards`, or METAFLOW_CARD_LOCALROOT when configured (`config.py`)
        self.card_folder = (
            CardFolder(LocalReader(self.root))
            if card_root is None
            else CardFolder(LocalReader(card_root), ())
        )
        #: an unfinished task with no file activity for this long is "unknown", not "running"
        self.stale_after = stale_after
        self._bool_cache: Dict[str, Optional[bool]] = {}
        self._run_locks: Dict[Tuple[str, str], threading.Lock] = {}
        self._locks_guard = threading.Lock()

    # -- paths -------------------------------------------------------------------------------
    def _path(self, *parts: str) -> str:
        """Join validated components under the root (callers pass parsed pathspec parts)."""
        for p in parts:
            if not p or p in (".", "..") or "/" in p or "\\" in p or "\0" in p:
                raise NotFound(f"{'/'.join(parts)} does not exist.")
        return os.path.join(self.root, *parts)

    def _meta_dir(self, *parts: str) -> str:
        return os.path.join(self._path(*parts), META)

    # -- listing -----------------------------------------------------------------------------
    def flows(self) -> List[str]:
        if not self.root.is_dir():
            return []
        out = []
        try:
            entries = list(os.scandir(self.root))
        except OSError as exc:
            raise StoreUnavailable(f"Cannot read the Metaflow store {self.root}: {exc}") from exc
        for e in entries:
            if e.is_dir() and os.path.isfile(os.path.join(e.path, META, SELF)):
                out.append(e.name)
        return sorted(out)

    def scan_runs_iter(
        self, flow: str, known: Mapping[str, str], chunk: int = SCAN_CHUNK
    ) -> Iterator[ScanResult]:
        """`scan_runs` in parts of `chunk` listed runs (the last part holds `removed`).

        A caller that applies each part at once makes a change visible without waiting for
        the rest of a 100k-run scan, and never holds every record of a cold start in memory.
        """
        return scan_flow_folder(flow, self._path(flow), known, chunk)

    def read_run(self, flow: str, run_id: str) -> Optional[RunRecord]:
        path = os.path.join(self._meta_dir(flow, run_id), SELF)
        try:
            st = os.stat(path)
            return run_record_from_json(flow, run_id, read_json(path), file_token(st))
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            if exc.errno == errno.ENAMETOOLONG:  # a name this long cannot exist in the store
                return None
            raise
        except MetadataError as exc:
            raise NotFound(f"Run {flow}/{run_id} cannot be read: {exc}") from None

    # -- tasks and status --------------------------------------------------------------------
    def _children(self, *parts: str) -> List[Tuple[str, int]]:
        """(name, created_at) of child objects that have a `_meta/_self.json`."""
        return children(self._path(*parts))

    def _blob_bool(self, flow: str, sha: Any) -> Optional[bool]:
        if not rules.is_sha(sha):
            return None
        if sha not in self._bool_cache:
            path = os.path.join(self._path(flow, "data", sha[:2], sha))
            try:
                with open(path, "rb") as f:
                    blob = f.read(4096)
            except OSError:
                return None
            self._bool_cache[sha] = decode_bool(blob)
        return self._bool_cache[sha]

    def _task_state(
        self, flow: str, run_id: str, step: str, task_id: str, created_at: int
    ) -> TaskRecord:
        meta_dir = self._meta_dir(flow, run_id, step, task_id)
        return task_record(
            step=step,
            task_id=task_id,
            created_at=created_at,
            metadata=self._metadata(flow, run_id, step, task_id, prefix=TASK_STATE_ROWS),
            artifacts_of=lambda attempt: {
                name: row
                for name in ("_task_ok", "_success")
                if (row := artifact_row(meta_dir, attempt, name)) is not None
            },
            blob_bool=lambda sha: self._blob_bool(flow, sha),
            recently_active=lambda: self._recently_active(meta_dir),
        )

    def _recently_active(self, meta_dir: str) -> bool:
        try:
            newest = max(os.stat(meta_dir).st_mtime, os.stat(os.path.dirname(meta_dir)).st_mtime)
        except OSError:
            return False
        return time.time() - newest < self.stale_after

    def _metadata(
        self, *parts: str, prefix: Union[str, Tuple[str, ...]] = "sysmeta_"
    ) -> List[Dict[str, Any]]:
        """An object's metadata rows whose file names start with `prefix`, oldest first."""
        return metadata_rows(self._meta_dir(*parts), prefix)

    def end_step_name(self, flow: str, run_id: str) -> str:
        """The run's terminal step, from `_parameters` metadata (Metaflow's _graph_endpoints)."""
        for task_id, _ in self._children(flow, run_id, "_parameters"):
            rows = self._metadata(flow, run_id, "_parameters", task_id, prefix="sysmeta_end_step_")
            name = rules.end_step(rows)
            if name is not None:
                return name
        return rules.DEFAULT_END_STEP

    def run_details(self, flow: str, run_id: str) -> RunDetails:
        steps = [s for s in self._children(flow, run_id) if not s[0].startswith("_")]
        origin: Optional[str] = None
        newest_step = rules.newest(steps, lambda s: s[1])
        if newest_step is not None:
            newest_task = rules.newest(self._children(flow, run_id, newest_step[0]), lambda t: t[1])
            if newest_task is not None:
                meta = self._metadata(flow, run_id, newest_step[0], newest_task[0])
                origin = rules.origin_run_id(meta)
        end_step = self.end_step_name(flow, run_id)
        end = rules.newest(self._children(flow, run_id, end_step), lambda t: t[1])
        if end is not None:
            done = finished_run(self._task_state(flow, run_id, end_step, *end), origin)
            if done is not None:
                return done
        now_ms = time.time() * 1000

        def between_steps(states: List[TaskRecord]) -> bool:
            # nothing runs and the end step has not finished: the runtime is about to start the
            # next task (unless the run went quiet long ago)
            return self._run_recent(flow, run_id) or any(
                t.finished_at is not None and now_ms - t.finished_at < self.stale_after * 1000
                for t in states
            )

        tasks = (
            self._task_state(flow, run_id, step, task_id, ts)
            for step, _ in steps
            for task_id, ts in self._children(flow, run_id, step)
        )
        return unfinished_run(
            tasks,
            origin,
            alive=lambda: self._run_recent(flow, run_id),
            between_steps=between_steps,
        )

    def _run_recent(self, flow: str, run_id: str) -> bool:
        return self._recently_active(self._meta_dir(flow, run_id))

    def steps(self, flow: str, run_id: str) -> List[StepRecord]:
        return [
            StepRecord(name, ts, tuple(t for t, _ in self._children(flow, run_id, name)))
            for name, ts in self._children(flow, run_id)
            if not name.startswith("_")
        ]

    def tasks(self, flow: str, run_id: str, step: str) -> List[TaskRecord]:
        return [
            self._task_state(flow, run_id, step, t, ts)
            for t, ts in self._children(flow, run_id, step)
        ]

    def task_record(self, flow: str, run_id: str, step: str, task_id: str) -> Optional[TaskRecord]:
        """One task's state without reading its siblings (None when it does not exist)."""
        try:
            obj = read_json(os.path.join(self._meta_dir(flow, run_id, step, task_id), SELF))
        except (OSError, MetadataError):
            return None
        ts = obj.get("ts_epoch") if isinstance(obj, dict) else None
        if not isinstance(ts, int) or isinstance(ts, bool):
            return None
        return self._task_state(flow, run_id, step, task_id, ts)

    def task_exists(self, flow: str, run_id: str, step: str, task_id: str) -> bool:
        return os.path.isfile(os.path.join(self._meta_dir(flow, run_id, step, task_id), SELF))

    def task_ids(self, flow: str, run_id: str, step: str) -> List[Tuple[str, int]]:
        return self._children(flow, run_id, step)

    def task_states(
        self, flow: str, run_id: str, step: str, tasks: Sequence[Tuple[str, int]]
    ) -> List[TaskRecord]:
        return [self._task_state(flow, run_id, step, t, ts) for t, ts in tasks]

    # -- artifacts and logs ------------------------------------------------------------------
    def artifacts(self, flow: str, run_id: str, step: str, task_id: str) -> List[ArtifactMetaJSON]:
        attempt = rules.done_attempt(
            self._metadata(flow, run_id, step, task_id, prefix="sysmeta_attempt-done_")
        )
        if attempt is None:
            return []
        data_json = os.path.join(self._path(flow, run_id, step, task_id), f"{attempt}.data.json")
        try:
            data = read_json(data_json)
        except (OSError, MetadataError):
            data = None
        if isinstance(data, dict) and isinstance(data.get("objects"), dict):
            return rules.artifacts_json(*rules.data_json_parts(data))
        # no data.json yet: fall back to registered artifact metadata (no type/size)
        meta_dir = self._meta_dir(flow, run_id, step, task_id)
        shas: Dict[str, Any] = {}
        encodings: Dict[str, Any] = {}
        for name in sorted(os.listdir(meta_dir)):
            m = ATTEMPT_ARTIFACT.match(name)
            if m and int(m.group(1)) == attempt:
                obj = artifact_row(meta_dir, attempt, m.group(2)) or {}
                shas[m.group(2)] = obj.get("sha", "")
                encodings[m.group(2)] = obj.get("content_type")
        return rules.artifacts_json(shas, {}, encodings)

    def parameters_artifacts(self, flow: str, run_id: str) -> List[ArtifactMetaJSON]:
        # Read at every cold start for every run: one listing and one file when, as Metaflow's
        # runtime writes it, the run has one `_parameters` task with one attempt (0)
        base = self._path(flow, run_id, PARAMETERS_STEP)
        try:
            names = [n for n in os.listdir(base) if n != META and not n.startswith(".")]
        except OSError:
            return []
        if len(names) == 1:
            try:
                data = read_json(os.path.join(base, names[0], "0.data.json"))
            except (OSError, MetadataError):
                data = None
            if isinstance(data, dict) and isinstance(data.get("objects"), dict):
                return rules.artifacts_json(*rules.data_json_parts(data))
        return super().parameters_artifacts(flow, run_id)

    def blob(self, flow: str, sha: str, max_bytes: int) -> Optional[bytes]:
        if not rules.is_sha(sha):
            return None
        return read_capped(self._path(flow, "data", sha[:2], sha), max_bytes)

    def included_file(self, flow: str, url: str, max_bytes: int) -> Optional[bytes]:
        # Metaflow's uploader writes `<datatools root>/<flow>/<sha1 of the content>`, and the
        # local datatools root is `<sysroot>/data` (METAFLOW_DATATOOLS_SUFFIX)
        datatools = os.path.join(self.sysroot, rules.DATATOOLS_SUFFIX)
        sha = rules.included_file_sha(url, f"local://{datatools}", flow)
        if sha is None:
            return None
        self._path(flow)  # validates the flow name
        return read_capped(os.path.join(datatools, flow, sha), max_bytes)

    def current_attempt(self, flow: str, run_id: str, step: str, task_id: str) -> int:
        """The latest started attempt (Metaflow's `Task.current_attempt`)."""
        return rules.current_attempt(
            self._metadata(flow, run_id, step, task_id, prefix="sysmeta_attempt_")
        )

    def log_sources(
        self, flow: str, run_id: str, step: str, task_id: str, stream: str
    ) -> Sequence[LogSource]:
        attempt = self.current_attempt(flow, run_id, step, task_id)
        task_dir = self._path(flow, run_id, step, task_id)
        sources: List[LogSource] = []
        for source in ("runtime", "task"):
            path = os.path.join(task_dir, f"{attempt}.{source}_{stream}.log")
            try:
                read, size = file_range_reader(path)
            except OSError:
                continue
            sources.append(LogSource(read, size, key=path))
        return sources

    # -- tags --------------------------------------------------------------------------------
    def _run_lock(self, flow: str, run_id: str) -> threading.Lock:
        with self._locks_guard:
            return self._run_locks.setdefault((flow, run_id), threading.Lock())

    def mutate_tags(
        self, flow: str, run_id: str, add: Sequence[str], remove: Sequence[str]
    ) -> RunRecord:
        path = os.path.join(self._meta_dir(flow, run_id), SELF)
        with self._run_lock(flow, run_id):
            # Optimistic like Metaflow's provider, against writers in other processes.
            for attempt in range(5):
                try:
                    current = read_json(path)
                except FileNotFoundError:
                    raise NotFound(f"{flow}/{run_id} does not exist.") from None
                record = run_record_from_json(flow, run_id, current, "")
                change = rules.plan_tag_change(record.tags, record.system_tags, add, remove)
                if change.unchanged:
                    return self.read_run(flow, run_id) or record
                updated = dict(current)  # keeps ts_epoch, user_name and unknown fields
                updated["tags"] = sorted(change.new)
                atomic_write_json(path, updated)
                after = self.read_run(flow, run_id)
                if after is not None and change.reflected_in(after.tags):
                    return after
                time.sleep(0.05 * (attempt + 1))
        raise TagConflict(
            f"Tags of {flow}/{run_id} kept changing under concurrent writers; please retry."
        )
