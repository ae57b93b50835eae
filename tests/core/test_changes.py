"""The Catalog's change feed (`Catalog.subscribe`): new and removed runs of a flow (`runs`) and
changed runs (`run`) are reported once the index learns of them, from whoever writes them."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Callable, List

import pytest

from jupyter_mfns.core import Catalog
from jupyter_mfns.core.index import Written
from jupyter_mfns.core.refresh import IDLE_INTERVAL, MAX_RUN_CHANGES, Change, changes_of
from jupyter_mfns.core.store import LocalStore
from jupyter_mfns.demo.runner import run_flow

TINY_FLOW = Path(__file__).parent / "flows" / "tiny_flow.py"


class Recorder:
    """A subscriber that keeps what it is told, and lets a test wait for one change."""

    def __init__(self) -> None:
        self.changes: List[Change] = []
        self.threads: List[str] = []
        self._cond = threading.Condition()

    def __call__(self, change: Change) -> None:
        with self._cond:
            self.changes.append(change)
            self.threads.append(threading.current_thread().name)
            self._cond.notify_all()

    def wait_for(
        self, wanted: Callable[[Change], bool], after: int = 0, timeout: float = 60
    ) -> Change:
        """The first change from the `after`-th on that is `wanted`, once it came."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = next((c for c in self.changes[after:] if wanted(c)), None)
                if found is not None:
                    return found
                left = deadline - time.monotonic()
                assert left > 0, f"no such change among {self.changes}"
                self._cond.wait(left)


@pytest.fixture
def anne(monkeypatch):
    monkeypatch.setenv("METAFLOW_USER", "anne")


def test_a_tag_edit_is_a_run_change(catalog, tiny_store, anne):
    # Given a subscriber of a Catalog whose index holds the store's runs
    catalog.runs("TinyFlow", None)
    seen = Recorder()
    unsubscribe = catalog.subscribe(seen)
    run = tiny_store.anne_runs[0]
    try:
        # When a run's tags are edited through the Catalog
        catalog.mutate_tags(run, add=["fed"])
        # Then the change names that run, once
        assert seen.changes == [Change("run", "TinyFlow", run)]
        assert seen.threads == [threading.current_thread().name]  # told by the writer
    finally:
        unsubscribe()
        catalog.mutate_tags(run, remove=["fed"])
    # and after unsubscribing nothing more comes
    assert len(seen.changes) == 1


def test_changes_by_other_writers_and_new_runs_are_reported(tmp_path, anne):
    # Given a store with one run, a Catalog refreshing in the background, and a subscriber
    root = tmp_path / "store"
    first = run_flow(root, TINY_FLOW, user="anne").pathspec
    catalog = Catalog(LocalStore(root), cache_dir=tmp_path / "cache", refresh_interval=0.1)
    seen = Recorder()
    catalog.subscribe(seen)
    broken = Recorder()
    catalog.subscribe(_fails)  # a failing subscriber stops nobody
    catalog.subscribe(broken)
    catalog.start_background_refresh()
    try:
        # (the first scan builds the index: the flow's runs are new to it)
        seen.wait_for(lambda c: c == Change("runs", "TinyFlow"))
        # When another process rewrites the run's tags (atomically, as Metaflow does)
        meta = root / ".metaflow" / first / "_meta" / "_self.json"
        record = json.loads(meta.read_text())
        record["tags"] = sorted(set(record["tags"]) | {"outside"})
        tmp = meta.with_name(".outside.tmp")
        tmp.write_text(json.dumps(record))
        os.replace(tmp, meta)
        # Then the refresh thread reports that run
        seen.wait_for(lambda c: c == Change("run", "TinyFlow", first))
        # When a real flow writes a new run
        count = len(seen.changes)
        second = run_flow(root, TINY_FLOW, user="anne").pathspec
        # Then the flow's runs changed, and the new run is listed
        seen.wait_for(lambda c: c == Change("runs", "TinyFlow"), after=count)
        assert second in [r["pathspec"] for r in catalog.iter_runs("TinyFlow", None)]
        # When a run folder is removed
        count = len(seen.changes)
        shutil.rmtree(root / ".metaflow" / second)
        # Then that is a change of the flow's runs too
        seen.wait_for(lambda c: c == Change("runs", "TinyFlow"), after=count)
        assert second not in [r["pathspec"] for r in catalog.iter_runs("TinyFlow", None)]
        assert set(seen.threads) == {"mfns-refresh"}
        # and the subscriber after the failing one was told too
        broken.wait_for(lambda c: c == Change("runs", "TinyFlow"), after=count)
    finally:
        catalog.close()


def _fails(change: Change) -> None:
    raise RuntimeError("a subscriber that fails")


def test_many_changed_runs_are_one_runs_change():
    few = Written(changed=[str(i) for i in range(3)], wrote=True)
    assert changes_of("F", few) == [Change("run", "F", f"F/{i}") for i in range(3)]
    many = Written(changed=[str(i) for i in range(MAX_RUN_CHANGES + 1)], wrote=True)
    assert changes_of("F", many) == [Change("runs", "F")]
    added = Written(added=["9"], changed=["1"], wrote=True)
    assert changes_of("F", added) == [Change("runs", "F"), Change("run", "F", "F/1")]
    assert changes_of("F", Written(wrote=True)) == []  # tokens moved, nothing a reader sees


def test_a_subscription_keeps_the_refresh_thread_awake(tmp_path, tiny_store, anne):
    # Given a Catalog nobody has queried for an hour: its scans slow down to IDLE_INTERVAL
    catalog = tiny_store.catalog(tmp_path, refresh_interval=0.1, background_refresh=True)
    try:
        catalog.refresher._queried_at -= 3600
        # When someone subscribes
        catalog.subscribe(lambda change: None)
        # Then scans go on at the refresh interval: three within a fraction of IDLE_INTERVAL
        scans = set()
        deadline = time.monotonic() + IDLE_INTERVAL * 2 / 3
        while len(scans) < 3 and time.monotonic() < deadline:
            scans.add(catalog.refresher._fresh_as_of)
            time.sleep(0.02)
        assert len(scans) >= 3
    finally:
        catalog.close()


def test_a_tag_edit_by_another_process_sharing_the_index_is_reported(tmp_path, anne):
    # Given a server's Catalog refreshing in the background with a subscriber, and a kernel's
    # Catalog over the same store and the same index file (as `%mfns` in a notebook has)
    root = tmp_path / "store"
    run = run_flow(root, TINY_FLOW, user="anne").pathspec
    server = Catalog(LocalStore(root), cache_dir=tmp_path / "cache", refresh_interval=0.1)
    kernel = Catalog(LocalStore(root), cache_dir=tmp_path / "cache", refresh_interval=0.1)
    assert server.index.path == kernel.index.path
    seen = Recorder()
    server.subscribe(seen)
    server.start_background_refresh()
    try:
        seen.wait_for(lambda c: c == Change("runs", "TinyFlow"))
        kernel.runs("TinyFlow", None)
        count = len(seen.changes)
        # When the kernel edits the run's tags (writing the index file first)
        kernel.mutate_tags(run, add=["from-kernel"])
        # Then the server still reports that run, and answers with the new tags
        seen.wait_for(lambda c: c == Change("run", "TinyFlow", run), after=count, timeout=10)
        assert "from-kernel" in server.run(run, None)["tags"]
        # and a run the kernel wrote into the index first is new to the server's readers
        count = len(seen.changes)
        second = run_flow(root, TINY_FLOW, user="anne").pathspec
        kernel.run(second, None)
        seen.wait_for(lambda c: c == Change("runs", "TinyFlow"), after=count, timeout=10)
    finally:
        server.close()
        kernel.close()
