"""Change detection on a local store, the old strategy (rescan every interval) against the new
one (file system notifications with a safety rescan), in one run on the same store:

- idle CPU of a server with an open panel (events socket, a page re-fetched every 10 s);
- seconds from a change to the API showing it, and to the events socket announcing it, for a
  new real run and a tag added by Metaflow's CLI (`python flow.py tag add`);
- at 1M runs (`million`): the cold index build, the first page warm, the first answer after
  a restart over the persisted index, and resident memory.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from harness.waiting import wait_until as wait_for

from .live_server import LiveServer
from .panel import Panel, cpu_share, median
from .scale import first_answer, query_params, warm_file_cache, warm_times
from .scaled_store import ScaledStore, scaled_store
from .visibility import new_run_visibility, tag_change_visibility

#: (label, value of --MfnsExtension.change_detection)
STRATEGIES: List[Tuple[str, str]] = [("old: rescan", "scan"), ("new: notifications", "watch")]


def _server(store: ScaledStore, cache: Path, strategy: str) -> LiveServer:
    return LiveServer(store.root, cache, args=[f"--MfnsExtension.change_detection={strategy}"])


def _caught_up(server: LiveServer, store: ScaledStore, timeout: float = 1800) -> float:
    """Seconds until the index holds every run of every flow (the first scan finished)."""
    started = time.monotonic()

    def complete() -> bool:  # counts of every flow, without querying (warming) each flow
        status, body = server.get("flows", {"namespace": ""})
        counts = {f["flow"]: f["runs"] for f in body.get("flows", [])} if status == 200 else {}
        return counts == store.flows

    wait_for(complete, timeout, "the index build", step=0.5)
    return time.monotonic() - started


def idle_and_latency(
    store: ScaledStore, strategy: str, cache: Path, minutes: float, poll: float, trials: int
) -> Dict[str, Any]:
    server = _server(store, cache, strategy)
    params = query_params(store)
    out: Dict[str, Any] = {}
    try:
        first_answer(server, params)
        _caught_up(server, store)
        _, status = server.get("status")
        out["detection"] = status.get("detection", {}).get("strategy")
        time.sleep(5)  # let the first catch-up's work end
        panel = Panel(server, params["a"], poll=poll)
        try:
            out["idle_cpu_pct"] = cpu_share([server.process.pid], minutes * 60)
            out.update(_latencies(server, store, panel, trials))
        finally:
            panel.close()
    finally:
        server.stop()
    return out


def _latencies(
    server: LiveServer, store: ScaledStore, panel: Panel, trials: int
) -> Dict[str, List[float]]:
    """New runs and CLI tag changes: seconds until the API lists them, and until the events
    socket announces them (the sidebar then re-fetches)."""
    out: Dict[str, List[float]] = {k: [] for k in ("new_api", "new_ws", "tag_api", "tag_ws")}
    _, page = server.get(
        "runs", {"flow": store.query_flow, "namespace": store.query_namespace, "limit": 500}
    )
    victims = [r["pathspec"] for r in page["runs"][-trials:]]  # old runs, deep in the list
    for i in range(trials):
        record: Dict[str, Any] = {}
        out["new_api"].append(new_run_visibility(server, store.root, record=record))
        flow = record["pathspec"].split("/")[0]
        at = panel.event_after(record["written"] - 1, lambda e, f=flow: e.get("flow") == f)
        out["new_ws"].append(at - record["written"])
        record = {}
        added, _ = tag_change_visibility(server, store.root, victims[i], record=record)
        out["tag_api"].append(added)
        at = panel.event_after(
            record["added_at"] - 1, lambda e, p=victims[i]: e.get("pathspec") == p
        )
        out["tag_ws"].append(at - record["added_at"])
    return out


def local(runs: int, minutes: float, poll: float, trials: int) -> Dict[str, Dict[str, Any]]:
    """Both strategies over one store (`runs` runs), one index cache built by the first."""
    store = scaled_store(runs, quiet=False)
    warm_file_cache(store)
    cache = Path(tempfile.mkdtemp(prefix="mfns-bench-detect-"))
    try:
        return {
            label: idle_and_latency(store, strategy, cache, minutes, poll, trials)
            for label, strategy in STRATEGIES
        }
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def million(runs: int, full_copies: int, reps: int, minutes: float) -> Dict[str, Dict[str, Any]]:
    """The 1M-run figures, per strategy: cold build, first page warm, restart, memory."""
    started = time.monotonic()
    store = scaled_store(runs, quiet=False, full_copies=full_copies)
    built = time.monotonic() - started
    warm_file_cache(store)
    params = query_params(store)
    out: Dict[str, Dict[str, Any]] = {}
    for label, strategy in STRATEGIES:
        cache = Path(tempfile.mkdtemp(prefix="mfns-bench-1m-"))
        figures: Dict[str, Any] = {"store_build_s": store.build_seconds or built}
        try:
            server = _server(store, cache, strategy)
            try:
                figures["first_answer_cold_s"] = first_answer(server, params)["first_query_s"]
                figures["index_build_s"] = _caught_up(server, store, timeout=7200)
                times = warm_times(server, params, reps)
                figures["first_page_warm_ms"] = 1000 * (median(times["a"]) or 0)
                time.sleep(5)
                figures["idle_cpu_pct"] = cpu_share([server.process.pid], minutes * 60)
                figures["rss_mb"] = server.rss_mb()
                figures["peak_rss_mb"] = server.peak_rss_mb()
                figures.update(_after_fill(server, minutes))
            finally:
                server.stop()
            figures["index_mb"] = sum(p.stat().st_size for p in cache.iterdir()) / 2**20
            server = _server(store, cache, strategy)
            try:
                restart = first_answer(server, params)
                figures["restart_first_answer_s"] = restart["first_query_s"]
                _caught_up(server, store, timeout=7200)
                times = warm_times(server, params, reps)
                figures["restart_first_page_warm_ms"] = 1000 * (median(times["a"]) or 0)
                time.sleep(5)
                figures["restart_rss_mb"] = server.rss_mb()
                figures["restart_peak_rss_mb"] = server.peak_rss_mb()
            finally:
                server.stop()
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        out[label] = figures
    return out


def _after_fill(server: LiveServer, minutes: float) -> Dict[str, Any]:
    """Idle CPU once the background fill has indexed every run's parameters (the steady
    state: the idle figure before it is taken while the fill still runs), and the peak RSS
    through the fill."""

    def filled() -> bool:
        status, body = server.get("status")
        return status == 200 and bool(body.get("parameters_indexed"))

    wait_for(filled, 7200, "the parameters fill", step=1.0)
    out: Dict[str, Any] = {"fill_done_s": time.monotonic() - server.started_at}
    time.sleep(5)  # let the fill's last step end
    out["idle_cpu_filled_pct"] = cpu_share([server.process.pid], minutes * 60)
    out["filled_peak_rss_mb"] = server.peak_rss_mb()
    return out


def summary(values: Optional[List[float]]) -> str:
    """`median (max)` seconds of a list of latencies."""
    if not values:
        return "-"
    return f"{median(values):.2f} s (max {max(values):.2f})"
