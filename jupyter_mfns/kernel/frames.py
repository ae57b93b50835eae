"""pandas tables of Catalog answers, as the magic returns them.

Columns keep the REST contract's field names; epoch-millisecond times become UTC timestamps so
they display and compare as dates. Each frame carries the query in `frame.attrs`.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional, Sequence

from ..core.model import ArtifactJSON, RunJSON

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


def runs_frame(runs: Sequence[RunJSON], **attrs: Any) -> Any:
    """One row per run, newest first, the RUN fields as columns."""
    import pandas as pd

    rows = [{c: dict(run)[c] for c in RUN_COLUMNS} for run in runs]
    frame = pd.DataFrame(rows, columns=RUN_COLUMNS)
    frame = _times(frame, TIME_COLUMNS)
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
    """A task's artifacts: name, type, size (bytes), sha."""
    import pandas as pd

    frame = pd.DataFrame(list(artifacts), columns=["name", "type", "size", "sha"])
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
