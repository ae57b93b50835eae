"""Runs filtered and sorted by parameters: jupyter_mfns's REST API vs Metaflow's client.

    python -m benchmarks.params                    # 10k runs
    python -m benchmarks.params --sizes 100k       # the 100k-run store (built once, minutes)

On a multiplied store (`benchmarks/scaled_store.py`, whose PredictionFlow copies carry their own
`alpha` and `models`), for anne's namespace:

- (p) first page (50 runs) of `where=alpha>=0.5`, newest first;
- (q) first page of `where=alpha>=0.5&where=models!="mean"&sort=-param:alpha`.

Metaflow's client does the same in Python in its own process: it lists the flow's runs
(newest first) and reads `Run['_parameters'].task[name].data`; for (p) it stops at the 50th
match, for (q) it must read every run's parameters before it can sort. jupyter_mfns is timed
through a real `jupyter server`: cold (an empty index: the first answer waits for the flow's
runs and parameters to be indexed), warm (median of `--reps`), and after a restart on the
persisted index; warm times are taken once the server says every run's parameters are
indexed (`GET status`). The cold index build (every flow's runs, then every run's parameters)
is also timed in-process. Answers are compared with Metaflow's: the same runs in the same order.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

from .live_server import LiveServer
from .metaflow_process import run_metaflow
from .scale import label, parse_sizes, warm_file_cache
from .scaled_store import ScaledStore, scaled_store

FLOW, NAMESPACE, LIMIT = "PredictionFlow", "user:anne", 50
QUERIES: Dict[str, Tuple[List[str], str]] = {
    "p": (["alpha>=0.5"], "-created_at"),
    "q": (["alpha>=0.5", 'models!="mean"'], "-param:alpha"),
}
LABELS = {
    "p": "(p) first page, where alpha>=0.5, newest first",
    "q": '(q) first page, where alpha>=0.5 and models!="mean", sort -param:alpha',
}

_METAFLOW = r"""
import json, sys, time
started = time.time()
from metaflow import Flow, namespace
from jupyter_mfns.core.results.where import parse_conditions, parse_sort, sort_key
job = json.loads(sys.stdin.read())
namespace(job["namespace"])
out = {}
for name, (where, sort) in job["queries"].items():
    t0 = time.perf_counter()
    conds, order = parse_conditions(where), parse_sort(sort)
    picked = []
    for run in Flow(job["flow"]).runs():
        task = run["_parameters"].task
        names = [p["name"] for p in task["_graph_info"].data["parameters"]]
        values = {n: task[n].data for n in names}
        if all(c.name in values and c.matches(values[c.name]) for c in conds):
            picked.append((run.id, values))
            if order.param is None and len(picked) == job["limit"]:
                break  # newest first: the first page is found
    if order.param is not None:
        p = order.param
        picked.sort(key=lambda r: sort_key(r[1].get(p), p in r[1], order.descending))
    out[name] = {"seconds": time.perf_counter() - t0,
                 "page": [f"{job['flow']}/{r[0]}" for r in picked[: job["limit"]]]}
out["process_s"] = time.time() - started
print(json.dumps(out))
"""


def metaflow_side(store: ScaledStore) -> Dict[str, Any]:
    job = {"flow": FLOW, "namespace": NAMESPACE, "limit": LIMIT, "queries": QUERIES}
    answer = run_metaflow(
        ["-c", _METAFLOW], store.env("anne"), cwd=str(store.root), stdin=json.dumps(job)
    )
    return dict(answer)


def _params(name: str) -> List[Tuple[str, Any]]:
    where, sort = QUERIES[name]
    return [("flow", FLOW), ("namespace", NAMESPACE), ("limit", LIMIT), ("sort", sort)] + [
        ("where", w) for w in where
    ]


def _get(server: LiveServer, name: str) -> List[str]:
    status, body = server.get("runs", _params(name))
    if status != 200:
        raise RuntimeError(f"query {name} answered {status}: {body}")
    return [r["pathspec"] for r in body["runs"]]


def cold_build(store: ScaledStore) -> Dict[str, float]:
    """In-process: an empty index built (every run), then every run's parameters read."""
    from jupyter_mfns.core import Catalog
    from jupyter_mfns.core.store import LocalStore

    cache = Path(tempfile.mkdtemp(prefix="mfns-bench-params-"))
    try:
        cat = Catalog(LocalStore(store.root), cache_dir=cache)
        started = time.perf_counter()
        cat.refresh()
        runs_s = time.perf_counter() - started
        results = cat.listing.parts.results
        for flow in cat.index.known_flows():
            results.fill_flow(flow)
        total = time.perf_counter() - started
        cat.close()
        size = sum(f.stat().st_size for f in cache.iterdir()) / 1e6
        return {"runs_s": runs_s, "parameters_s": total - runs_s, "index_mb": size}
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def measure(store: ScaledStore, reps: int) -> Dict[str, Any]:
    result: Dict[str, Any] = {"runs": store.runs}
    warm_file_cache(store)
    say("Metaflow's client, the same queries in Python ...")
    result["metaflow"] = metaflow_side(store)
    say("cold index build in-process ...")
    result["build"] = cold_build(store)
    cache = Path(tempfile.mkdtemp(prefix="mfns-bench-params-server-"))
    try:
        for phase in ("cold", "restart"):
            server = LiveServer(store.root, cache)
            try:
                server.wait_until_listening()
                first = {name: None for name in QUERIES}
                page = _get(server, "p")
                first["p"] = time.monotonic() - server.started_at
                t1 = time.perf_counter()
                _get(server, "q")
                first["q"] = time.perf_counter() - t1
                result[phase] = {"first_p_s": first["p"], "then_q_s": first["q"]}
                result[phase]["indexed_s"] = _wait_indexed(server)
                if phase == "cold":
                    times: Dict[str, List[float]] = {n: [] for n in QUERIES}
                    answers = {n: _get(server, n) for n in QUERIES}
                    for _ in range(reps):
                        for n in QUERIES:
                            t = time.perf_counter()
                            _get(server, n)
                            times[n].append(time.perf_counter() - t)
                    result["warm"] = {n: statistics.median(v) for n, v in times.items()}
                    result["same"] = {
                        n: answers[n] == result["metaflow"][n]["page"] for n in QUERIES
                    }
                    result["first_page_size"] = len(page)
                result[phase]["peak_rss_mb"] = server.peak_rss_mb()
            finally:
                server.stop()
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return result


def _wait_indexed(server: LiveServer, timeout: float = 1800) -> float:
    """Seconds from spawn until every run's parameters are indexed (`GET status`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = server.get("status")
        if status == 200 and body["parameters_indexed"]:
            return time.monotonic() - server.started_at
        time.sleep(0.2)
    raise RuntimeError("the parameters were not indexed in time")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def table(results: List[Dict[str, Any]]) -> str:
    lines = [
        "| runs | query | jupyter_mfns warm (median) | jupyter_mfns cold | Metaflow client |"
        " Metaflow ÷ warm | same answer |",
        "|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        for n in QUERIES:
            cold = r["cold"]["first_p_s"] if n == "p" else r["cold"]["then_q_s"]
            mf = r["metaflow"][n]["seconds"]
            lines.append(
                f"| {label(r['runs'])} | {LABELS[n]} | {_ms(r['warm'][n])} | {_ms(cold)} |"
                f" {_ms(mf)} | {mf / r['warm'][n]:,.0f}× | {'yes' if r['same'][n] else 'NO'} |"
            )
    lines += [
        "",
        "| runs | index build: runs | then every run's parameters | index size |"
        " server: all parameters indexed | restart: first (p) | peak RSS cold / restart |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        b = r["build"]
        lines.append(
            f"| {label(r['runs'])} | {_ms(b['runs_s'])} | {_ms(b['parameters_s'])} |"
            f" {b['index_mb']:.0f} MB | {_ms(r['cold']['indexed_s'])} after spawn |"
            f" {_ms(r['restart']['first_p_s'])} |"
            f" {r['cold']['peak_rss_mb']:.0f} / {r['restart']['peak_rss_mb']:.0f} MB |"
        )
    return "\n".join(lines)


def say(text: str) -> None:
    print(f"[bench-params] {text}", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k")
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = []
    for n in parse_sizes(args.sizes):
        say(f"store of {label(n)} runs ...")
        results.append(measure(scaled_store(n, quiet=False), args.reps))
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0 if all(all(r["same"].values()) for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
