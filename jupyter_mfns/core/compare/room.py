"""The Catalog's room for comparisons: 2 to 8 runs side by side (`GET compare`).

Each run is checked in the namespace asked, as `Run(pathspec)` is (404, or 409 naming its
owners), then read from what the other rooms keep: its RUN answer (parameters, failure), its
graph and tasks (`results/`), its artifacts' metadata (`artifacts.py`). Nothing is loaded:
artifacts are compared by sha (`rows.py` says how).
"""

from __future__ import annotations

from typing import List, Optional, Sequence

from ..errors import InvalidArgument
from ..limits import MAX_COMPARE_RUNS, MIN_COMPARE_RUNS
from ..model import CompareCellJSON, CompareJSON, RunJSON
from ..objects import ObjectQueries
from ..parts import Parts, Room
from ..pathspec import parse_pathspec
from ..results.dag import graph_steps
from ..results.params import graph_info
from .artifacts import ArtifactTables
from .cell import compare_cell
from .rows import (
    RunParts,
    artifact_rows,
    parameter_rows,
    step_order,
    step_rows,
    summary_rows,
)


def check_runs(runs: Sequence[str]) -> List[str]:
    """The runs' pathspecs, normalized: 2 to 8 of them, each once."""
    if isinstance(runs, str) or not MIN_COMPARE_RUNS <= len(runs) <= MAX_COMPARE_RUNS:
        count = 1 if isinstance(runs, str) else len(runs)
        raise InvalidArgument(
            f"Compare {MIN_COMPARE_RUNS} to {MAX_COMPARE_RUNS} runs, not {count}."
        )
    out: List[str] = []
    for run in runs:
        ps = str(parse_pathspec(run, min_depth=2, max_depth=2, what="run pathspec"))
        if ps in out:
            raise InvalidArgument(f"Run {ps} is named twice; compare different runs.")
        out.append(ps)
    return out


class CompareQueries(Room):
    """Runs side by side: summary, parameters, steps and artifacts, each with `differs`."""

    def __init__(self, parts: Parts, objects: ObjectQueries) -> None:
        super().__init__(parts)
        self.objects = objects
        self.tables = ArtifactTables(parts.store, parts.results.values)

    def compare(self, runs: Sequence[str], ns: Optional[str]) -> CompareJSON:
        pathspecs = check_runs(runs)
        answers = [self.objects.run(ps, ns) for ps in pathspecs]  # 404/409 before any read
        parts = self.store.map_concurrently(self._parts, answers)
        steps = step_order(parts)

        def code(step: str, name: str, cells: List[CompareCellJSON]) -> Optional[str]:
            tasks = [c["task"] for c in cells]
            if any(t is None for t in tasks):
                return None  # a step of many tasks: no one value per run to load
            return compare_cell(name, [t for t in tasks if t], pathspecs, ns)

        artifacts = artifact_rows(parts, steps, code)
        return CompareJSON(
            namespace=ns,
            runs=answers,
            summary=summary_rows(parts),
            parameters=parameter_rows(parts),
            steps=step_rows(parts, steps, artifacts),
            artifacts=artifacts,
        )

    def _parts(self, run: RunJSON) -> RunParts:
        flow, run_id = run["flow"], run["id"]
        row = self.index.run_row(flow, run_id)
        final = self.parts.details.of_run(flow, run_id, row).final
        results = self.parts.results
        graph, params = graph_info(self.store, results.values, flow, run_id)
        names = list(graph_steps(graph)) or [s.name for s in self.store.steps(flow, run_id)]
        tasks = results.tasks.run_tasks(flow, run_id, names, final)
        shas = {n: params[n]["sha"] for n in run["opaque_parameters"] if n in params}
        return RunParts(
            run=run,
            graph_steps=names,
            tasks=tasks,
            table=self.tables.of_run(flow, run_id, tasks, final),
            parameter_shas=shas,
        )
