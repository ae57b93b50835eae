"""Change detection on a local store: notifications (inotify) show new runs, tag rewrites and
finished runs with no rescan at all; what notifications miss is caught by the safety rescan;
the rescan strategy stays selectable, and is what network file systems get."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.waiting import ChangeRecorder as Recorder
from harness.waiting import wait_until as _wait
from jupyter_mfns.core import Catalog
from jupyter_mfns.core.changes import Change
from jupyter_mfns.core.detect import ScanDetector, make_detector
from jupyter_mfns.core.detect.fs_kind import mount_of, network_fs
from jupyter_mfns.core.detect.notify import NotifyDetector
from jupyter_mfns.core.store import LocalStore
from jupyter_mfns.demo.runner import metaflow_env, run_flow, start_flow

TINY_FLOW = Path(__file__).parent / "flows" / "tiny_flow.py"
GATED_FLOW = Path(__file__).parents[1] / "server" / "flows" / "gated_flow.py"
NEVER = 24 * 3600.0  # a safety rescan this slow never happens during a test


@pytest.fixture
def anne(monkeypatch):
    monkeypatch.setenv("METAFLOW_USER", "anne")


def _watching(root: Path, tmp_path: Path, **kwargs) -> Catalog:
    detector = NotifyDetector(str(root), safety_interval=kwargs.pop("safety", NEVER), **kwargs)
    catalog = Catalog(LocalStore(root), cache_dir=tmp_path / "cache", change_detection=detector)
    catalog.start_background_refresh()
    return catalog


def _cli_tag(root: Path, pathspec: str, *args: str) -> None:
    """Metaflow's own CLI (`python flow.py tag add ...`), from another process."""
    flow, run_id = pathspec.split("/")
    cmd = [sys.executable, str(TINY_FLOW), "--no-pylint", "tag", *args, "--run-id", run_id]
    subprocess.run(cmd, env=metaflow_env(root, "anne"), cwd=root, check=True, capture_output=True)


def test_changes_arrive_through_notifications_alone(tmp_path, anne):
    # Given a store, and a Catalog watching it whose safety rescan never comes
    root = tmp_path / "store"
    first = run_flow(root, TINY_FLOW, user="anne").pathspec
    catalog = _watching(root, tmp_path)
    detector = catalog.refresher.detector
    seen = Recorder()
    catalog.subscribe(seen)
    try:
        _wait(lambda: catalog.refresher.has_refreshed, what="the first catch-up")
        assert [r["pathspec"] for r in catalog.iter_runs("TinyFlow", None)] == [first]
        # When another process starts a new run (Metaflow itself)
        count = len(seen.changes)
        second = run_flow(root, TINY_FLOW, user="anne").pathspec
        # Then the flow's runs change and the run is listed
        seen.wait_for(lambda c: c == Change("runs", "TinyFlow"), after=count)
        runs = [r["pathspec"] for r in catalog.iter_runs("TinyFlow", None)]
        assert runs == [second, first]
        # When Metaflow's CLI adds a tag to the first run
        count = len(seen.changes)
        _cli_tag(root, first, "add", "noticed")
        # Then that run changed, and carries the tag
        seen.wait_for(lambda c: c == Change("run", "TinyFlow", first), after=count)
        assert "noticed" in catalog.run(first, None)["tags"]
        # and none of it came from a rescan
        assert isinstance(detector, NotifyDetector) and detector.safety_rescans == 0
        assert catalog.detection()["strategy"] == "notify"
    finally:
        catalog.close()


def test_a_running_run_finishing_is_announced(tmp_path, anne):
    # Given a watching Catalog and a real run that waits for a gate file
    root = tmp_path / "store"
    run_flow(root, TINY_FLOW, user="anne")
    catalog = _watching(root, tmp_path)
    seen = Recorder()
    catalog.subscribe(seen)
    gate = tmp_path / "gate"
    try:
        _wait(lambda: catalog.refresher.has_refreshed, what="the first catch-up")
        gated = {"MFNS_GATE": str(gate)}
        with start_flow(root, GATED_FLOW, user="anne", extra_env=gated) as running:
            pathspec = running.wait_for_run()
            # shown while it runs (the sidebar shows it running)
            shown = _wait(
                lambda: next(
                    (r for r in catalog.iter_runs("GatedFlow", None) if r["pathspec"] == pathspec),
                    None,
                ),
                what="the new run listed",
            )
            assert shown["status"] == "running"
            count = len(seen.changes)
            # When the gate opens and the run finishes
            gate.touch()
            running.wait()
        # Then its change is announced, with nobody asking, and the run has succeeded
        seen.wait_for(lambda c: c == Change("run", "GatedFlow", pathspec), after=count)
        assert catalog.run(pathspec, None)["status"] == "succeeded"
        assert catalog.refresher.detector.safety_rescans == 0
    finally:
        gate.touch()
        catalog.close()


def test_what_notifications_miss_the_safety_rescan_finds(tmp_path, anne):
    # Given runs, and a Catalog whose notifications are dropped on the floor
    root = tmp_path / "store"
    old = run_flow(root, TINY_FLOW, user="anne").pathspec
    catalog = _watching(root, tmp_path, safety=0.5)
    detector = catalog.refresher.detector
    seen = Recorder()
    catalog.subscribe(seen)
    try:
        _wait(lambda: catalog.refresher.has_refreshed, what="the first catch-up")
        detector.watcher.read = _drop_events(detector.watcher.read)
        # When another process rewrites a run's tags, and adds a run
        count = len(seen.changes)
        rescans = detector.safety_rescans
        _cli_tag(root, old, "add", "missed")
        new = run_flow(root, TINY_FLOW, user="anne").pathspec
        # Then the safety rescan reports both
        seen.wait_for(lambda c: c == Change("run", "TinyFlow", old), after=count)
        seen.wait_for(lambda c: c == Change("runs", "TinyFlow"), after=count)
        assert detector.safety_rescans > rescans
        assert "missed" in catalog.run(old, None)["tags"]
        assert new in [r["pathspec"] for r in catalog.iter_runs("TinyFlow", None)]
    finally:
        catalog.close()


def _drop_events(read):
    """A watcher read that consumes the events and reports none of them."""

    def dropping(timeout):
        read(timeout)
        from jupyter_mfns.core.detect.base import Hints

        return Hints()

    return dropping


def test_an_unwatched_old_run_is_left_to_the_rescan(tmp_path, anne):
    # Given a watch budget too small for every run's _meta (as on a store of 1M runs)
    root = tmp_path / "store"
    oldest = run_flow(root, TINY_FLOW, user="anne").pathspec
    run_flow(root, TINY_FLOW, user="anne")
    catalog = _watching(root, tmp_path, safety=1.0, watch_budget=3)  # root, flow, one run
    detector = catalog.refresher.detector
    seen = Recorder()
    catalog.subscribe(seen)
    try:
        _wait(lambda: catalog.refresher.has_refreshed, what="the first catch-up")
        # (the watches come after the first catch-up, from the refresh thread)
        _wait(lambda: detector.watcher.watch_count == 3, what="the root, flow and newest run")
        count, rescans = len(seen.changes), detector.safety_rescans
        # When the oldest run's tags are rewritten (no watch on its folder)
        meta = root / ".metaflow" / oldest / "_meta" / "_self.json"
        record = json.loads(meta.read_text())
        record["tags"] = ["rescanned"]
        tmp = meta.with_name("tmp-rewrite")
        tmp.write_text(json.dumps(record))
        tmp.replace(meta)
        # Then the rescan finds it
        seen.wait_for(lambda c: c == Change("run", "TinyFlow", oldest), after=count)
        assert detector.safety_rescans > rescans
    finally:
        catalog.close()


def test_the_rescan_strategy_stays_selectable(tmp_path, tiny_store, anne):
    # Given change_detection="scan"
    catalog = Catalog(
        LocalStore(tiny_store.root),
        cache_dir=tmp_path / "cache",
        background_refresh=True,
        change_detection="scan",
    )
    try:
        # Then the rescan runs, and status says so
        assert isinstance(catalog.refresher.detector, ScanDetector)
        assert catalog.detection() == {"strategy": "scan", "reason": "selected"}
        assert catalog.runs("TinyFlow", None)["total"] == 3
    finally:
        catalog.close()
    # and "auto" on a local disk watches
    auto = make_detector(LocalStore(tiny_store.root), "auto")
    try:
        assert auto.describe()["strategy"] == "notify"
    finally:
        auto.close()
    with pytest.raises(ValueError):
        make_detector(LocalStore(tiny_store.root), "sometimes")


def test_network_file_systems_are_recognised(tmp_path):
    # Given a mount table with an NFS mount and a local one beneath /
    table = tmp_path / "mountinfo"
    table.write_text(
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
        "90 22 0:50 / /mnt/team\\040data rw,relatime shared:60 - nfs4 fs:/export rw,vers=4.2\n"
        "91 22 0:51 / /mnt/fuse rw - fuse.sshfs host:/x rw\n"
    )
    # Then a store under the NFS mount (with an escaped space) is on nfs4, others are local
    assert network_fs("/mnt/team data/metaflow", str(table)) == "nfs4"
    assert network_fs("/mnt/fuse/x", str(table)) == "fuse.sshfs"
    assert network_fs("/mnt/teamdata", str(table)) is None
    assert mount_of("/home/anne", str(table)) == ("/", "ext4")
    assert network_fs("/x", str(tmp_path / "missing")) is None
