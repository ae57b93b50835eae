"""Speed at scale: jupyter_mfns's REST API vs Metaflow's client on the same 1k/10k/100k-run stores.

    python -m benchmarks.scale                      # 1k and 10k runs
    python -m benchmarks.scale --sizes 100k         # the full-size run (about 30 min here)
    python -m benchmarks.scale --sizes 1k,10k,100k --markdown docs/bench-table.md --json out.json

For each size it builds (or reuses) a store multiplied from the real demo runs
(`benchmarks/scaled_store.py`), reads every run's metadata once so both sides start with a warm OS
file cache, then in the same session:

1. runs Metaflow's client in its own process (few repetitions: a listing reads every run);
2. starts a real `jupyter server` (token auth) with an empty index cache: the first query's time
   is the cold start; then times (a)-(d) warm over one keep-alive connection;
3. checks that the REST answers equal Metaflow's (first page with status, every member and the
   order of the filtered listing, namespace counts, flows, latest run);
4. measures (e): a real new run, a tag added by Metaflow's CLI, and its removal, each polled
   until the API shows it;
5. restarts the server on the persisted index: first query again, and the peak RSS of both.

Prints a Markdown table (also written with --markdown) and exits non-zero if an answer differs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .live_server import LiveServer
from .metaflow_process import run_metaflow
from .report import markdown
from .scaled_store import ScaledStore, scaled_store
from .visibility import new_run_visibility, tag_change_visibility

HERE = Path(__file__).resolve().parent
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
QUERIES = ("a", "b", "c", "d")


def parse_sizes(text: str) -> List[int]:
    out = []
    for part in text.split(","):
        part = part.strip().lower()
        out.append(SIZES[part] if part in SIZES else int(part))
    return out


def label(runs: int) -> str:
    return next((k for k, v in SIZES.items() if v == runs), str(runs))


def query_params(store: ScaledStore) -> Dict[str, Tuple[str, Any]]:
    ns, flow = store.query_namespace, store.query_flow
    tags = [("tag", t) for t in store.query_tags]
    return {
        "a": ("runs", [("flow", flow), ("namespace", ns), *tags, ("limit", 50)]),
        "b": ("namespaces", {}),
        "c": ("flows", {"namespace": ns}),
        "d": ("runs/latest", {"flow": flow, "namespace": ns}),
    }


# -- the two sides -------------------------------------------------------------------------------
def warm_file_cache(store: ScaledStore) -> float:
    """Read every run's `_self.json` once (both sides then start from the same OS cache)."""
    started = time.monotonic()
    base = store.root / ".metaflow"
    for flow in os.scandir(base):
        if not flow.is_dir():
            continue
        for run in os.scandir(flow.path):
            try:
                with open(os.path.join(run.path, "_meta", "_self.json"), "rb") as f:
                    f.read()
            except OSError:
                pass
    return time.monotonic() - started


def metaflow_side(store: ScaledStore, reps: int) -> Dict[str, Any]:
    job = {
        "flow": store.query_flow,
        "namespace": store.query_namespace,
        "tags": store.query_tags,
        "reps": reps,
    }
    spawned = time.time()
    answer = run_metaflow(
        [str(HERE / "metaflow_client.py"), repr(spawned)],
        store.env("anne"),
        cwd=str(store.root),
        stdin=json.dumps(job),
    )
    return dict(answer)


def first_answer(server: LiveServer, params: Dict[str, Tuple[str, Any]]) -> Dict[str, float]:
    """Seconds from spawn until listening, and until the first (a) answer."""
    listening = server.wait_until_listening()
    route, query = params["a"]
    status, body = server.get(route, query)
    if status != 200:
        raise RuntimeError(f"first query answered {status}: {body}")
    return {"listening_s": listening, "first_query_s": time.monotonic() - server.started_at}


def warm_times(
    server: LiveServer, params: Dict[str, Tuple[str, Any]], reps: int
) -> Dict[str, List[float]]:
    times: Dict[str, List[float]] = {q: [] for q in QUERIES}
    for q in QUERIES:  # one unmeasured call: per-query caches filled, as in a session
        server.get(*params[q])
    for _ in range(reps):
        for q in QUERIES:
            started = time.perf_counter()
            status, body = server.get(*params[q])
            times[q].append(time.perf_counter() - started)
            if status != 200:
                raise RuntimeError(f"query {q} answered {status}: {body}")
    return times


# -- same answers ----------------------------------------------------------------------------------
def differential(
    server: LiveServer, store: ScaledStore, params: Dict[str, Tuple[str, Any]], mf: Dict[str, Any]
) -> Dict[str, str]:
    """'ok' or what differs, per answer compared with Metaflow's."""
    out: Dict[str, str] = {}
    _, page = server.get(*params["a"])
    mismatched = []
    for ours, theirs in zip(page["runs"], mf["a_page"]):
        same = (
            ours["pathspec"] == theirs["pathspec"]
            and (ours["status"] == "succeeded") == theirs["successful"]
            and (ours["status"] in ("succeeded", "failed") or not theirs["finished"])
            and ours["finished_at"] == theirs["finished_at"]
            and ours["origin_run"] == theirs["origin_run"]
        )
        if not same:
            mismatched.append((ours["pathspec"], theirs["pathspec"]))
    if len(page["runs"]) != len(mf["a_page"]):
        mismatched.append(("length", len(page["runs"]), len(mf["a_page"])))
    out["a: first page with status"] = "ok" if not mismatched else f"differs: {mismatched[:3]}"

    members: List[str] = []
    route, query = params["a"]
    query = [(k, v) for k, v in query if k != "limit"] + [("limit", 500)]
    cursor = None
    while True:
        _, body = server.get(route, query + ([("cursor", cursor)] if cursor else []))
        members += [r["pathspec"] for r in body["runs"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    out[f"a: all {len(members)} members, in order"] = (
        "ok" if members == mf["a_all"] else f"differs ({len(members)} vs {len(mf['a_all'])})"
    )

    _, body = server.get("namespaces")
    ours_counts = {n["namespace"]: n["runs"] for n in body["namespaces"]}
    diff = {
        t: (ours_counts.get(t), mf["b"].get(t))
        for t in set(ours_counts) | set(mf["b"])
        if ours_counts.get(t) != mf["b"].get(t)
    }
    out[f"b: {len(ours_counts)} namespace counts"] = (
        "ok" if not diff else f"differs: {list(diff.items())[:3]}"
    )
    _, body = server.get(*params["c"])
    flows = sorted(f["flow"] for f in body["flows"])
    out["c: flows"] = "ok" if flows == mf["c"] else f"differs: {flows} vs {mf['c']}"
    _, body = server.get(*params["d"])
    out["d: latest run"] = (
        "ok" if body.get("pathspec") == mf["d"] else f"differs: {body} vs {mf['d']}"
    )
    return out


# -- one size --------------------------------------------------------------------------------------
def bench_size(runs: int, args: argparse.Namespace) -> Dict[str, Any]:
    say = _say
    say(f"== {label(runs)} runs ==")
    store = scaled_store(runs, quiet=False)
    params = query_params(store)
    say(f"store {store.root} (built in {store.build_seconds:.0f} s, {store.files} files)")
    say(f"warmed the OS file cache in {warm_file_cache(store):.1f} s")
    mf_reps = args.metaflow_reps or (5 if runs <= 1_000 else 3 if runs <= 10_000 else 1)
    result: Dict[str, Any] = {
        "runs": runs,
        "store": str(store.root),
        "build_s": store.build_seconds,
        "query": {
            "flow": store.query_flow,
            "namespace": store.query_namespace,
            "tags": store.query_tags,
        },
        "metaflow_reps": mf_reps,
        "ours_reps": args.reps,
    }
    if not args.skip_metaflow:
        say(f"Metaflow's client, {mf_reps} repetition(s) in one process ...")
        mf = metaflow_side(store, mf_reps)
        result["metaflow"] = mf
        say(
            "  medians: "
            + ", ".join(f"{q} {statistics.median(mf['times'][q]):.2f} s" for q in QUERIES)
        )

    cache = Path(tempfile.mkdtemp(prefix="mfns-bench-index-"))
    try:
        server = LiveServer(store.root, cache)
        try:
            say("jupyter_mfns cold start (empty index) ...")
            result["cold"] = first_answer(server, params)
            say(f"  first answer after {result['cold']['first_query_s']:.2f} s")
            times = warm_times(server, params, args.reps)
            result["ours"] = {"times": times}
            say(
                "  warm medians: "
                + ", ".join(f"{q} {statistics.median(times[q]) * 1000:.1f} ms" for q in QUERIES)
            )
            if "metaflow" in result:
                result["differential"] = differential(
                    server, store, params, result["metaflow"]["answers"]
                )
                say(f"  same answers as Metaflow: {result['differential']}")
            if not args.skip_visibility:
                result["visibility"] = visibility(server, store, args.visibility_trials)
            result["cold"]["peak_rss_mb"] = server.peak_rss_mb()
            result["cold"]["rss_mb"] = server.rss_mb()
        finally:
            server.stop()
        index_mb = sum(p.stat().st_size for p in cache.iterdir()) / 2**20
        result["index_mb"] = index_mb
        server = LiveServer(store.root, cache)
        try:
            say("jupyter_mfns restart (persisted index) ...")
            result["restart"] = first_answer(server, params)
            warm_times(server, params, 3)
            result["restart"]["peak_rss_mb"] = server.peak_rss_mb()
            say(f"  first answer after {result['restart']['first_query_s']:.2f} s")
        finally:
            server.stop()
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return result


def visibility(server: LiveServer, store: ScaledStore, trials: int) -> Dict[str, List[float]]:
    """Trials of (e): a new real run, a CLI tag change and its removal."""
    _say(f"(e) {trials} new run(s) and tag change(s) ...")
    out: Dict[str, List[float]] = {"new_run": [], "tag_added": [], "tag_removed": []}
    # an old run of anne's deep in the listing (a tag change moves it to the top in Metaflow)
    _, page = server.get(
        "runs", {"flow": store.query_flow, "namespace": store.query_namespace, "limit": 500}
    )
    victims = [r["pathspec"] for r in page["runs"][-trials:]]
    for i in range(trials):
        out["new_run"].append(new_run_visibility(server, store.root))
        added, removed = tag_change_visibility(server, store.root, victims[i])
        out["tag_added"].append(added)
        out["tag_removed"].append(removed)
    _say("  " + ", ".join(f"{k} {max(v):.2f} s max" for k, v in out.items()))
    return out


def _say(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def machine() -> Dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_at_start": load,
        "metaflow": _version("metaflow"),
        "jupyter_server": _version("jupyter_server"),
    }


def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.scale", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--sizes", default="1k,10k", help="comma list: 1k,10k,100k or numbers")
    parser.add_argument("--reps", type=int, default=30, help="warm repetitions per query (ours)")
    parser.add_argument(
        "--metaflow-reps", type=int, default=0, help="Metaflow repetitions (default 5/3/1)"
    )
    parser.add_argument("--visibility-trials", type=int, default=3)
    parser.add_argument("--skip-metaflow", action="store_true")
    parser.add_argument("--skip-visibility", action="store_true")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    parser.add_argument("--json", type=Path, help="write every measurement to this file")
    args = parser.parse_args(argv)
    started = time.time()
    env = machine()
    results = [bench_size(n, args) for n in parse_sizes(args.sizes)]
    env["loadavg_at_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    env["minutes"] = round((time.time() - started) / 60, 1)
    table = markdown(results, env)
    print(table)
    if args.markdown:
        args.markdown.write_text(table, encoding="utf-8")
    if args.json:
        for r in results:  # the answers were compared; keep the file small
            r.get("metaflow", {}).pop("answers", None)
        args.json.write_text(json.dumps({"machine": env, "results": results}, indent=1))
    differs = [
        (r["runs"], k, v)
        for r in results
        for k, v in r.get("differential", {}).items()
        if v != "ok"
    ]
    for runs, what, how in differs:
        print(f"DIFFERENT from Metaflow at {label(runs)} runs: {what}: {how}", file=sys.stderr)
    return 1 if differs else 0


if __name__ == "__main__":
    raise SystemExit(main())
