"""Metaflow's client as the oracle of what runs hold: parameters, DAG, tasks and failures.

`ask_results(env, cwd, queries)` runs the client in a subprocess with `env` (a local store's
or a service deployment's) and answers, per query:
- `params`: {"created_at", "values": {name: value}}, values from
  `Run['_parameters'].task[name].data` for the names of `_graph_info["parameters"]`, as JSON
  the way the API writes them (`safepickle.to_json`);
- `graph`: `_graph_info`'s start/end steps and each step's type and next steps;
- `tasks`: every task of every step (`Step` objects) with created/finished times, status
  (from `finished_at`/`successful`) and `current_attempt`;
- `failure`: the first failed task (by finish time) and its `Task.exception`.
Parameters named in `skip` are never loaded (a poisoned blob would run code in the client).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Mapping, Sequence, Union

_SCRIPT = r"""
import json, sys
from metaflow import Run, namespace
from jupyter_mfns.core.safepickle import to_json

namespace(None)
queries = json.loads(sys.stdin.read())
out = []

def ms(dt):
    return int(round(dt.timestamp() * 1000)) if dt is not None else None

def status(task):
    # `finished` is the `_task_ok` value (False for a failed task); `finished_at` its time
    if task.finished_at is not None:
        return "succeeded" if task.successful else "failed"
    return "running"

def tasks_of(run):
    found = []
    for step in run:
        for task in step:
            found.append({
                "pathspec": task.pathspec, "step": step.id, "created_at": ms(task.created_at),
                "finished_at": ms(task.finished_at),
                "status": status(task), "attempt": task.current_attempt,
            })
    return found

for q in queries:
    run = Run(q["pathspec"])
    kind = q["kind"]
    if kind == "params":
        task = run["_parameters"].task
        names = [p["name"] for p in task["_graph_info"].data["parameters"]]
        values = {n: to_json(task[n].data) for n in names if n not in q.get("skip", [])}
        out.append({"created_at": ms(run.created_at), "values": values})
    elif kind == "graph":
        info = run["_parameters"].task["_graph_info"].data
        out.append({
            "start_step": info["start_step"], "end_step": info["end_step"],
            "steps": [[name, node["type"], node["next"]] for name, node in info["steps"].items()],
        })
    elif kind == "tasks":
        out.append(tasks_of(run))
    elif kind == "failure":
        failed = [t for t in tasks_of(run) if t["status"] == "failed"]
        if not failed:
            out.append(None)
            continue
        first = min(failed, key=lambda t: (t["finished_at"], t["created_at"]))
        from metaflow import Task
        exc = Task(first["pathspec"]).exception
        out.append({"task": first["pathspec"], "step": first["step"], "type": exc.type,
                    "message": exc.exception, "stacktrace": exc.stacktrace})
    else:
        raise ValueError(kind)
print(json.dumps(out))
"""


def ask_results(
    env: Mapping[str, str], cwd: Union[str, Path], queries: Sequence[Dict[str, Any]]
) -> List[Any]:
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        input=json.dumps(list(queries)),
        capture_output=True,
        text=True,
        env=dict(env),
        cwd=str(cwd),
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"Metaflow oracle failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
