"""A run's Parameters, as Metaflow's client gives them, read without unpickling.

Metaflow writes every parameter value as an artifact of the run's `_parameters` task, and the
parameters' names and order into that task's `_graph_info` artifact (`_graph_info["parameters"]`
= [{"name", "type"}]). Values are decoded by `ValueReader.parameter`; one that cannot be is
listed as opaque, with the type Metaflow recorded for it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from ..model import ArtifactMetaJSON
from ..safepickle import NotDecodable, to_json
from ..store.base import Store
from .values import Decoded, ValueReader

PARAMETERS_STEP = "_parameters"
GRAPH_INFO = "_graph_info"
#: the `_parameters` artifact holding the flow's name, not a parameter
FLOW_NAME_ARTIFACT = "name"
#: a run with no readable `_parameters` task this long after it was created never gets one
#: (an old run, or one that broke before Metaflow wrote it): its parameters are final as none
PARAMETERS_GRACE_MS = 10 * 60 * 1000


@dataclass(frozen=True)
class RunParameters:
    """The parameters of one run: decoded values (in `_graph_info` order), the names that
    stay opaque, and the type Metaflow recorded for each."""

    values: Dict[str, Any] = field(default_factory=dict)
    opaque: List[str] = field(default_factory=list)
    types: Dict[str, str] = field(default_factory=dict)

    def json_values(self) -> Dict[str, Any]:
        out = {}
        for name, value in self.values.items():
            try:
                out[name] = to_json(value)
            except NotDecodable:
                continue
        return out

    def to_json(self) -> Dict[str, Any]:
        return {"values": self.json_values(), "opaque": self.opaque, "types": self.types}


def graph_info(
    store: Store, values: ValueReader, flow: str, run_id: str
) -> Tuple[Optional[Dict[str, Any]], Dict[str, ArtifactMetaJSON]]:
    """The run's decoded `_graph_info` (None when absent or opaque) and the `_parameters`
    task's artifacts by name ({} while Metaflow has not written that task yet)."""
    tasks = store.task_ids(flow, run_id, PARAMETERS_STEP)
    if not tasks:
        return None, {}
    task_id = max(tasks, key=lambda t: (t[1], t[0]))[0]
    arts = {a["name"]: a for a in store.artifacts(flow, run_id, PARAMETERS_STEP, task_id)}
    info = arts.get(GRAPH_INFO)
    if info is None:
        return None, arts
    found = values.value(flow, info)
    graph = found.value if found.ok and isinstance(found.value, dict) else None
    return graph, arts


def parameter_names(
    graph: Optional[Dict[str, Any]], arts: Dict[str, ArtifactMetaJSON]
) -> List[str]:
    """Names in `_graph_info` order; without a readable `_graph_info`, the `_parameters`
    task's public artifacts (the flow's name artifact excepted)."""
    if graph is not None and isinstance(graph.get("parameters"), list):
        names = [p.get("name") for p in graph["parameters"] if isinstance(p, dict)]
        return [n for n in names if isinstance(n, str)]
    return sorted(n for n in arts if not n.startswith("_") and n != FLOW_NAME_ARTIFACT)


def read_parameters(
    store: Store, values: ValueReader, flow: str, run_id: str, created_at: int
) -> Optional[RunParameters]:
    """The run's parameters; None while its `_parameters` task is not written yet (a run
    that just started), an empty set once it never will be."""
    graph, arts = graph_info(store, values, flow, run_id)
    if not arts:
        if time.time() * 1000 - created_at < PARAMETERS_GRACE_MS:
            return None
        return RunParameters()
    params = RunParameters()
    for name in parameter_names(graph, arts):
        art = arts.get(name)
        if art is None:
            continue  # named by the graph but never written (Metaflow's client: KeyError)
        params.types[name] = art["type"]
        decoded: Decoded = values.parameter(flow, art)
        if decoded.ok:
            params.values[name] = decoded.value
        else:
            params.opaque.append(name)
    return params
