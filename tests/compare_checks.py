"""Checks of `Catalog.compare` against Metaflow's client, shared by the local store's tests
(tests/core) and the service deployment's (tests/service).

The oracle (`ask_compare_oracle`) reads each run with the client in a subprocess: its
parameters (values from `_parameters`, as `results_oracle` does, and each one's
`DataArtifact.sha`), and every task of every step with its public artifacts' `DataArtifact.sha`,
times, outcome and resume origin. What is expected is then derived from those answers alone:
a parameter differs when its `_parameters` artifact's sha does (equal values pickle alike),
an artifact when the sorted shas of the step's tasks holding it do.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from results_story import POISONED, ParamsStory

_SCRIPT = r"""
import json, sys
from metaflow import Run, namespace
from jupyter_mfns.core.safepickle import to_json

namespace(None)
out = []

def ms(dt):
    return int(round(dt.timestamp() * 1000)) if dt is not None else None

for q in json.loads(sys.stdin.read()):
    run = Run(q["pathspec"])
    params = run["_parameters"].task
    names = [p["name"] for p in params["_graph_info"].data["parameters"]]
    steps = {}
    for step in run:
        steps[step.id] = [
            {
                "task": task.pathspec,
                "created_at": ms(task.created_at),
                "finished_at": ms(task.finished_at),
                "successful": task.successful,
                "origin": task.origin_pathspec,
                "artifacts": {a.id: a.sha for a in task},
            }
            for task in step
        ]
    out.append({
        "params": {n: to_json(params[n].data) for n in names if n not in q["skip"]},
        "param_shas": {n: params[n].sha for n in names},
        "steps": steps,
        "successful": run.successful,
        "finished": run.finished,
    })
print(json.dumps(out))
"""

ROLES = ("full", "defaults", "failed", "resumed", "poisoned")
#: comparisons made of the ParamsFlow story (roles, in the order asked)
COMPARISONS: Tuple[Tuple[str, ...], ...] = (
    ("full", "defaults"),
    ("failed", "resumed"),
    ("resumed", "failed"),
    ("full", "poisoned"),
    ("defaults", "full", "poisoned"),
    ("full", "defaults", "failed", "resumed", "poisoned"),
)


def ask_compare_oracle(
    env: Mapping[str, str], cwd: Union[str, Path], runs: Mapping[str, Sequence[str]]
) -> Dict[str, Any]:
    """Metaflow's client's answers for each run (pathspec -> the parameters never to load:
    a poisoned blob would run code in the client)."""
    queries = [{"pathspec": p, "skip": list(skip)} for p, skip in runs.items()]
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        input=json.dumps(queries),
        capture_output=True,
        text=True,
        env=dict(env),
        cwd=str(cwd),
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"Metaflow oracle failed:\n{proc.stderr[-3000:]}")
    answers = json.loads(proc.stdout.strip().splitlines()[-1])
    return dict(zip(runs, answers))


def ask_story_oracle(env: Mapping[str, str], cwd: Union[str, Path], story: ParamsStory):
    """The oracle over every run of the ParamsFlow story (the poisoned label never loaded)."""
    runs = {story[r]: [POISONED] if r == "poisoned" else [] for r in ROLES}
    return ask_compare_oracle(env, cwd, runs)


def _step_shas(run: Dict[str, Any], step: str, name: str) -> Optional[Tuple[str, ...]]:
    """The sorted shas of `name` over the step's tasks (None when no task holds it)."""
    shas = [t["artifacts"][name] for t in run["steps"].get(step, []) if name in t["artifacts"]]
    return tuple(sorted(shas)) if shas else None


def expected_artifacts(runs: Sequence[Dict[str, Any]]) -> Dict[Tuple[str, str], bool]:
    """(step, name) -> differs, from the client's answers (parameters' copies left out)."""
    out: Dict[Tuple[str, str], bool] = {}
    steps = list(dict.fromkeys(s for r in runs for s in r["steps"]))
    for step in steps:
        names = {n for r in runs for t in r["steps"].get(step, []) for n in t["artifacts"]}
        for name in sorted(names):
            held = [None if name in r["param_shas"] else _step_shas(r, step, name) for r in runs]
            if any(h is not None for h in held):
                out[(step, name)] = len(set(held)) > 1
    return out


def _duration(tasks: List[Dict[str, Any]]) -> Optional[int]:
    if not tasks or any(t["finished_at"] is None for t in tasks):
        return None
    return max(t["finished_at"] for t in tasks) - min(t["created_at"] for t in tasks)


def check_comparison(
    cat: Any,
    pathspecs: Sequence[str],
    oracle: Dict[str, Any],
    opaque: Mapping[str, str] = {},
    namespace: Optional[str] = None,
) -> Dict[str, Any]:
    """Compare `pathspecs` with the Catalog and check the answer (`check_answer`)."""
    answer = cat.compare(list(pathspecs), namespace)
    check_answer(answer, pathspecs, oracle, opaque)
    return answer


def check_answer(
    answer: Dict[str, Any],
    pathspecs: Sequence[str],
    oracle: Dict[str, Any],
    opaque: Mapping[str, str] = {},
) -> None:
    """Every row of a comparison of `pathspecs` against the oracle's answers for them;
    `opaque`: run -> the parameter its blob makes opaque."""
    roles = pathspecs
    runs = [oracle[p] for p in pathspecs]
    assert [r["pathspec"] for r in answer["runs"]] == pathspecs
    # parameters: Metaflow's values; differs exactly when their artifacts' shas differ
    names = list(dict.fromkeys(n for r in runs for n in r["param_shas"]))
    assert [p["name"] for p in answer["parameters"]] == names
    for row in answer["parameters"]:
        name = row["name"]
        for i, (role, run) in enumerate(zip(roles, runs)):
            assert row["present"][i] == (name in run["param_shas"]), (roles, name)
            assert row["opaque"][i] == (opaque.get(role) == name), (roles, name)
            assert row["values"][i] == run["params"].get(name), (roles, name, role)
        shas = {r["param_shas"].get(name) for r in runs}
        assert row["differs"] == (len(shas) > 1), (roles, name)
    # artifacts: every (step, name) the client lists, differing as their shas do
    got = {(a["step"], a["name"]): a for a in answer["artifacts"]}
    expected = expected_artifacts(runs)
    assert set(got) == set(expected), roles
    for key, row in got.items():
        assert row["differs"] == expected[key], (roles, key)
        for cell, run in zip(row["values"], runs):
            shas = _step_shas(run, *key)
            if cell is None:
                assert shas is None or key[1] in run["param_shas"], (roles, key)
                continue
            assert cell["tasks"] == len(shas or ()), (roles, key)
            if len(shas or ()) == 1:
                assert cell["sha"] == shas[0] and cell["task"] is not None, (roles, key)
        one_task = all(c is not None and c["task"] for c in row["values"])
        assert (row["code"] is not None) == (row["differs"] and one_task), (roles, key)
    # steps: tasks, cloned, durations and status as the client's tasks say
    for step in answer["steps"]:
        for i, run in enumerate(runs):
            tasks = run["steps"].get(step["name"], [])
            assert step["tasks"][i] == len(tasks), (roles, step["name"])
            assert step["cloned"][i] == (bool(tasks) and all(t["origin"] for t in tasks))
            assert step["durations_ms"][i] == _duration(tasks), (roles, step["name"])
            if tasks and all(t["finished_at"] is not None for t in tasks):
                ok = all(t["successful"] for t in tasks)
                assert step["status"][i] == ("succeeded" if ok else "failed"), step
    # summary: each run's status, as the client's successful/finished say
    status = next(r for r in answer["summary"] if r["name"] == "status")
    for value, run in zip(status["values"], runs):
        assert value == ("succeeded" if run["successful"] else "failed")


def check_compare(cat: Any, story: ParamsStory, oracle: Dict[str, Any]) -> None:
    """Every comparison of the story against the oracle, and a resume against its origin."""
    for roles in COMPARISONS:
        check_comparison(cat, [story[r] for r in roles], oracle, {story["poisoned"]: POISONED})
    # a resumed run against its origin: every step resume cloned is unchanged
    answer = cat.compare([story["failed"], story["resumed"]], None)
    cloned = [s["name"] for s in answer["steps"] if s["cloned"][1]]
    assert cloned and "start" in cloned, answer["steps"]
    assert all(not a["differs"] for a in answer["artifacts"] if a["step"] in cloned)
    # ... and the step that failed, then ran again, is not
    train = next(s for s in answer["steps"] if s["name"] == "train")
    assert not train["cloned"][1] and train["differs"]
    assert train["status"] == ["failed", "succeeded"]
    # the two runs' parameters are the same (resume clones them)
    assert not any(p["differs"] for p in answer["parameters"])
