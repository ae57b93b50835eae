"""Varied parameter values for the runs a scaled store multiplies (see `scale.py`).

A copy of a real run would otherwise carry its source's parameters, so a parameter filter
would select all copies of a source or none. Copies of PredictionFlow get their own `alpha`
(a float in [0, 1], two decimals) and `models`, written as Metaflow writes values: a pickle
(protocol 4) stored gzip-compressed under `data/<sha[:2]>/<sha>`, sha the SHA-1 of the pickle,
with the copy's `_parameters` task records (`0.data.json` objects and info size, and its
`0_artifact_<name>.json` rows) naming the new sha. Values repeat across copies, so blobs are
shared as Metaflow's content-addressed store shares them.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import pickle
import random
import re
from typing import Any, Dict, List, Sequence, Tuple

#: flow -> parameter -> values a copy draws from
VARIED: Dict[str, Dict[str, Sequence[Any]]] = {
    "PredictionFlow": {
        "alpha": [round(i / 100, 2) for i in range(101)],
        "models": ["mean,linear", "linear", "mean", "linear,mean"],
    },
}
#: a parameter value written for a copy: (name, sha, pickled size)
Written = Tuple[str, str, int]
_DATA_JSON = re.compile(r"^_parameters/[^/]+/0\.data\.json$")
_ARTIFACT = re.compile(r"^_parameters/[^/]+/_meta/0_artifact_(.+)\.json$")


def plan(flows: Sequence[str], seed: int) -> List[Dict[str, Any]]:
    """Parameter values per copy (in the order of `flows`, one flow name per copy)."""
    rng = random.Random(f"params-{seed}")
    return [
        {name: rng.choice(values) for name, values in VARIED.get(flow, {}).items()}
        for flow in flows
    ]


def write_blobs(
    store: str, flows: Sequence[str], plans: Sequence[Dict[str, Any]]
) -> List[Tuple[Written, ...]]:
    """Write every distinct value's blob once; per copy, the (name, sha, size) it holds."""
    done: Dict[Tuple[str, str, bytes], Written] = {}
    out: List[Tuple[Written, ...]] = []
    for flow, values in zip(flows, plans):
        held = []
        for name, value in values.items():
            raw = pickle.dumps(value, protocol=4)
            key = (flow, name, raw)
            if key not in done:
                sha = hashlib.sha1(raw).hexdigest()
                folder = os.path.join(store, flow, "data", sha[:2])
                os.makedirs(folder, exist_ok=True)
                path = os.path.join(folder, sha)
                if not os.path.exists(path):
                    with open(path, "wb") as f:
                        f.write(gzip.compress(raw))
                done[key] = (name, sha, len(raw))
            held.append(done[key])
        out.append(tuple(held))
    return out


def rewrite(rel: str, obj: Dict[str, Any], held: Sequence[Written]) -> Dict[str, Any]:
    """A `_parameters` task record of a copy, naming the copy's own value blobs."""
    if not held:
        return obj
    if _DATA_JSON.match(rel):
        objects, info = dict(obj.get("objects", {})), dict(obj.get("info", {}))
        for name, sha, size in held:
            if name in objects:
                objects[name] = sha
                info[name] = {**info.get(name, {}), "size": size}
        return {**obj, "objects": objects, "info": info}
    match = _ARTIFACT.match(rel)
    if match:
        for name, sha, _ in held:
            if name == match.group(1):
                return {**obj, "sha": sha}
    return obj
