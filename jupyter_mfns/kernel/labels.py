"""Fixed-width text rows of the ipywidgets browser's runs table (a <select> shows text only).

Columns: id, status, user, creation time (UTC), then the runs' parameters (the first few
names seen, each value shortened), then user tags.
"""

from __future__ import annotations

import json
import time
from typing import Any, List, Optional, Sequence

from ..core.model import RunJSON

NBSP = "\u00a0"
#: parameter columns shown, and each one's width
PARAM_COLUMNS = 4
PARAM_WIDTH = 12


def pad(text: str, width: int) -> str:
    """Left-aligned column for a <select> option (NBSP: browsers collapse plain spaces)."""
    text = text if len(text) <= width else text[: width - 1] + "…"
    return (text + NBSP * max(0, width - len(text))).replace(" ", NBSP)


def when(ms: Optional[int]) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(ms / 1000)) if ms else "-"


def parameter_names(runs: Sequence[RunJSON]) -> List[str]:
    """The parameter columns of a page of runs: the first names seen."""
    names: List[str] = []
    for run in runs:
        for name in list(run.get("parameters", {})) + list(run.get("opaque_parameters", [])):
            if name not in names:
                names.append(name)
    return names[:PARAM_COLUMNS]


def _value(run: RunJSON, name: str) -> str:
    if name in run.get("opaque_parameters", []):
        return "(opaque)"
    if name not in run.get("parameters", {}):
        return "-"
    value: Any = run["parameters"][name]
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def runs_header(params: Sequence[str]) -> str:
    cells = [pad("id", 18), pad("status", 9), pad("user", 10), pad("created (UTC)", 16)]
    cells += [pad(name, PARAM_WIDTH) for name in params]
    return NBSP.join([*cells, "tags"])


def run_label(run: RunJSON, params: Sequence[str] = ()) -> str:
    """One line per run: id, status, user, creation time (UTC), parameters, user tags."""
    tags = ", ".join(run["tags"])
    return NBSP.join(
        [
            pad(run["id"], 18),
            pad(run["status"], 9),
            pad(run["user"] or "-", 10),
            pad(when(run["created_at"]), 16),
            *(pad(_value(run, name), PARAM_WIDTH) for name in params),
            tags.replace(" ", NBSP),
        ]
    )
