"""The notebook cell that loads one artifact from every compared run and shows what differs,
written here for every front (the compare tab's "Load both into notebook", the magic), e.g.

    from jupyter_mfns import compare_values, load_artifact
    df_12 = load_artifact("PredictionFlow/12/train/3/df", namespace="user:anne")
    df_13 = load_artifact("PredictionFlow/13/train/7/df", namespace="user:anne")
    compare_values(df_12, df_13, names=["PredictionFlow/12", "PredictionFlow/13"])

`compare_values` (kernel side, `kernel/compare_values.py`) shows two DataFrames'
`DataFrame.compare`, or which columns differ when their shapes do not line up.
"""

from __future__ import annotations

import re
from typing import List, Optional, Sequence

from ..loadcode import load_line, python_string, variable_for

_NOT_IDENTIFIER = re.compile(r"[^0-9A-Za-z_]")


def run_variables(artifact: str, runs: Sequence[str]) -> List[str]:
    """`df_12`, `df_13`: the artifact's variable with each run's id (its flow too when two
    runs share an id), unique."""
    base = variable_for(artifact)
    ids = [r.split("/")[-1] for r in runs]
    names = []
    for run, run_id in zip(runs, ids):
        suffix = run.replace("/", "_") if ids.count(run_id) > 1 else run_id
        names.append(f"{base}_{_NOT_IDENTIFIER.sub('_', suffix)}")
    for i, name in enumerate(names):
        if names.count(name) > 1:
            names[i] = f"{name}_{i + 1}"
    return names


def compare_cell(
    artifact: str, tasks: Sequence[str], runs: Sequence[str], namespace: Optional[str]
) -> str:
    """The cell loading `artifact` of each task (one per run, in the runs' order)."""
    variables = run_variables(artifact, runs)
    loads = [
        load_line(f"{task}/{artifact}", namespace, variable)
        for task, variable in zip(tasks, variables)
    ]
    names = ", ".join(python_string(r) for r in runs)
    return "\n".join(
        [
            "from jupyter_mfns import compare_values, load_artifact",
            *loads,
            f"compare_values({', '.join(variables)}, names=[{names}])",
        ]
    )
