"""Real runs of ParamsFlow (tests/flows/params_flow.py) for the results tests, on any store.

`play_params_story(start)` makes five runs through `start(args, command, extra_env)`:
- `full`: every parameter kind given (NaN, unicode and quotes, JSON, an IncludeFile);
- `defaults`: nothing given (every parameter from its default, `seed` is never given);
- `failed`: `--fail_in train` (each foreach task raises), `alpha=inf`;
- `resumed`: `resume` of `failed` with the fix (its parameters are the origin's);
- `poisoned`: a plain run whose `label` blob the caller then replaces by `poison_pickle()`.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, Mapping, Optional, Sequence, Tuple

from jupyter_mfns.demo.runner import FlowRun

PARAMS_FLOW = Path(__file__).parent / "flows" / "params_flow.py"
FIX_ENV = "MFNS_PARAMS_FIXED"  # as in params_flow.py
LABEL = "ünï \"quoted\" 'x' ✓"
CONFIG = '{"depth": 3, "layers": [1, 2.5, null], "ok": true, "name": "x\\"y"}'
NOTES = 'hello é "notes"\nsecond line ✓\n'
POISONED = "label"

Start = Callable[[Sequence[str], str, Mapping[str, str]], FlowRun]


@dataclass(frozen=True)
class ParamsStory:
    runs: Dict[str, str]  # role -> pathspec
    marker: str  # the file a poisoned blob would create if anything unpickled it

    def __getitem__(self, role: str) -> str:
        return self.runs[role]


class _Touch:
    """Pickles as `os.system("touch <marker>")`: unpickling it runs that command."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> Tuple[object, Tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def poison_pickle(marker: str) -> Tuple[str, bytes]:
    """(sha, stored bytes) of a blob that would run code if unpickled, as Metaflow stores
    blobs: the sha of the pickle, the pickle gzip-compressed."""
    raw = pickle.dumps(_Touch(marker), protocol=4)
    return hashlib.sha1(raw).hexdigest(), gzip.compress(raw)


def play_params_story(start: Start, workdir: Path) -> ParamsStory:
    notes = workdir / "notes.txt"
    notes.write_text(NOTES, encoding="utf-8")
    full_args = [
        "--alpha", "nan", "--epochs", "2", "--shuffle", "false", "--label", LABEL,
        "--config", CONFIG, "--notes", str(notes),
    ]  # fmt: skip
    runs: Dict[str, FlowRun] = {}
    runs["full"] = start(full_args, "run", {})
    runs["defaults"] = start([], "run", {})
    runs["failed"] = start(["--alpha", "inf", "--fail_in", "train", "--epochs", "2"], "run", {})
    runs["resumed"] = start(["--origin-run-id", runs["failed"].run_id], "resume", {FIX_ENV: "1"})
    runs["poisoned"] = start(["--label", "replaced", "--epochs", "1"], "run", {})
    for role, run in runs.items():
        if run.succeeded != (role != "failed"):
            raise RuntimeError(f"{role} {run.pathspec} ended unexpectedly:\n{run.output[-2000:]}")
    return ParamsStory(
        runs={role: r.pathspec for role, r in runs.items()},
        marker=str(workdir / "POISON-RAN"),
    )


def poison_local(root: Path, pathspec: str, marker: str) -> str:
    """Replace the `label` parameter blob of a local run by a code-running pickle (data.json,
    artifact record and blob, as Metaflow would have written them); returns the new sha."""
    import json

    flow, run_id = pathspec.split("/")
    sha, blob = poison_pickle(marker)
    store = root / ".metaflow" / flow
    (store / "data" / sha[:2]).mkdir(parents=True, exist_ok=True)
    (store / "data" / sha[:2] / sha).write_bytes(blob)
    params_dir = store / run_id / "_parameters"
    task = next(p for p in params_dir.iterdir() if p.name != "_meta")
    data_json = task / "0.data.json"
    data = json.loads(data_json.read_text())
    data["objects"][POISONED] = sha
    data_json.write_text(json.dumps(data))
    record = task / "_meta" / f"0_artifact_{POISONED}.json"
    row = json.loads(record.read_text())
    row["sha"] = sha
    record.write_text(json.dumps(row))
    return sha


def expect_parameters(story: ParamsStory, run: str) -> Optional[str]:
    """The parameter of `run` that must be opaque (None: all are decodable)."""
    return POISONED if run == story["poisoned"] else None
