"""Robust while flows write: half-written runs, runs finishing, tags changed by Metaflow's CLI
from another process, a stale tag set never served past the refresh interval, and an index that
lives outside the project and can be deleted or corrupted at any time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
from oracle import ask_metaflow, q_runs

from jupyter_mfns.core import Catalog
from jupyter_mfns.core.errors import MfnsError
from jupyter_mfns.core.index import default_cache_dir
from jupyter_mfns.core.store import LocalStore
from jupyter_mfns.demo import flow_file, metaflow_env, start_flow

INTERVAL = 0.3
SLOW_FLOW = Path(__file__).parent / "flows" / "slow_flow.py"


@pytest.fixture
def anne(monkeypatch):
    monkeypatch.setenv("METAFLOW_USER", "anne")
    monkeypatch.delenv("METAFLOW_PRODUCTION_TOKEN", raising=False)


@pytest.fixture
def live(mutable_demo_store, tmp_path, anne):
    """A Catalog refreshed by its background thread every INTERVAL seconds."""
    cat = Catalog(
        LocalStore(mutable_demo_store.root),
        cache_dir=tmp_path / "index",
        refresh_interval=INTERVAL,
        background_refresh=True,
    )
    yield mutable_demo_store, cat
    cat.close()


def _allowed(cat: Catalog) -> float:
    """How long a change may take to show: the Catalog's bound, plus polling slack."""
    return cat.max_staleness + 0.5


def _wait_for(check: Callable[[], Any], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except MfnsError:
            value = None
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"not true within {timeout} s")


def _self_json(root: Path, pathspec: str) -> Path:
    flow, run_id = pathspec.split("/")
    return root / ".metaflow" / flow / run_id / "_meta" / "_self.json"


def _metaflow_tag(root: Path, pathspec: str, action: str, tag: str) -> subprocess.Popen:
    """`python flow.py tag add|remove --run-id R T` in another process, as a user would."""
    flow, run_id = pathspec.split("/")
    return subprocess.Popen(
        [sys.executable, str(flow_file(flow)), "--no-pylint", "tag", action]
        + ["--run-id", run_id, tag],
        env=metaflow_env(root, "anne"),
        cwd=str(root),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _pathspecs(cat: Catalog, flow: str, ns: Optional[str], tags=()) -> list:
    return [r["pathspec"] for r in cat.iter_runs(flow, ns, tags)]


def test_a_half_written_run_is_skipped_until_complete_then_listed(live):
    store, cat = live
    flow = "PredictionFlow"
    before = _pathspecs(cat, flow, None)
    newest = _self_json(store.root, before[0])
    record = json.loads(newest.read_text())
    run_id = str(int(record["run_number"]) + 1)
    record.update(run_number=run_id, ts_epoch=record["ts_epoch"] + 1)
    meta = newest.parent.parent.parent / run_id / "_meta"
    # Given a run folder written in stages by another process: folder, then _meta, then half
    # of _self.json
    meta.parent.mkdir()
    time.sleep(_allowed(cat))
    meta.mkdir()
    text = json.dumps(record)
    (meta / "_self.json").write_text(text[: len(text) // 2])
    time.sleep(_allowed(cat))
    # Then queries keep answering, without the run, and the run is reported as unreadable
    assert _pathspecs(cat, flow, None) == before
    assert f"{flow}/{run_id}" in [p["pathspec"] for p in cat.problems()]
    # When the rest of the file is written (in place, not atomically)
    with open(meta / "_self.json", "a", encoding="utf-8") as f:
        f.write(text[len(text) // 2 :])
    # Then the run is listed first, within the staleness bound, as Metaflow lists it
    _wait_for(lambda: _pathspecs(cat, flow, None)[:1] == [f"{flow}/{run_id}"], _allowed(cat))
    assert cat.problems() == []
    (theirs,) = ask_metaflow(store.root, [q_runs(flow, None)])
    assert _pathspecs(cat, flow, None) == theirs


def test_a_running_run_is_listed_then_its_status_follows_it_to_the_end(live):
    store, cat = live
    # Given a real run that takes a few seconds, started by another process
    slow = start_flow(store.root, SLOW_FLOW, user="anne", tags=["slow"], args=["--seconds", "4"])
    with slow as running:
        pathspec = running.wait_for_run()
        # Then it is listed as running while its first step sleeps
        run = _wait_for(lambda: cat.runs("SlowFlow", tags=["slow"])["runs"], 30)[0]
        assert run["pathspec"] == pathspec
        assert run["status"] == "running" and run["finished_at"] is None
        running.wait(timeout=120)
    # When the run ends, its status and finish time follow within the staleness bound
    done = _wait_for(
        lambda: [r for r in cat.runs("SlowFlow")["runs"] if r["status"] == "succeeded"],
        _allowed(cat) + 1,
    )[0]
    # and equal Metaflow's
    (theirs,) = ask_metaflow(store.root, [q_runs("SlowFlow", "user:anne", details=True)])
    assert done["pathspec"] == theirs[0]["pathspec"] and theirs[0]["successful"]
    assert done["finished_at"] == theirs[0]["finished_at"]


def test_tags_changed_by_metaflows_cli_show_within_the_interval(live):
    store, cat = live
    flow = "PredictionFlow"
    target = store.story.anne_prediction_runs[-1]  # anne's oldest: the change moves it
    path = _self_json(store.root, target)
    for action, tag in (("add", "cli tag ✓"), ("remove", "cli tag ✓")):
        # When Metaflow's CLI changes the run's tags from another process
        token = os.stat(path).st_ino
        proc = _metaflow_tag(store.root, target, action, tag)
        deadline = time.monotonic() + 60
        while os.stat(path).st_ino == token and time.monotonic() < deadline:
            time.sleep(0.005)
        changed_at = time.time()
        # Then the listing filtered by that tag follows within the staleness bound
        want = [target] if action == "add" else []
        _wait_for(lambda w=want, t=tag: _pathspecs(cat, flow, None, [t]) == w, 30)
        assert time.time() - changed_at <= _allowed(cat), action
        assert proc.wait(timeout=60) == 0, proc.stderr.read() if proc.stderr else ""
    # and the whole listing (Metaflow's tag CLI rewrote the run's time: it is now the newest)
    # equals Metaflow's, as do that run's tags
    theirs = ask_metaflow(store.root, [q_runs(flow, "user:anne", details=True)])[0]
    ours = list(cat.iter_runs(flow, "user:anne"))
    assert [r["pathspec"] for r in ours] == [r["pathspec"] for r in theirs]
    assert ours[0]["pathspec"] == target
    assert ours[0]["tags"] == theirs[0]["tags"] and ours[0]["created_at"] == theirs[0]["created_at"]


class _Stalled(threading.Event):
    """A background refresh thread's wake-up that never comes before close()."""

    def __init__(self, stop: threading.Event) -> None:
        super().__init__()
        self._until = stop

    def wait(self, timeout: Optional[float] = None) -> bool:
        return self._until.wait()


@pytest.mark.parametrize("mode", ["background", "background-stalled", "on-demand"])
def test_no_query_is_answered_from_a_tag_set_older_than_the_interval(
    mutable_demo_store, tmp_path, anne, mode
):
    store = mutable_demo_store
    cat = Catalog(
        LocalStore(store.root),
        cache_dir=tmp_path / "index",
        refresh_interval=INTERVAL,
        background_refresh=mode != "on-demand",
    )
    if mode == "background-stalled":
        # the background thread refreshes once, then falls asleep until close()
        cat.refresher._wake = _Stalled(cat.refresher._stop)
    try:
        target = store.story.will_prediction_runs[0]
        path = _self_json(store.root, target)
        cat.runs("PredictionFlow", None)
        for i in range(4):
            # Given a tag change written on disk by another writer (atomically, as Metaflow does)
            record = json.loads(path.read_text())
            record["tags"] = sorted(set(record["tags"]) | {f"flip-{i}"})
            tmp = path.with_name(f".flip-{i}.tmp")
            tmp.write_text(json.dumps(record))
            os.replace(tmp, path)
            # When a query comes once the Catalog's staleness bound has passed
            changed_at = time.monotonic()
            while time.monotonic() - changed_at <= cat.max_staleness:
                time.sleep(0.01)
            # Then it answers from the new tag set, never an older one
            assert _pathspecs(cat, "PredictionFlow", None, [f"flip-{i}"]) == [target]
    finally:
        cat.close()


def test_the_index_lives_outside_the_project_and_rebuilds_itself(
    mutable_demo_store, tmp_path, anne, monkeypatch
):
    store = mutable_demo_store
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    # Given a Catalog with the default index location
    cat = Catalog(LocalStore(store.root))
    first = _pathspecs(cat, "PredictionFlow", None)
    index = cat.index.path
    # Then the index is in the user's cache folder, neither in the store nor in the project
    assert index.parent == default_cache_dir() == tmp_path / "xdg" / "jupyter_mfns"
    assert store.root not in index.parents and Path.cwd() not in index.parents
    cat.close()
    # When the server restarts on the same index, nothing is re-read: the work was persisted
    cat = Catalog(LocalStore(store.root))
    assert cat.refresh() is False and _pathspecs(cat, "PredictionFlow", None) == first
    cat.close()
    # When the index is deleted, or overwritten with garbage, at any time (even in use)
    for damage in ("delete", "garbage"):
        running = Catalog(LocalStore(store.root))
        running.refresh()
        for suffix in ("", "-wal", "-shm"):
            Path(str(index) + suffix).unlink(missing_ok=True)
        if damage == "garbage":
            index.write_bytes(b"not a database" * 100)
        # Then the next Catalog rebuilds it and answers the same, as does the one in use
        cat = Catalog(LocalStore(store.root))
        assert _pathspecs(cat, "PredictionFlow", None) == first
        assert cat.namespaces()["namespaces"]
        assert _pathspecs(running, "PredictionFlow", None) == first
        cat.close()
        running.close()
