"""The timeline's data at 1,000 tasks: `GET tasks` (every page) and `GET dag` vs Metaflow's client.

    python -m benchmarks.tasks [--tasks 1000]

On the widened run of `benchmarks/wide_run.py` (a real ParamsFlow run whose foreach step holds
1,000 tasks), in the same session: Metaflow's client lists every task of every step with
`created_at`, `finished_at`, `successful` and `current_attempt` (what a timeline needs); the
Catalog answers `tasks` (all pages of 500) and `dag` with an empty cache (cold), then again
(warm: finished tasks are not read twice). Answers are compared with Metaflow's.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from typing import Any, Dict, List

from .metaflow_process import run_metaflow
from .wide_run import WideRun, wide_run

_METAFLOW = r"""
import json, sys, time
from metaflow import Run, namespace
namespace(None)
t0 = time.perf_counter()
run = Run(sys.argv[1])
tasks = []
for step in run:
    for task in step:
        fin = task.finished_at
        tasks.append([task.pathspec, int(round(task.created_at.timestamp() * 1000)),
                      int(round(fin.timestamp() * 1000)) if fin else None,
                      "succeeded" if fin and task.successful else "failed" if fin else "running",
                      task.current_attempt])
print(json.dumps({"seconds": time.perf_counter() - t0, "tasks": tasks}))
"""


def metaflow_side(run: WideRun) -> Dict[str, Any]:
    return dict(run_metaflow(["-c", _METAFLOW, run.pathspec], run.env(), cwd=str(run.root)))


def ours(run: WideRun, reps: int) -> Dict[str, Any]:
    from jupyter_mfns.core import Catalog
    from jupyter_mfns.core.store import LocalStore

    cat = Catalog(LocalStore(run.root), cache_dir=tempfile.mkdtemp(prefix="mfns-bench-tasks-"))
    try:

        def all_tasks() -> List[Dict[str, Any]]:
            out, cursor = [], None
            while True:
                page = cat.tasks(run.pathspec, None, limit=500, cursor=cursor)
                out += page["tasks"]
                cursor = page["next_cursor"]
                if cursor is None:
                    return out

        cat.run(run.pathspec, None)  # the run's own record and status, as the tab reads first
        t0 = time.perf_counter()
        tasks = all_tasks()
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        cat.dag(run.pathspec, None)
        dag_after = time.perf_counter() - t0
        warm, dags = [], []
        for _ in range(reps):
            t0 = time.perf_counter()
            all_tasks()
            warm.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            cat.dag(run.pathspec, None)
            dags.append(time.perf_counter() - t0)
        return {
            "cold_s": cold,
            "dag_after_tasks_s": dag_after,
            "warm_s": statistics.median(warm),
            "dag_warm_s": statistics.median(dags),
            "tasks": [
                [t["pathspec"], t["created_at"], t["finished_at"], t["status"], t["attempt"]]
                for t in tasks
            ],
        }
    finally:
        cat.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=10)
    args = parser.parse_args()
    run = wide_run(args.tasks)
    mf = metaflow_side(run)
    mine = ours(run, args.reps)
    same = sorted(mine["tasks"]) == sorted(mf["tasks"])
    rows = [
        ("every task (GET tasks, pages of 500), cold", mine["cold_s"], mf["seconds"]),
        (f"every task, warm (median of {args.reps})", mine["warm_s"], None),
        ("GET dag, right after the tasks", mine["dag_after_tasks_s"], None),
        (f"GET dag, warm (median of {args.reps})", mine["dag_warm_s"], None),
    ]
    print(f"| {run.tasks} tasks | jupyter_mfns | Metaflow client |\n|---|---:|---:|")
    for label, seconds, theirs in rows:
        other = f"{theirs * 1000:,.1f} ms" if theirs is not None else "–"
        print(f"| {label} | {seconds * 1000:,.1f} ms | {other} |")
    print(f"\nsame tasks, times, statuses and attempts as Metaflow's: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
