"""A run's DAG: Metaflow's graph (`_graph_info`, decoded safely) with each step's progress.

`_graph_info["steps"]` names every step with its node type (`start`, `linear`, `split-static`,
`split-foreach`, `split-parallel`, `split-switch`, `join`, `end`), the steps it leads to and its
decorators; a foreach fan-out is the step after a `split-foreach`, with one task per item.
A step's status is its tasks': running while one runs, failed once one failed (and none runs),
succeeded when every task did, pending before it has any.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from ..model import DagStepJSON
from ..store.base import TaskRecord
from .tasks import started_at

DEFAULT_START, DEFAULT_END = "start", "end"


def graph_steps(graph: Optional[Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
    """The graph's steps by name, in Metaflow's order (only well-formed entries)."""
    steps = graph.get("steps") if isinstance(graph, dict) else None
    if not isinstance(steps, dict):
        return {}
    return {name: node for name, node in steps.items() if isinstance(node, dict)}


def endpoints(graph: Optional[Dict[str, Any]]) -> tuple[str, str]:
    graph = graph or {}
    start, end = graph.get("start_step"), graph.get("end_step")
    return (
        start if isinstance(start, str) else DEFAULT_START,
        end if isinstance(end, str) else DEFAULT_END,
    )


def step_status(tasks: Sequence[TaskRecord]) -> str:
    if not tasks:
        return "pending"
    statuses = {t.status for t in tasks}
    if "running" in statuses:
        return "running"
    if "failed" in statuses:
        return "failed"
    if statuses == {"succeeded"}:
        return "succeeded"
    return "unknown"


def _strings(value: Any) -> List[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and value else None


def dag_steps(
    graph: Optional[Dict[str, Any]],
    tasks: Sequence[TaskRecord],
    executed: Sequence[str] = (),
) -> List[DagStepJSON]:
    """Every step of the graph (then any executed step the graph does not name), with the
    status, task count and times of its tasks."""
    by_step: Dict[str, List[TaskRecord]] = {}
    for t in tasks:
        by_step.setdefault(t.step, []).append(t)
    nodes = graph_steps(graph)
    names = list(nodes) + [s for s in executed if s not in nodes]
    out: List[DagStepJSON] = []
    for name in names:
        node = nodes.get(name, {})
        mine = by_step.get(name, [])
        finished = [t.finished_at for t in mine if t.finished_at is not None]
        decorators = node.get("decorators")
        out.append(
            DagStepJSON(
                name=name,
                type=str(node.get("type") or "unknown"),
                next=_strings(node.get("next")),
                doc=_text(node.get("doc")),
                decorators=[
                    str(d["name"])
                    for d in (decorators if isinstance(decorators, list) else [])
                    if isinstance(d, dict) and isinstance(d.get("name"), str)
                ],
                foreach_artifact=_text(node.get("foreach_artifact")),
                matching_join=_text(node.get("matching_join")),
                status=step_status(mine),  # type: ignore[typeddict-item]
                tasks=len(mine),
                started_at=min((started_at(t) for t in mine), default=None),
                finished_at=max(finished) if mine and len(finished) == len(mine) else None,
            )
        )
    return out
