"""`%mfns compare RUN RUN [...] [--all] [--load NAME]`: runs side by side, in the kernel.

The comparison is the Catalog's (`core/compare/`: by sha, nothing unpickled); this module makes
it a DataFrame, one column per run and one row per difference (every row with `--all`):
`run:status`, `run:duration_ms`... first, then parameters by name, then artifacts as
`step.artifact`. A small plain value shows as itself, any other artifact as
`<type, size, sha>`. `--load NAME` loads one artifact (`step.name`, or a bare `name`: the last
step holding it in every run) from each run through `load_artifact`, the one place that
unpickles, into a dict of pandas objects keyed by run.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..core.errors import ArtifactNotFound, InvalidArgument
from ..core.model import CompareArtifactJSON, CompareCellJSON, CompareJSON
from .loading import load_conversion
from .progress import human_size
from .session import KernelSession

SUMMARY_PREFIX = "run:"
OPAQUE = "<opaque>"


def cell_text(cell: Optional[CompareCellJSON]) -> Any:
    """What a frame shows for one run's artifact."""
    if cell is None:
        return None
    if "value" in cell:
        return cell["value"]
    size = human_size(cell["size"] if cell["size"] >= 0 else None)
    if cell["tasks"] > 1:
        return f"<{cell['tasks']} tasks, {size}, digest {cell['sha'][:8]}>"
    return f"<{cell['type']}, {size}, sha {cell['sha'][:8]}>"


def _shown(value: Any) -> Any:
    return (
        ", ".join(value)
        if isinstance(value, list) and all(isinstance(v, str) for v in value)
        else value
    )


def comparison_rows(answer: CompareJSON, every_row: bool) -> List[Tuple[str, List[Any], bool]]:
    """(label, values, differs) of every row, in the frame's order."""
    rows: List[Tuple[str, List[Any], bool]] = []
    for row in answer["summary"]:
        rows.append(
            (SUMMARY_PREFIX + row["name"], [_shown(v) for v in row["values"]], row["differs"])
        )
    for p in answer["parameters"]:
        values = [OPAQUE if o else v for v, o in zip(p["values"], p["opaque"])]
        rows.append((p["name"], values, p["differs"]))
    for a in answer["artifacts"]:
        rows.append((f"{a['step']}.{a['name']}", [cell_text(c) for c in a["values"]], a["differs"]))
    return [r for r in rows if every_row or r[2]]


def compare_frame(answer: CompareJSON, every_row: bool) -> Any:
    import pandas as pd

    runs = [r["pathspec"] for r in answer["runs"]]
    rows = comparison_rows(answer, every_row)
    frame = pd.DataFrame(
        [values for _, values, _ in rows],
        index=pd.Index([label for label, _, _ in rows], name="row"),
        columns=runs,
        dtype=object,
    )
    frame.attrs.update(namespace=answer["namespace"], runs=runs, differences_only=not every_row)
    return frame


def pick_artifact(answer: CompareJSON, name: str) -> CompareArtifactJSON:
    """The row `step.name`, or for a bare `name` the last step holding it in every run."""
    step, _, artifact = name.rpartition(".")
    rows = [
        a for a in answer["artifacts"] if a["name"] == artifact and (not step or a["step"] == step)
    ]
    if not step:
        rows = [a for a in rows if all(c is not None for c in a["values"])] or rows
    if not rows:
        where = f"step {step!r} of " if step else ""
        raise ArtifactNotFound(f"No artifact {artifact!r} in {where}these runs.")
    return rows[-1]


def load_each(
    answer: CompareJSON, row: CompareArtifactJSON, session: KernelSession
) -> Dict[str, Any]:
    """`{run: value}` of one artifact row, loaded through `load_artifact`'s path."""
    label = f"{row['step']}.{row['name']}"
    tasks: List[str] = []
    for run, cell in zip(answer["runs"], row["values"]):
        if cell is None:
            raise ArtifactNotFound(f"{run['pathspec']} has no artifact {label}.")
        if cell["task"] is None:
            raise InvalidArgument(
                f"{label} comes from {cell['tasks']} tasks of {run['pathspec']}/{row['step']}: "
                f"load one with %mfns load TASK/{row['name']}."
            )
        tasks.append(cell["task"])
    return {
        run["pathspec"]: load_conversion(
            f"{task}/{row['name']}", answer["namespace"], session
        ).value
        for run, task in zip(answer["runs"], tasks)
    }


def run_compare(
    session: KernelSession, runs: Sequence[str], every_row: bool, load: Optional[str]
) -> Tuple[Any, str]:
    """The cell's value (a frame, or with `load` a dict) and a line to print."""
    answer = session.catalog.compare(list(runs), session.namespace)
    if load is not None:
        row = pick_artifact(answer, load)
        values = load_each(answer, row, session)
        same = "the same value" if not row["differs"] else "different values"
        return values, f"Loaded {row['step']}.{row['name']} from {len(values)} runs ({same})."
    frame = compare_frame(answer, every_row)
    total = len(comparison_rows(answer, True))
    differing = len(comparison_rows(answer, False))
    if every_row:
        return frame, f"{differing} of {total} rows differ."
    if not differing:
        return frame, f"The runs do not differ in any of {total} rows (--all shows them)."
    return frame, f"{differing} of {total} rows differ (--all shows every row)."
