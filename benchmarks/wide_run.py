"""A run whose foreach has 1,000 tasks, for the timeline and `GET tasks` at that width.

Running 1,000 real tasks costs a process each (a quarter of an hour on 2 cores), so the store
holds one real ParamsFlow run (tests/flows/params_flow.py, a foreach of 2 `train` tasks) whose
`train` step is then widened: each new task is a copy of a real train task's folder (its
metadata, artifacts and logs) under a new task id, with the records that name the task
rewritten (`_self.json`, metadata and artifact rows) and its times shifted a little, so it
looks to Metaflow's client exactly like a task of that step. Built once into
`<cache>/wide-<tasks>-<key>` (the key covers the flow and this file).

    python -m benchmarks.wide_run 1000
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict

from harness.demo_stores import default_cache_dir
from jupyter_mfns.demo.runner import metaflow_env, run_flow

HERE = Path(__file__).resolve().parent
FLOW = HERE.parent / "tests" / "flows" / "params_flow.py"
STEP = "train"
#: milliseconds between the starts of consecutive copies (a foreach launched over time)
STAGGER_MS = 4


@dataclass(frozen=True)
class WideRun:
    root: Path
    pathspec: str
    tasks: int  # tasks of the whole run

    def env(self, user: str = "anne") -> Dict[str, str]:
        return metaflow_env(self.root, user)


def _key(tasks: int) -> str:
    digest = hashlib.sha256(FLOW.read_bytes() + Path(__file__).read_bytes())
    return f"{tasks}-{digest.hexdigest()[:12]}"


def wide_run(train_tasks: int = 1000) -> WideRun:
    """A store with one ParamsFlow run whose `train` step has `train_tasks` tasks."""
    root = default_cache_dir() / f"wide-{_key(train_tasks)}"
    manifest = root / "wide.json"
    if manifest.is_file():
        data = json.loads(manifest.read_text())
        return WideRun(root, data["pathspec"], data["tasks"])
    tmp = root.with_name(root.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    run = run_flow(tmp, FLOW, user="anne", args=["--epochs", "2"])
    run_dir = tmp / ".metaflow" / run.flow / run.run_id
    step_dir = run_dir / STEP
    sources = sorted(p for p in step_dir.iterdir() if p.name != "_meta")
    next_id = 1 + max(int(p.name) for d in run_dir.iterdir() if d.is_dir() for p in d.iterdir()
                      if p.name.isdigit())  # fmt: skip
    for i in range(train_tasks - len(sources)):
        _copy_task(sources[i % len(sources)], step_dir / str(next_id + i), (i + 1) * STAGGER_MS)
    total = sum(1 for d in run_dir.iterdir() if d.is_dir() and not d.name.startswith("_")
                for p in d.iterdir() if p.name != "_meta")  # fmt: skip
    (tmp / "wide.json").write_text(json.dumps({"pathspec": run.pathspec, "tasks": total}))
    # the run's folders keep absolute paths inside (`ds-root`): move them as Metaflow would
    # not, so rewrite them
    _retarget(tmp, root)
    try:
        tmp.rename(root)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # another process built it first
    return wide_run(train_tasks)


def _copy_task(source: Path, target: Path, shift_ms: int) -> None:
    shutil.copytree(source, target)
    task_id = target.name
    for path in target.rglob("*.json"):
        try:
            obj = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        if isinstance(obj, dict):
            path.write_text(json.dumps(_rewrite(obj, task_id, shift_ms)), encoding="utf-8")


def _rewrite(obj: Dict[str, Any], task_id: str, shift_ms: int) -> Dict[str, Any]:
    out = dict(obj)
    if "task_id" in out:
        out["task_id"] = task_id
    if isinstance(out.get("ts_epoch"), int):
        out["ts_epoch"] += shift_ms
    return out


def _retarget(tmp: Path, root: Path) -> None:
    old, new = str(tmp), str(root)
    for path in tmp.rglob("*.json"):
        text = path.read_text(encoding="utf-8", errors="replace")
        if old in text:
            path.write_text(text.replace(old, new), encoding="utf-8")


if __name__ == "__main__":
    found = wide_run(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
    print(found.root, found.pathspec, found.tasks)
