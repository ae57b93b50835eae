"""inotify watches over a local `.metaflow` folder, and what their events mean for the index.

What is watched (a watch per folder, within a budget: a machine allows `max_user_watches` per
user, shared by every process, and a watch per run does not fit 1M runs):

- the store root (new and removed flows) and every flow folder (new and removed runs);
- the `_meta` folder of recent runs and of runs shown to someone, least recently used dropped
  first: Metaflow replaces `_meta/_self.json` atomically on a tag change;
- the folders of running runs (steps, tasks, each task's `_meta`): a task's `attempt-done` and
  `_task_ok` records land there when it finishes. Dropped once the run is done.

Changes elsewhere (a tag change on an old run nobody looks at) are left to the safety rescan.
Writes are all renames of finished files (`MOVED_TO`) or closes after writing (`CLOSE_WRITE`);
logs being appended to (`MODIFY`) are not watched, so a chatty task costs nothing here.
"""

from __future__ import annotations

import errno
import logging
import os
from collections import OrderedDict
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Set

from inotify_simple import INotify, flags

from ..store.local_files import META, SELF
from .base import Hints, RunKey

log = logging.getLogger(__name__)

_FOLDER = (flags.CREATE | flags.MOVED_TO | flags.DELETE | flags.MOVED_FROM | flags.DELETE_SELF) | (
    flags.MOVE_SELF | flags.ONLYDIR
)
_RECORDS = flags.MOVED_TO | flags.CLOSE_WRITE | flags.DELETE | flags.DELETE_SELF | flags.ONLYDIR
_ARRIVED = flags.CREATE | flags.MOVED_TO
_LEFT = flags.DELETE | flags.MOVED_FROM
_GONE = flags.DELETE_SELF | flags.MOVE_SELF
#: watches one running run may take (a foreach of thousands of tasks is polled instead)
TREE_CAP = 512
_NOT_RUNS = ("data", META)


@dataclass(frozen=True)
class Watch:
    """What one watched folder is: `sysroot`, `root`, `flow`, `run_meta` (a run's `_meta`), or
    part of a running run's tree (`run`, `step`, `task`, `task_meta`)."""

    kind: str
    path: str
    flow: str = ""
    run: str = ""


def max_user_watches() -> int:
    try:
        with open("/proc/sys/fs/inotify/max_user_watches", encoding="ascii") as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return 8192


def _is_run_name(name: str) -> bool:
    return bool(name) and name not in _NOT_RUNS and not name.startswith(".")


def _subdirs(path: str) -> List[str]:
    try:
        return [e.name for e in os.scandir(path) if e.is_dir(follow_symlinks=False)]
    except OSError:
        return []


class LocalWatcher:
    """One inotify instance over one store; `read` turns its events into `Hints`."""

    def __init__(self, sysroot: str, budget: int) -> None:
        self.sysroot = sysroot
        self.root = os.path.join(sysroot, ".metaflow")
        self.budget = budget
        self.inotify = INotify()
        self._watches: Dict[int, Watch] = {}
        self._by_path: Dict[str, int] = {}
        #: runs whose `_meta` is watched, least recently shown first
        self._run_meta: OrderedDict[RunKey, int] = OrderedDict()
        #: running runs' tree watches
        self._trees: Dict[RunKey, Set[int]] = {}
        #: running runs too large to watch whole: their status is polled
        self.too_large: Set[RunKey] = set()
        self.exhausted = False  # the machine's watch limit was hit

    # -- adding and removing watches ---------------------------------------------------------
    def _add(self, watch: Watch, mask: int) -> Optional[int]:
        wd = self._by_path.get(watch.path)
        if wd is not None:
            return wd
        if len(self._watches) >= self.budget:
            return None
        try:
            wd = self.inotify.add_watch(watch.path, mask)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:  # max_user_watches: other processes hold the rest
                if not self.exhausted:
                    log.warning(
                        "jupyter_mfns: the machine's inotify watches are used up (%d held here); "
                        "changes elsewhere are found by the safety rescan",
                        len(self._watches),
                    )
                self.exhausted = True
                self.budget = len(self._watches)
            return None  # ENOENT (already gone), EACCES, ENOTDIR: nothing to watch
        self._watches[wd] = watch
        self._by_path[watch.path] = wd
        return wd

    def _remove(self, wd: int) -> None:
        watch = self._watches.pop(wd, None)
        if watch is None:
            return
        self._by_path.pop(watch.path, None)
        try:
            self.inotify.rm_watch(wd)
        except OSError:
            pass  # the kernel dropped it already (folder deleted)

    @property
    def watch_count(self) -> int:
        return len(self._watches)

    def start(self, flows: Iterable[str]) -> None:
        """Watch the store root and its flow folders (or the sysroot, until a store exists)."""
        if not os.path.isdir(self.root):
            self._add(Watch("sysroot", self.sysroot), _FOLDER)
            return
        self._add(Watch("root", self.root), _FOLDER)
        for flow in flows:
            self._add(Watch("flow", os.path.join(self.root, flow), flow), _FOLDER)

    def watch_run_meta(self, flow: str, run_id: str, hints: Hints) -> None:
        """Watch a run's `_meta` (tag changes), dropping the least recently shown if full; a
        new watch asks for the run to be re-read (it may have changed before the watch)."""
        key = (flow, run_id)
        if key in self._run_meta:
            self._run_meta.move_to_end(key)
            return
        if len(self._watches) >= self.budget and self._run_meta:
            _, oldest = self._run_meta.popitem(last=False)
            self._remove(oldest)
        path = os.path.join(self.root, flow, run_id, META)
        wd = self._add(Watch("run_meta", path, flow, run_id), _RECORDS)
        if wd is not None:
            self._run_meta[key] = wd
            hints.runs.add(key)

    def watch_tree(self, flow: str, run_id: str, hints: Hints) -> None:
        """Watch a running run's folders; what is there already is reported in `hints`."""
        key = (flow, run_id)
        self._trees.setdefault(key, set())
        run_dir = os.path.join(self.root, flow, run_id)
        self._tree_add(key, Watch("run", run_dir, flow, run_id), hints)
        self.watch_run_meta(flow, run_id, hints)
        hints.runs.add(key)
        for step in _subdirs(run_dir):
            if step != META:
                self._watch_step(key, os.path.join(run_dir, step), hints)

    def _tree_add(self, key: RunKey, watch: Watch, hints: Hints) -> bool:
        tree = self._trees.get(key)
        if tree is None:
            return False
        if len(tree) >= TREE_CAP:
            self.too_large.add(key)
            return False
        mask = _RECORDS if watch.kind == "task_meta" else _FOLDER
        wd = self._add(watch, mask)
        if wd is None:
            self.too_large.add(key)  # over budget: poll this run instead
            return False
        tree.add(wd)
        return True

    def _watch_step(self, key: RunKey, path: str, hints: Hints) -> None:
        if self._tree_add(key, Watch("step", path, *key), hints):
            for task in _subdirs(path):
                if task != META:
                    self._watch_task(key, os.path.join(path, task), hints)

    def _watch_task(self, key: RunKey, path: str, hints: Hints) -> None:
        hints.details.add(key)
        if self._tree_add(key, Watch("task", path, *key), hints):
            meta = os.path.join(path, META)
            if os.path.isdir(meta):
                self._tree_add(key, Watch("task_meta", meta, *key), hints)

    def unwatch_tree(self, key: RunKey) -> None:
        """The run is done: stop watching its folders (its `_meta` stays in the LRU)."""
        for wd in self._trees.pop(key, set()):
            self._remove(wd)
        self.too_large.discard(key)

    @property
    def trees(self) -> List[RunKey]:
        return list(self._trees)

    # -- events ------------------------------------------------------------------------------
    def read(self, timeout: float) -> Hints:
        """Hints from the events that arrive within `timeout` seconds (empty on timeout),
        collecting for a few more milliseconds once one came (a run writes several files)."""
        hints = Hints()
        events = self.inotify.read(timeout=max(0, int(timeout * 1000)), read_delay=20)
        for event in events:
            self._event(event.wd, event.mask, event.name, hints)
        return hints

    def _event(self, wd: int, mask: int, name: str, hints: Hints) -> None:
        if mask & flags.Q_OVERFLOW:
            hints.everything = True  # events were lost: rescan
            return
        watch = self._watches.get(wd)
        if watch is None:
            return
        if mask & flags.IGNORED:  # the folder went away: the kernel dropped the watch
            self._watches.pop(wd, None)
            self._by_path.pop(watch.path, None)
            for tree in self._trees.values():
                tree.discard(wd)
            if watch.kind == "run_meta":
                self._run_meta.pop((watch.flow, watch.run), None)
            return
        handler = getattr(self, f"_on_{watch.kind}")
        handler(watch, mask, name, hints)

    def _on_sysroot(self, watch: Watch, mask: int, name: str, hints: Hints) -> None:
        if name == ".metaflow" and mask & _ARRIVED:
            self._remove(self._by_path[watch.path])
            self.start([])
            hints.everything = True

    def _on_root(self, watch: Watch, mask: int, name: str, hints: Hints) -> None:
        if mask & _GONE:
            self._remove(self._by_path[watch.path])
            self.start([])
            hints.everything = True
            return
        if not name or name.startswith(".") or not mask & flags.ISDIR:
            return
        hints.flows.add(name)
        if mask & _ARRIVED:
            flow_dir = os.path.join(self.root, name)
            self._add(Watch("flow", flow_dir, name), _FOLDER)
            for run_id in _subdirs(flow_dir):  # created before the watch: watch them too
                if _is_run_name(run_id):
                    self.watch_tree(name, run_id, hints)

    def _on_flow(self, watch: Watch, mask: int, name: str, hints: Hints) -> None:
        if mask & _GONE:
            hints.flows.add(watch.flow)
            return
        if not _is_run_name(name) or not mask & flags.ISDIR:
            return
        key = (watch.flow, name)
        hints.runs.add(key)
        if mask & _ARRIVED:
            hints.notify(key, "runs")
            self.watch_tree(watch.flow, name, hints)  # a new run is running
        elif mask & _LEFT:
            self.unwatch_tree(key)

    def _on_run(self, watch: Watch, mask: int, name: str, hints: Hints) -> None:
        if not mask & _ARRIVED or not mask & flags.ISDIR:
            return
        key = (watch.flow, watch.run)
        if name == META:
            self.watch_run_meta(*key, hints)
            hints.notify(key, "runs")
        else:
            self._watch_step(key, os.path.join(watch.path, name), hints)
            hints.details.add(key)

    def _on_run_meta(self, watch: Watch, mask: int, name: str, hints: Hints) -> None:
        if name == SELF or mask & _GONE:
            hints.notify((watch.flow, watch.run), "run")

    def _on_step(self, watch: Watch, mask: int, name: str, hints: Hints) -> None:
        if mask & _ARRIVED and mask & flags.ISDIR and name != META:
            self._watch_task((watch.flow, watch.run), os.path.join(watch.path, name), hints)

    def _on_task(self, watch: Watch, mask: int, name: str, hints: Hints) -> None:
        key = (watch.flow, watch.run)
        if name == META and mask & _ARRIVED:
            self._tree_add(key, Watch("task_meta", os.path.join(watch.path, META), *key), hints)
            hints.details.add(key)

    def _on_task_meta(self, watch: Watch, mask: int, name: str, hints: Hints) -> None:
        if not name.startswith("."):  # a temporary file being written: its rename follows
            hints.details.add((watch.flow, watch.run))

    def close(self) -> None:
        try:
            self.inotify.close()
        except OSError:
            pass
