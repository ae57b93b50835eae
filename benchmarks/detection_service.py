"""Change detection on Netflix's metaflow-service, the old strategy (rescan every interval)
against the new one (incremental reads; and with the ui_backend's websocket as feed), in one
run on the same deployment (`shared/metaflow-service` on PostgreSQL, S3 in moto):

- requests and bytes per minute the service answers one idle server with an open panel, at
  500 and 10k runs (counted from the service's access log, jupyter_mfns's User-Agent only);
- seconds from a change at the service to the API showing it and to the events socket
  announcing it: a new real run, and a tag added by Metaflow's CLI;
- N servers (10) over one 10k-run service: its request rate and CPU (psutil on the metadata
  service, PostgreSQL and ui_backend processes).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "service")]

from real_service import (  # noqa: E402
    RealDeployment,
    load_synthetic_runs_sql,
    start_real_deployment,
)

from harness.waiting import wait_until as wait_for  # noqa: E402
from jupyter_mfns.core.store.service_api import USER_AGENT  # noqa: E402
from jupyter_mfns.demo.runner import start_flow  # noqa: E402

from .live_server import LiveServer  # noqa: E402
from .panel import Panel, cpu_seconds  # noqa: E402

TALK_FLOW = ROOT / "tests" / "service" / "flows" / "talk_flow.py"
PANEL_FLOW = "TalkFlow"
#: share of the runs in each flow (the panel shows the first)
FLOWS = {PANEL_FLOW: 0.8, "FeatureFlow": 0.15, "ScoringFlow": 0.05}
#: (label, server arguments, use the ui_backend feed)
STRATEGIES: List[Tuple[str, str, bool]] = [
    ("old: rescan", "scan", False),
    ("new: incremental", "watch", False),
    ("new: incremental + ui_backend feed", "watch", True),
]


def deploy(work: Path, runs: int) -> RealDeployment:
    dep = start_real_deployment(work, ui=True)
    try:
        for flow, share in FLOWS.items():
            n = max(1, int(runs * share))
            load_synthetic_runs_sql(dep, flow, n, tags_every={"validated": 2, "team:ranking": 3})
    except BaseException:
        dep.stop()
        raise
    return dep


def total_runs(dep: RealDeployment) -> int:
    return int(dep.psql("SELECT count(*) FROM runs_v3").strip())


def server_for(dep: RealDeployment, cache: Path, strategy: str, feed: bool) -> LiveServer:
    args = [f"--MfnsExtension.change_detection={strategy}"]
    if feed:
        assert dep.ui_ws
        args.append(f"--MfnsExtension.ui_backend_ws={dep.ui_ws}")
    return LiveServer(None, cache, args=args, env=dep.env("anne"))


def _ready(server: LiveServer, dep: RealDeployment) -> Tuple[str, Any]:
    server.wait_until_listening()
    query = ("runs", {"flow": PANEL_FLOW, "namespace": "user:anne", "limit": 50})
    expected = total_runs(dep)

    def complete() -> bool:  # counts of every flow, without querying (warming) each flow
        status, body = server.get("flows", {"namespace": ""})
        return status == 200 and sum(f["runs"] for f in body["flows"]) == expected

    wait_for(complete, 600, "the index build", step=0.5)
    server.get(*query)
    return query


def idle_traffic(dep: RealDeployment, server: LiveServer, minutes: float) -> Dict[str, float]:
    """Requests and bytes per minute the service answered jupyter_mfns over `minutes`."""
    time.sleep(3)
    mark = dep.log_mark()
    time.sleep(minutes * 60)
    answered = dep.requests_since(mark, agent=USER_AGENT)
    return {
        "requests_per_min": len(answered) / minutes,
        "kb_per_min": sum(r[3] for r in answered) / 1024 / minutes,
    }


def _service_run(dep: RealDeployment, pathspec: str) -> Optional[Dict[str, Any]]:
    flow, run_id = pathspec.split("/")
    resp = requests.get(f"{dep.service_url}/flows/{flow}/runs/{run_id}", timeout=10)
    return resp.json() if resp.status_code == 200 else None


def _listed(server: LiveServer, pathspec: str, tag: Optional[str] = None) -> bool:
    flow = pathspec.split("/")[0]
    params: Dict[str, Any] = {"flow": flow, "namespace": "", "limit": 5}
    if tag:
        params["tag"] = tag
    status, body = server.get("runs", params)
    return status == 200 and any(r["pathspec"] == pathspec for r in body["runs"])


def latencies(dep: RealDeployment, server: LiveServer, panel: Panel) -> Dict[str, float]:
    """A new real run, and a CLI tag change on the newest run: seconds from the service
    holding it to the API listing it and to the events socket announcing it."""
    out: Dict[str, float] = {}
    extra = {**dep.config(), "METAFLOW_S3_WORKER_COUNT": "1"}
    with start_flow(
        dep.workdir / "client", TALK_FLOW, user="anne", args=["--lines", "3"], extra_env=extra
    ) as running:
        pathspec = running.wait_for_run(timeout=300)
        seen = wait_for(lambda: _listed(server, pathspec) and time.time(), 120, "the new run")
        row = _service_run(dep, pathspec) or {}
        created = int(row.get("ts_epoch", 0)) / 1000
        out["new_api"] = seen - created
        at = panel.event_after(created - 1, lambda e: e.get("flow") == PANEL_FLOW)
        out["new_ws"] = at - created
        running.wait(timeout=300)
    tag = f"bench-{int(time.time() * 1000)}"
    run_id = pathspec.split("/")[1]
    cmd = [sys.executable, str(TALK_FLOW), "--no-pylint", "tag", "add", "--run-id", run_id, tag]
    applied: Dict[str, float] = {}

    def watch_service() -> None:  # when the service holds the tag (polled directly)
        wait_for(lambda: tag in ((_service_run(dep, pathspec) or {}).get("tags") or []), 120, "tag")
        applied["at"] = time.time()

    watcher = threading.Thread(target=watch_service, daemon=True)
    watcher.start()
    proc = subprocess.Popen(cmd, env=dep.env("anne"), cwd=dep.workdir / "client")
    seen = wait_for(lambda: _listed(server, pathspec, tag) and time.time(), 120, "the tag")
    proc.wait(timeout=120)
    watcher.join(timeout=120)
    out["tag_api"] = seen - applied["at"]
    at = panel.event_after(applied["at"] - 1, lambda e: e.get("pathspec") == pathspec)
    out["tag_ws"] = at - applied["at"]
    return out


def one_server(runs: int, minutes: float, trials: bool) -> Dict[str, Dict[str, Any]]:
    """Each strategy in turn over one deployment of `runs` runs."""
    work = Path(tempfile.mkdtemp(prefix="mfns-bench-svc-"))
    dep = deploy(work, runs)
    out: Dict[str, Dict[str, Any]] = {}
    try:
        for label, strategy, feed in STRATEGIES:
            cache = Path(tempfile.mkdtemp(prefix="mfns-bench-svc-index-"))
            server = server_for(dep, cache, strategy, feed)
            try:
                query = _ready(server, dep)
                panel = Panel(server, query, poll=10)
                try:
                    figures: Dict[str, Any] = {"runs": total_runs(dep)}
                    figures.update(idle_traffic(dep, server, minutes))
                    if trials:
                        figures.update(latencies(dep, server, panel))
                    out[label] = figures
                finally:
                    panel.close()
            finally:
                server.stop()
                shutil.rmtree(cache, ignore_errors=True)
    finally:
        dep.stop()
        shutil.rmtree(work, ignore_errors=True)
    return out


def many_servers(runs: int, servers: int, minutes: float) -> Dict[str, Dict[str, Any]]:
    """`servers` idle servers with open panels over one service, per strategy."""
    work = Path(tempfile.mkdtemp(prefix="mfns-bench-svc-many-"))
    dep = deploy(work, runs)
    out: Dict[str, Dict[str, Any]] = {}
    try:
        for label, strategy, feed in STRATEGIES:
            caches = [Path(tempfile.mkdtemp(prefix="mfns-bench-many-")) for _ in range(servers)]
            fleet = [server_for(dep, c, strategy, feed) for c in caches]
            panels: List[Panel] = []
            try:
                for server in fleet:
                    panels.append(Panel(server, _ready(server, dep), poll=10))
                time.sleep(3)
                pids = dep.service_pids()
                mark, before = dep.log_mark(), cpu_seconds(pids, children=True)
                ours = cpu_seconds([s.process.pid for s in fleet])
                started = time.monotonic()
                time.sleep(minutes * 60)
                took = time.monotonic() - started
                answered = dep.requests_since(mark, agent=USER_AGENT)
                out[label] = {
                    "servers": servers,
                    "requests_per_s": len(answered) / took,
                    "kb_per_min": sum(r[3] for r in answered) / 1024 / (took / 60),
                    "service_cpu_pct": 100 * (cpu_seconds(pids, children=True) - before) / took,
                    "servers_cpu_pct": 100
                    * (cpu_seconds([s.process.pid for s in fleet]) - ours)
                    / took,
                }
            finally:
                for panel in panels:
                    panel.close()
                for server in fleet:
                    server.stop()
                for cache in caches:
                    shutil.rmtree(cache, ignore_errors=True)
    finally:
        dep.stop()
        shutil.rmtree(work, ignore_errors=True)
    return out
