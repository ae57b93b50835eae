"""A local store with real `@card` runs (tests/core/flows/card_flow.py), and Metaflow's card
client as the oracle over it.

`build_card_store(root)` makes, as anne unless said:
- `done`: a CardFlow run that succeeded; its `start` card is then moved to the pre-2022 layout
  (`mf.cards/<Flow>/runs/<run>/tasks/<task>/cards/`, no `steps/<step>`), which older Metaflow
  clients wrote and `get_cards` still reads;
- `failed`: a run whose `end` step failed after the card steps;
- `resumed`: will's resume of `failed`: its card steps are clones, their cards on `failed`.

`metaflow_cards(root, tasks)` asks Metaflow's `get_cards(Task(pathspec))` in a subprocess.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Sequence

from harness.demo_stores import client_json
from jupyter_mfns.demo.runner import resume_flow, run_flow

FLOWS = Path(__file__).resolve().parent / "core" / "flows"
CARD_FLOW = FLOWS / "card_flow.py"
LIVE_CARD_FLOW = FLOWS / "live_card_flow.py"
CARD_STEPS = ("start", "report", "probe")


@dataclass(frozen=True)
class CardStore:
    root: Path
    done: str
    failed: str
    resumed: str
    tasks: Dict[str, Dict[str, str]]  # run role -> step -> task pathspec

    def task(self, role: str, step: str) -> str:
        return self.tasks[role][step]

    @property
    def old_layout_task(self) -> str:
        return self.task("done", "start")


def _task_ids(root: Path, pathspec: str) -> Dict[str, str]:
    run_dir = root / ".metaflow" / pathspec
    out = {}
    for step in (*CARD_STEPS, "end"):
        ids = [p.name for p in (run_dir / step).iterdir() if p.is_dir() and p.name != "_meta"]
        assert len(ids) == 1, (step, ids)
        out[step] = f"{pathspec}/{step}/{ids[0]}"
    return out


def move_to_old_layout(root: Path, task: str) -> None:
    """Move a task's cards to where clients before June 2022 wrote them (no `steps/<step>`)."""
    flow, run, step, task_id = task.split("/")
    runs = root / ".metaflow" / "mf.cards" / flow / "runs" / run
    old = runs / "tasks" / task_id / "cards"
    old.parent.mkdir(parents=True)
    shutil.move(str(runs / "steps" / step / "tasks" / task_id / "cards"), str(old))


def build_card_store(root: Path) -> CardStore:
    done = run_flow(root, CARD_FLOW, user="anne").pathspec
    failed = run_flow(root, CARD_FLOW, user="anne", args=("--fail_end", "true"), check=False)
    assert not failed.succeeded, failed.output[-2000:]
    resumed = resume_flow(
        root, CARD_FLOW, failed.run_id, user="will", extra_env={"MFNS_FIXED": "1"}
    )
    tasks = {
        "done": _task_ids(root, done),
        "failed": _task_ids(root, failed.pathspec),
        "resumed": _task_ids(root, resumed.pathspec),
    }
    move_to_old_layout(root, tasks["done"]["start"])
    return CardStore(root, done, failed.pathspec, resumed.pathspec, tasks)


_ORACLE = """
import hashlib
from metaflow import Task, namespace
from metaflow.cards import get_cards
from metaflow.plugins.cards.exception import CardNotPresentException
namespace(None)
result = {}
for pathspec in TASKS:
    try:
        cards = get_cards(Task(pathspec))
    except CardNotPresentException:
        result[pathspec] = {"origin": None, "cards": []}
        continue
    result[pathspec] = {
        "origin": cards.origin_pathspec,
        "cards": [
            {"type": c.type, "id": c.id, "hash": c.hash,
             "html_sha256": hashlib.sha256(c.get().encode("utf-8")).hexdigest(),
             "data": c.get_data()}
            for c in cards
        ],
    }
"""


def metaflow_cards(root: Path, tasks: Sequence[str]) -> Dict[str, Any]:
    """Per task: `get_cards(Task(t))` as {"origin", "cards": [{type, id, hash, html_sha256,
    data}]} (no card: an empty list, where Metaflow raises CardNotPresentException)."""
    code = f"TASKS = {json.dumps(list(tasks))}\n{_ORACLE}"
    answer: Dict[str, Any] = client_json(root, "anne", code)
    return answer


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def listed(answer: Dict[str, Any]) -> List[Dict[str, Any]]:
    """A `cards` answer's list without sizes (what get_cards knows)."""
    return [{k: c[k] for k in ("type", "id", "hash")} for c in answer["cards"]]
