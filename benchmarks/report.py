"""The benchmark's Markdown report: README-ready tables of medians, ratios and targets."""

from __future__ import annotations

import statistics
from typing import Any, Dict, List, Optional

QUERY_NAMES = {
    "a": "(a) first page: 50 runs with status, namespace + 2 tags",
    "b": "(b) namespaces with run counts",
    "c": "(c) flows in a namespace",
    "d": "(d) latest run",
}
#: targets at 100k runs, through the REST API
WARM_TARGET_S = 0.050
VISIBLE_TARGET_S = 2.0
RSS_TARGET_MB = 300.0


def _label(runs: int) -> str:
    return {1_000: "1k", 10_000: "10k", 100_000: "100k"}.get(runs, str(runs))


def _dur(seconds: Optional[float]) -> str:
    if seconds is None:
        return "–"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def _ratio(theirs: Optional[float], ours: Optional[float]) -> str:
    if not theirs or not ours:
        return "–"
    r = theirs / ours
    return f"{r:,.0f}×" if r >= 10 else f"{r:.1f}×"


def _median(values: Optional[List[float]]) -> Optional[float]:
    return statistics.median(values) if values else None


def markdown(results: List[Dict[str, Any]], machine: Dict[str, Any]) -> str:
    lines = [
        "| runs | query | jupyter_mfns, REST API (median) | Metaflow client (median) "
        "| Metaflow ÷ jupyter_mfns |",
        "|---:|---|---:|---:|---:|",
    ]
    for r in results:
        ours = r.get("ours", {}).get("times", {})
        theirs = r.get("metaflow", {}).get("times", {})
        for q, name in QUERY_NAMES.items():
            o, t = _median(ours.get(q)), _median(theirs.get(q))
            row = f"| {_label(r['runs'])} | {name} | {_dur(o)} | {_dur(t)} | {_ratio(t, o)} |"
            lines.append(row)
    lines += [
        "",
        "| runs | (e) new run visible | (e) tag added visible | (e) tag removed visible "
        "| (f) first query, cold start | (f) first query, restart "
        "| Metaflow: first query in a new process | peak RSS cold / restart | Metaflow peak RSS "
        "| index size |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        vis = r.get("visibility", {})
        mf = r.get("metaflow", {})
        cold, restart = r.get("cold", {}), r.get("restart", {})

        def worst(key: str, vis: Dict[str, List[float]] = vis) -> str:
            v = vis.get(key)
            return f"{_dur(statistics.median(v))} (max {_dur(max(v))})" if v else "–"

        lines.append(
            f"| {_label(r['runs'])} | {worst('new_run')} | {worst('tag_added')} "
            f"| {worst('tag_removed')} | {_first(cold)} | {_first(restart)} "
            f"| {_dur(mf.get('first_query_s'))} "
            f"| {cold.get('peak_rss_mb', 0):.0f} / {restart.get('peak_rss_mb', 0):.0f} MB "
            f"| {mf.get('peak_rss_mb', 0):.0f} MB | {r.get('index_mb', 0):.0f} MB |"
        )
    lines += ["", *_targets(results), "", *_checks(results), "", *_notes(results, machine)]
    return "\n".join(lines) + "\n"


def _first(start: Dict[str, Any]) -> str:
    """Time to the first answer, and when the server began to listen (Jupyter's own start)."""
    if not start.get("first_query_s"):
        return "–"
    return f"{_dur(start['first_query_s'])} (listening at {_dur(start.get('listening_s'))})"


def _targets(results: List[Dict[str, Any]]) -> List[str]:
    big = next((r for r in results if r["runs"] == 100_000), None)
    if big is None:
        return ["Targets are set at 100k runs; this report has no 100k measurement."]
    out = ["Targets at 100k runs, through the REST API:", ""]
    ours = big.get("ours", {}).get("times", {})
    for q, name in QUERY_NAMES.items():
        m = _median(ours.get(q))
        if m is not None:
            out.append(f"- {name}: {_dur(m)} warm, target ≤ 50 ms: {_mark(m <= WARM_TARGET_S)}")
    vis = big.get("visibility", {})
    if vis:
        w = max(max(v) for v in vis.values())
        out.append(f"- (e) visible after at most {_dur(w)}, target ≤ 2 s: {_mark(w <= 2.0)}")
    cold, restart, mf = big.get("cold", {}), big.get("restart", {}), big.get("metaflow", {})
    listing = _median(mf.get("times", {}).get("a"))
    everything = _median(mf.get("times", {}).get("b"))
    if cold.get("first_query_s") and listing:
        ok = cold["first_query_s"] <= listing
        out.append(
            f"- (f) cold start {_dur(cold['first_query_s'])} (server start + index build + first "
            f"page) vs one Metaflow listing: {_dur(listing)} for (a)'s flow, "
            f"{_dur(everything)} for every run (b): {_mark(ok)}"
        )
    if restart.get("first_query_s") and cold.get("first_query_s"):
        out.append(
            f"- (f) restart reuses the persisted index: first query after "
            f"{_dur(restart['first_query_s'])} (cold: {_dur(cold['first_query_s'])})"
        )
    peak = max(cold.get("peak_rss_mb", 0), restart.get("peak_rss_mb", 0))
    if peak:
        out.append(f"- (f) peak RSS {peak:.0f} MB, target ≤ 300 MB: {_mark(peak <= RSS_TARGET_MB)}")
    return out


def _checks(results: List[Dict[str, Any]]) -> List[str]:
    out = ["Same answers as Metaflow's client (compared in the same session):", ""]
    for r in results:
        diff = r.get("differential")
        if not diff:
            continue
        items = "; ".join(f"{k}: {v}" for k, v in diff.items())
        out.append(f"- {_label(r['runs'])}: {items}")
    return out


def _notes(results: List[Dict[str, Any]], machine: Dict[str, Any]) -> List[str]:
    reps = ", ".join(
        f"{_label(r['runs'])}: ours ×{r['ours_reps']}, Metaflow ×{r['metaflow_reps']}"
        for r in results
    )
    builds = ", ".join(f"{_label(r['runs'])} {r['build_s']:.0f} s" for r in results)
    q = results[0]["query"] if results else {}
    return [
        f"Query: flow `{q.get('flow')}`, namespace `{q.get('namespace')}`, tags "
        f"{', '.join(f'`{t}`' for t in q.get('tags', []))}. Repetitions: {reps} (Metaflow's "
        "client re-reads every run's metadata on every listing, so it is measured few times, "
        "in its own process). Both sides start with the OS file cache warm.",
        f"Machine: {machine.get('cpus')} CPUs, load average {machine.get('loadavg_at_start')} "
        f"at start and {machine.get('loadavg_at_end')} at end, Python {machine.get('python')}, "
        f"Metaflow {machine.get('metaflow')}, jupyter_server {machine.get('jupyter_server')}; "
        f"run took {machine.get('minutes')} min. Store builds (cached): {builds}.",
    ]


def _mark(ok: bool) -> str:
    return "met" if ok else "**missed**"
