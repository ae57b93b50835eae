"""Change detection on Netflix's metaflow-service: incremental reads cost one request per tick
while nothing changes and never a full listing, yet show new runs and other users' tag
changes; an outage answers 503 and loses nothing; the ui_backend websocket delivers changes
without any listing; a deployment whose trigger sends nothing for tag changes still shows them.

Changes are made as users make them: real flows and Metaflow's CLI (`flow.py tag add`) in
other processes, straight to the service (never through the Catalog under test).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import List
from urllib.parse import parse_qs, urlparse

import pytest
from outage_proxy import OutageProxy
from real_service import RealDeployment, load_synthetic_runs_sql, start_real_deployment

from harness.jupyter import JupyterServer
from harness.waiting import ChangeRecorder as Recorder
from harness.waiting import wait_until as _wait
from jupyter_mfns.core import Catalog
from jupyter_mfns.core.changes import Change
from jupyter_mfns.core.detect.service_poll import PROBE_ROWS, SWEEP_ROWS, ServiceDetector
from jupyter_mfns.core.store.s3 import S3Reader
from jupyter_mfns.core.store.service import ServiceStore
from jupyter_mfns.core.store.service_api import USER_AGENT
from jupyter_mfns.demo.runner import start_flow

TALK_FLOW = Path(__file__).parent / "flows" / "talk_flow.py"


def _new_run(dep: RealDeployment, user: str, *tags: str) -> str:
    extra = {**dep.config(), "METAFLOW_S3_WORKER_COUNT": "1"}
    args = ["--lines", "3"]
    with start_flow(
        dep.workdir / "client", TALK_FLOW, user=user, tags=tags, args=args, extra_env=extra
    ) as running:
        return running.wait(timeout=300).pathspec


def _cli_tag_add(dep: RealDeployment, user: str, pathspec: str, tag: str) -> None:
    """Metaflow's own CLI, as another user, against the service."""
    run_id = pathspec.split("/")[1]
    cmd = [sys.executable, str(TALK_FLOW), "--no-pylint", "tag", "add", "--run-id", run_id, tag]
    subprocess.run(
        cmd, env=dep.env(user), cwd=dep.workdir / "client", check=True, capture_output=True
    )


def _catalog(dep: RealDeployment, tmp_path: Path, url: str = "", **kwargs) -> Catalog:
    store = ServiceStore(url or dep.service_url, S3Reader(dep.sysroot_s3, client=dep.s3_client()))
    detector = ServiceDetector(store, **kwargs)
    catalog = Catalog(
        store, cache_dir=tmp_path / "cache", refresh_interval=0.5, change_detection=detector
    )
    catalog.start_background_refresh()
    return catalog


def _listings(dep: RealDeployment, mark: int) -> List[int]:
    """The `_limit` of every run listing the service answered jupyter_mfns since `mark` (0:
    unlimited); Metaflow's own processes (the flow, the CLI) are not counted."""
    out = []
    for method, path, _, _ in dep.requests_since(mark, agent=USER_AGENT):
        if method == "GET" and re.fullmatch(r"/flows/[^/]+/runs(\?.*)?", path):
            query = parse_qs(urlparse(path).query)
            out.append(int(query.get("_limit", ["0"])[0]))
    return out


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """A deployment of its own (these tests add runs and tags): the real service with its
    ui_backend, holding a few TalkFlow runs of anne and will."""
    dep = start_real_deployment(tmp_path_factory.mktemp("detection"), ui=True)
    try:
        load_synthetic_runs_sql(dep, "TalkFlow", 6)
        yield dep
    finally:
        dep.stop()


@pytest.fixture
def anne(monkeypatch):
    monkeypatch.setenv("METAFLOW_USER", "anne")
    monkeypatch.delenv("METAFLOW_PRODUCTION_TOKEN", raising=False)


def test_incremental_reads_show_new_runs_and_tags_without_listings(deployment, tmp_path, anne):
    # Given a catalog whose page of TalkFlow is open (that flow is probed every tick)
    catalog = _catalog(deployment, tmp_path)
    detector = catalog.refresher.detector
    seen = Recorder()
    catalog.subscribe(seen)
    try:
        catalog.runs("TalkFlow", None)
        _wait(lambda: catalog.refresher.has_refreshed, what="the first catch-up")
        # While nothing changes: at most one request per tick
        mark, ticks = deployment.log_mark(), detector.ticks
        _wait(lambda: detector.ticks >= ticks + 8, what="eight ticks")
        idle = deployment.requests_since(mark, agent=USER_AGENT)
        assert len(idle) <= detector.ticks - ticks + 1
        # When will starts a run, then Metaflow's CLI tags it (other processes, other users)
        count = len(seen.changes)
        mark = deployment.log_mark()
        pathspec = _new_run(deployment, "will")
        seen.wait_for(Change("runs", "TalkFlow").__eq__, after=count)
        assert pathspec in [r["pathspec"] for r in catalog.iter_runs("TalkFlow", None)]
        count = len(seen.changes)
        _cli_tag_add(deployment, "will", pathspec, "seen-by-anne")
        seen.wait_for(Change("run", "TalkFlow", pathspec).__eq__, after=count)
        assert "seen-by-anne" in catalog.run(pathspec, None)["tags"]
        # Then no full listing was ever asked for: probes and pages of bounded size only
        limits = _listings(deployment, mark)
        assert limits and all(0 < n <= max(PROBE_ROWS, SWEEP_ROWS) for n in limits)
    finally:
        catalog.close()


def test_an_outage_answers_503_and_loses_nothing(deployment, tmp_path):
    # Given a Jupyter server reading the service through a link that can go down
    proxy = OutageProxy(deployment.service_url)
    env = {**deployment.env("anne"), "METAFLOW_SERVICE_URL": proxy.url}
    server = JupyterServer(tmp_path / "jupyter", env, args=["--MfnsExtension.refresh_interval=0.5"])
    try:
        before = server.ok("runs", flow="TalkFlow", namespace="")
        # When the service goes down for it
        proxy.down = True
        status, body = _wait(
            lambda: (lambda a: a if a[0] == 503 else None)(
                server.get("runs", {"flow": "TalkFlow", "namespace": ""})
            ),
            what="a 503",
        )
        # Then queries answer 503 with a JSON reason and a message naming the service
        assert body["reason"] == "store_unavailable"
        assert "503" in body["message"] or "unreachable" in body["message"]
        # When, meanwhile, will runs a flow and tags one of anne's runs
        new = _new_run(deployment, "will", "made-during-outage")
        tagged = next(r["pathspec"] for r in before["runs"] if r["user"] == "will")
        _cli_tag_add(deployment, "will", tagged, "tagged-during-outage")
        # and the service comes back
        proxy.down = False

        # Then both changes are there
        def both_listed():
            status, page = server.get("runs", {"flow": "TalkFlow", "namespace": ""})
            if status != 200:
                return None
            by_path = {r["pathspec"]: r for r in page["runs"]}
            if new in by_path and "tagged-during-outage" in by_path.get(tagged, {}).get("tags"):
                return page["runs"]
            return None

        runs = _wait(both_listed, what="both changes listed after the outage")
        assert "made-during-outage" in next(r for r in runs if r["pathspec"] == new)["tags"]
        assert len(runs) == len(before["runs"]) + 1
        assert proxy.refused > 0
    finally:
        server.stop()
        proxy.close()


def _on_the_feed(dep: RealDeployment, tmp_path: Path, flow: str, probe_every: float):
    """A catalog on the ui_backend's feed with `flow` open, once the feed is connected."""
    catalog = _catalog(dep, tmp_path, ui_backend_ws=dep.ui_ws, feed_probe_every=probe_every)
    seen = Recorder()
    catalog.subscribe(seen)
    catalog.runs(flow, None)
    detector = catalog.refresher.detector
    _wait(lambda: detector.feed.connected and catalog.refresher.has_refreshed, what="a feed")
    return catalog, detector, seen


def test_the_ui_backend_feed_delivers_a_tag_change_without_a_listing(deployment, tmp_path, anne):
    # Given a catalog subscribed to the ui_backend's websocket, probing (nearly) never
    catalog, detector, seen = _on_the_feed(deployment, tmp_path, "TalkFlow", 3600)
    try:
        _wait(lambda: detector.ticks > 3, what="a few ticks")
        pathspec = catalog.latest_run("TalkFlow", None)["pathspec"]
        # When will tags a run with Metaflow's CLI
        count, mark = len(seen.changes), deployment.log_mark()
        _cli_tag_add(deployment, "will", pathspec, "pushed")
        # Then the change arrives through the feed: no run listing was asked for
        seen.wait_for(Change("run", "TalkFlow", pathspec).__eq__, after=count)
        assert _listings(deployment, mark) == []
        assert detector.feed.events_received > 0
        assert "pushed" in catalog.run(pathspec, None)["tags"]
        assert catalog.detection()["feed_connected"] is True
    finally:
        catalog.close()


@pytest.fixture(scope="module")
def stock(tmp_path_factory):
    """A deployment whose ui_backend keeps its own INSERT-only trigger on runs."""
    dep = start_real_deployment(tmp_path_factory.mktemp("stock"), ui=True, stock_triggers=True)
    try:
        yield dep, load_synthetic_runs_sql(dep, "StockFlow", 3)
    finally:
        dep.stop()


def test_without_tag_events_a_tag_change_still_shows(stock, tmp_path, anne):
    dep, ids = stock
    # Given a catalog on the feed, probing every 2 s while it is connected
    catalog, detector, seen = _on_the_feed(dep, tmp_path, "StockFlow", 2)
    try:
        events = detector.feed.events_received
        # When a tag is added through the service's API (as Metaflow's client does)
        pathspec = f"StockFlow/{ids[-1]}"
        count = len(seen.changes)
        status, _ = catalog.store.api.patch(
            f"/flows/StockFlow/runs/{ids[-1]}/tag/mutate",
            {"tags_to_add": ["unpushed"], "tags_to_remove": []},
        )
        assert status == 200
        # Then the feed says nothing, and the probes show it
        seen.wait_for(Change("run", "StockFlow", pathspec).__eq__, after=count)
        assert detector.feed.events_received == events
        assert "unpushed" in catalog.run(pathspec, None)["tags"]
    finally:
        catalog.close()
