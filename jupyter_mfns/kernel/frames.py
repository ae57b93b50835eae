"""pandas tables of Catalog answers, as the magic returns them.

Columns keep the REST contract's field names; epoch-millisecond times become UTC timestamps so
they display and compare as dates. Each frame carries the query in `frame.attrs`.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Mapping, Optional, Sequence

from ..core.model import ArtifactJSON, DagJSON, RunJSON

RUN_COLUMNS = (
    "pathspec",
    "flow",
    "id",
    "user",
    "tags",
    "system_tags",
    "created_at",
    "finished_at",
    "status",
    "origin_run",
)
TIME_COLUMNS = ("created_at", "finished_at")


def _times(frame: Any, columns: Iterable[str]) -> Any:
    import pandas as pd

    for column in columns:
        frame[column] = pd.to_datetime(frame[column], unit="ms", utc=True)
    return frame


#: how the API writes non-finite floats, back to floats in a DataFrame
_NON_FINITE = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}


def parameter_value(value: Any, recorded_type: Optional[str]) -> Any:
    """A parameter as the API answers it, as Python: non-finite floats back to floats."""
    if recorded_type == "float" and isinstance(value, str) and value in _NON_FINITE:
        return _NON_FINITE[value]
    return value


def parameter_column(name: str) -> str:
    """A parameter's column: its name, or `param:NAME` when a RUN field has that name."""
    return f"param:{name}" if name in RUN_COLUMNS else name


def runs_frame(runs: Sequence[RunJSON], **attrs: Any) -> Any:
    """One row per run, in the order given, the RUN fields then the runs' parameters (in
    first-seen order; a run without one holds None there) as columns."""
    import pandas as pd

    params: Dict[str, None] = {}
    for run in runs:
        params.update(dict.fromkeys(run.get("parameters", {})))
    rows = []
    for run in runs:
        row = {c: dict(run)[c] for c in RUN_COLUMNS}
        values, types = run.get("parameters", {}), run.get("parameter_types", {})
        for name in params:
            row[parameter_column(name)] = parameter_value(values.get(name), types.get(name))
        rows.append(row)
    columns = [*RUN_COLUMNS, *map(parameter_column, params)]
    frame = pd.DataFrame(rows, columns=columns)
    frame = _times(frame, TIME_COLUMNS)
    frame.attrs.update(attrs)
    return frame


def params_series(run: RunJSON, **attrs: Any) -> Any:
    """A run's parameters as a Series (name -> value), opaque ones left out."""
    import pandas as pd

    types = run["parameter_types"]
    values = {n: parameter_value(v, types.get(n)) for n, v in run["parameters"].items()}
    series = pd.Series(values, dtype=object, name=run["pathspec"])
    series.index.name = "parameter"
    series.attrs.update(attrs)
    return series


DAG_COLUMNS = ("step", "type", "next", "status", "tasks", "started_at", "finished_at", "duration")


def dag_frame(dag: DagJSON, **attrs: Any) -> Any:
    """A run's steps in graph order: type, next steps, status, task count, times, duration."""
    import pandas as pd

    rows = [
        {
            "step": s["name"],
            "type": s["type"],
            "next": ", ".join(s["next"]),
            "status": s["status"],
            "tasks": s["tasks"],
            "started_at": s["started_at"],
            "finished_at": s["finished_at"],
        }
        for s in dag["steps"]
    ]
    frame = _times(pd.DataFrame(rows, columns=DAG_COLUMNS[:-1]), ("started_at", "finished_at"))
    frame["duration"] = frame["finished_at"] - frame["started_at"]
    frame = frame.set_index("step")
    frame.attrs.update(attrs)
    return frame


def run_series(run: RunJSON, **attrs: Any) -> Any:
    """One run as a Series indexed by the RUN fields."""
    frame = runs_frame([run])
    series = frame.iloc[0].copy()
    series.name = run["pathspec"]
    series.attrs.update(attrs)
    return series


def artifacts_frame(artifacts: Sequence[ArtifactJSON], **attrs: Any) -> Any:
    """A task's artifacts: name, type, small values (decoded safely), size (bytes), sha."""
    import pandas as pd

    frame = pd.DataFrame(list(artifacts), columns=["name", "type", "size", "sha"])
    frame.insert(2, "value", [a.get("value", "") if "value" in a else "" for a in artifacts])
    frame.attrs.update(attrs)
    return frame


def records_frame(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], **attrs: Any) -> Any:
    """A plain table of JSON records with the given columns (missing values as None)."""
    import pandas as pd

    frame = pd.DataFrame([{c: row.get(c) for c in columns} for row in rows], columns=columns)
    frame.attrs.update(attrs)
    return frame


def namespace_label(namespace: Optional[str]) -> str:
    """How a namespace reads in messages: `'user:anne'` or `the global namespace`."""
    return "the global namespace" if namespace is None else repr(namespace)


_SPLITS = {"split-foreach": "foreach", "split-static": "split", "split-parallel": "parallel"}


def dag_text(dag: DagJSON) -> str:
    """A run's graph in a few readable lines: `start (foreach items) -> train [3 tasks, ok]`."""
    lines = []
    for s in dag["steps"]:
        kind = _SPLITS.get(s["type"], "")
        if kind == "foreach" and s["foreach_artifact"]:
            kind += f" over {s['foreach_artifact']}"
        head = f"{s['name']}{f' ({kind})' if kind else ''}"
        tasks = f"{s['tasks']} task{'s' if s['tasks'] != 1 else ''}"
        tail = f" -> {', '.join(s['next'])}" if s["next"] else ""
        lines.append(f"{head} [{s['status']}, {tasks}]{tail}")
    return "\n".join(lines)
