"""Comparing two runs of 20 steps and 200 artifacts: `Catalog.compare` vs Metaflow's client.

    python -m benchmarks.compare [--reps 20]

The store holds two real runs of `benchmarks/flows/twenty_step_flow.py` (a linear chain of 20
steps, 10 small artifacts set in each, the first 3 of every step from `--seed`), made with
Metaflow's local runtime and built once into `<cache>/twenty-steps-<key>` (the key covers the flow
and this file). Metaflow carries every artifact on to later steps, so a run's 20 tasks hold
2,100 (step, artifact) pairs, plus Metaflow's own `name` in each: 2,120 rows to compare.

jupyter_mfns: a fresh `Catalog` with an empty cache answers `compare` once (cold), then
`--reps` times (warm, the median). Metaflow's client, in its own process over the same store
(timed inside it, after `import metaflow`): for both runs, the `_parameters` shas, then every
task of every step and the `DataArtifact.sha` of each of its artifacts; a row differs when the
shas differ. The answers must agree: the same `step.artifact` rows, and the same parameters,
differ.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List

from harness.demo_stores import copy_store_files, default_cache_dir
from jupyter_mfns.demo.runner import metaflow_env, run_flow

from .metaflow_process import run_metaflow

FLOW = Path(__file__).resolve().parent / "flows" / "twenty_step_flow.py"
USER, NAMESPACE = "anne", "user:anne"
SEEDS = (1, 2)
BUDGET_MS = 200

_METAFLOW = r"""
import json, sys, time
from metaflow import Run, namespace
namespace(None)
pathspecs, reps = json.loads(sys.argv[1]), int(sys.argv[2])
seconds = []
for _ in range(reps):
    t0 = time.perf_counter()
    runs = []
    for pathspec in pathspecs:
        run = Run(pathspec)
        params = run["_parameters"].task
        names = [p["name"] for p in params["_graph_info"].data["parameters"]]
        shas = {}
        for step in run:
            for task in step:  # one task per step here; several would be a sorted multiset
                for art in task:
                    if art.id not in names:  # a parameter is compared as one, not per task
                        shas.setdefault(f"{step.id}.{art.id}", []).append(art.sha)
        runs.append(({n: params[n].sha for n in names}, shas))
    rows = set().union(*(r[1] for r in runs))
    differ = sorted(k for k in rows if len({tuple(sorted(r[1].get(k, ()))) for r in runs}) > 1)
    params = set().union(*(r[0] for r in runs))
    params_differ = sorted(n for n in params if len({r[0].get(n) for r in runs}) > 1)
    seconds.append(time.perf_counter() - t0)
print(json.dumps({"seconds": seconds, "rows": len(rows), "differ": differ,
                  "params_differ": params_differ}))
"""


@dataclass(frozen=True)
class CompareStore:
    root: Path
    runs: List[str]  # the two runs' pathspecs

    def env(self) -> Dict[str, str]:
        return metaflow_env(self.root, USER)


def _key() -> str:
    digest = hashlib.sha256(FLOW.read_bytes() + Path(__file__).read_bytes())
    return digest.hexdigest()[:12]


def compare_store() -> CompareStore:
    """The store with the two runs (seeds 1 and 2), built on first use."""
    root = default_cache_dir() / f"twenty-steps-{_key()}"
    manifest = root / "compare.json"
    if manifest.is_file():
        return CompareStore(root.resolve(), json.loads(manifest.read_text())["runs"])
    tmp = Path(tempfile.mkdtemp(prefix="mfns-bench-compare-"))
    try:
        runs = [run_flow(tmp, FLOW, user=USER, args=["--seed", str(s)]).pathspec for s in SEEDS]
        shutil.rmtree(root, ignore_errors=True)  # an interrupted copy
        copy_store_files(tmp, root)  # rewrites the absolute paths the store records
        (root / "compare.json").write_text(json.dumps({"runs": runs}))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return compare_store()


def metaflow_side(store: CompareStore, reps: int) -> Dict[str, Any]:
    args = ["-c", _METAFLOW, json.dumps(store.runs), str(reps)]
    return dict(run_metaflow(args, store.env(), cwd=str(store.root)))


def ours(store: CompareStore, reps: int) -> Dict[str, Any]:
    from jupyter_mfns.core import Catalog
    from jupyter_mfns.core.store import LocalStore

    cache = Path(tempfile.mkdtemp(prefix="mfns-bench-compare-cache-"))
    cat = Catalog(LocalStore(store.root), cache_dir=cache)
    try:
        t0 = time.perf_counter()
        answer = cat.compare(store.runs, NAMESPACE)
        cold = time.perf_counter() - t0
        warm = []
        for _ in range(reps):
            t0 = time.perf_counter()
            cat.compare(store.runs, NAMESPACE)
            warm.append(time.perf_counter() - t0)
    finally:
        cat.close()
        shutil.rmtree(cache, ignore_errors=True)
    return {
        "cold_s": cold,
        "warm_s": statistics.median(warm),
        "rows": len(answer["artifacts"]),
        "differ": sorted(f"{a['step']}.{a['name']}" for a in answer["artifacts"] if a["differs"]),
        "params_differ": sorted(p["name"] for p in answer["parameters"] if p["differs"]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=20, help="warm calls of ours (median)")
    parser.add_argument("--metaflow-reps", type=int, default=3)
    args = parser.parse_args()
    store = compare_store()
    mf = metaflow_side(store, args.metaflow_reps)
    mine = ours(store, args.reps)
    agree = (
        mine["differ"] == mf["differ"]
        and mine["params_differ"] == mf["params_differ"]
        and mine["rows"] == mf["rows"]
    )
    first, median = mf["seconds"][0], statistics.median(mf["seconds"])
    print(
        f"compare 2 runs x 20 steps x 200 artifacts ({mf['rows']:,} step.artifact rows, "
        f"{len(mf['differ'])} differ): jupyter_mfns cold {mine['cold_s'] * 1000:,.0f} ms, "
        f"warm {mine['warm_s'] * 1000:,.1f} ms (median of {args.reps}, budget {BUDGET_MS}) | "
        f"Metaflow client {first * 1000:,.0f} ms (median of {args.metaflow_reps}: "
        f"{median * 1000:,.0f} ms) | same answer: {'yes' if agree else 'NO'}"
    )
    if not agree:
        print(f"ours:     {mine['params_differ']} {mine['differ']}", file=sys.stderr)
        print(f"Metaflow: {mf['params_differ']} {mf['differ']}", file=sys.stderr)
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
