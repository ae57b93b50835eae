"""The rows of a comparison, from what was read of each run (pure: no store).

Every row holds one value per run, in the order the runs were asked, and `differs` when they
are not all equal. Equal means equal as JSON (`same`): `1` and `1.0` differ (an int and a
float parameter), `"NaN"` equals `"NaN"` (the same value was given, and its pickle has the same
sha). Parameters are compared by value as RUN.parameters gives them; one that cannot be
decoded safely (opaque) is compared by the sha of its `_parameters` artifact. Artifacts are
compared by sha (`artifacts.py` says how for a step of many tasks); an artifact that is also a
parameter of the run is left to the parameters' rows (Metaflow copies every parameter into
every task, where it cannot change).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence

from ..model import (
    CompareArtifactJSON,
    CompareCellJSON,
    CompareParameterJSON,
    CompareRowJSON,
    CompareStepJSON,
    RunJSON,
)
from ..results.dag import step_status
from ..results.tasks import started_at
from ..store.base import TaskRecord
from .artifacts import RunTable

#: fields of the summary rows, in order
SUMMARY = ("status", "failure", "tags", "duration_ms", "user", "origin_run")


def same(values: Sequence[Any]) -> bool:
    """All values equal as JSON (types matter: 1 differs from 1.0 and from True)."""
    texts = {json.dumps(v, sort_keys=True, allow_nan=True) for v in values}
    return len(texts) <= 1


@dataclass
class RunParts:
    """What was read of one run for its comparison."""

    run: RunJSON
    graph_steps: List[str]  # its steps in graph order (executed ones when it has no graph)
    tasks: List[TaskRecord]
    table: RunTable
    parameter_shas: Dict[str, str] = field(default_factory=dict)  # opaque ones' artifact sha

    def tasks_of(self, step: str) -> List[TaskRecord]:
        return [t for t in self.tasks if t.step == step]


def _summary_value(run: RunJSON, name: str) -> Any:
    if name == "duration_ms":
        end = run["finished_at"]
        return None if end is None else end - run["created_at"]
    if name == "failure":
        failure = run["failure"]
        if failure is None:
            return None
        return f"{failure['step']}: {failure['exception'] or 'failed'}"
    return run[name]  # type: ignore[literal-required]


def summary_rows(parts: Sequence[RunParts]) -> List[CompareRowJSON]:
    rows = []
    for name in SUMMARY:
        values = [_summary_value(p.run, name) for p in parts]
        rows.append(CompareRowJSON(name=name, values=values, differs=not same(values)))
    return rows


def _union(lists: Sequence[Sequence[str]]) -> List[str]:
    out: Dict[str, None] = {}
    for names in lists:
        out.update(dict.fromkeys(names))
    return list(out)


def parameter_rows(parts: Sequence[RunParts]) -> List[CompareParameterJSON]:
    """Every parameter of any run, in the first run's order, then the others'."""
    names = _union([[*p.run["parameters"], *p.run["opaque_parameters"]] for p in parts])
    rows = []
    for name in names:
        present = [name in p.run["parameters"] or name in p.run["opaque_parameters"] for p in parts]
        opaque = [name in p.run["opaque_parameters"] for p in parts]
        values = [p.run["parameters"].get(name) for p in parts]
        keys = [
            ["opaque", p.parameter_shas.get(name)] if o else ["value", v] if here else None
            for p, here, o, v in zip(parts, present, opaque, values)
        ]
        rows.append(
            CompareParameterJSON(
                name=name, values=values, present=present, opaque=opaque, differs=not same(keys)
            )
        )
    return rows


def step_order(parts: Sequence[RunParts]) -> List[str]:
    """The first run's steps in graph order, then steps only the others have."""
    return _union([[*p.graph_steps, *(t.step for t in p.tasks)] for p in parts])


def _duration(tasks: Sequence[TaskRecord]) -> Optional[int]:
    ends = [t.finished_at for t in tasks if t.finished_at is not None]
    if not tasks or len(ends) != len(tasks):
        return None
    return max(ends) - min(started_at(t) for t in tasks)


def _step_status(p: RunParts, step: str) -> Optional[str]:
    tasks = p.tasks_of(step)
    if not tasks and step not in p.graph_steps:
        return None
    return step_status(tasks)


def _task_pathspec(p: RunParts, tasks: Sequence[TaskRecord]) -> Optional[str]:
    if len(tasks) != 1:
        return None
    return f"{p.run['pathspec']}/{tasks[0].step}/{tasks[0].task_id}"


Code = Callable[[str, str, List[CompareCellJSON]], Optional[str]]


def artifact_rows(
    parts: Sequence[RunParts], steps: Sequence[str], code: Code
) -> List[CompareArtifactJSON]:
    """Artifacts by step (in `steps` order), then name; `code(step, name, cells)` writes the
    load cell of a row that differs and that every run holds."""
    rows = []
    for step in steps:
        tables = [p.table.get(step, {}) for p in parts]
        names = sorted(_union([list(t) for t in tables]))
        for name in names:
            cells = [
                None if name in p.run["parameters"] or name in p.run["opaque_parameters"]
                else t.get(name)
                for p, t in zip(parts, tables)
            ]  # fmt: skip
            if all(c is None for c in cells):
                continue
            differs = not same([None if c is None else c["sha"] for c in cells])
            held = [c for c in cells if c is not None]
            cell_code = code(step, name, held) if differs and len(held) == len(cells) else None
            rows.append(
                CompareArtifactJSON(
                    step=step, name=name, values=cells, differs=differs, code=cell_code
                )
            )
    return rows


def step_rows(
    parts: Sequence[RunParts], steps: Sequence[str], artifacts: Sequence[CompareArtifactJSON]
) -> List[CompareStepJSON]:
    changed = {a["step"] for a in artifacts if a["differs"]}
    rows = []
    for step in steps:
        tasks = [p.tasks_of(step) for p in parts]
        status = [_step_status(p, step) for p in parts]
        rows.append(
            CompareStepJSON(
                name=step,
                status=status,
                durations_ms=[_duration(t) for t in tasks],
                tasks=[len(t) for t in tasks],
                task=[_task_pathspec(p, t) for p, t in zip(parts, tasks)],
                cloned=[bool(t) and all(x.origin_task_id for x in t) for t in tasks],
                differs=step in changed or not same(status),
            )
        )
    return rows
