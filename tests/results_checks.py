"""Checks of what runs hold (parameters, DAG, tasks, failures) against Metaflow's client,
shared by the local store's tests (tests/core) and the service deployment's (tests/service).

Each `check_*` takes a Catalog over the store holding the ParamsFlow story, the story, and
the oracle's answers (`ask_oracle`), and asserts the Catalog answers what Metaflow's client
answers, over the roles of the story that store holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Mapping, Sequence, Union

from results_oracle import ask_results
from results_story import LABEL, NOTES, POISONED, ParamsStory

from jupyter_mfns.core.results.where import parse_conditions, parse_sort, sort_key

ROLES = ("full", "defaults", "failed", "resumed", "poisoned")
KINDS = ("params", "graph", "tasks", "failure")


def ask_oracle(
    env: Mapping[str, str], cwd: Union[str, Path], story: ParamsStory, roles: Sequence[str]
) -> Dict[str, Any]:
    """Metaflow's answers for every run of the story (the poisoned label never loaded)."""
    queries: List[Dict[str, Any]] = []
    for role in roles:
        skip = [POISONED] if role == "poisoned" else []
        for kind in KINDS:
            queries.append({"kind": kind, "pathspec": story[role], "skip": skip})
    answers = iter(ask_results(env, cwd, queries))
    return {role: {kind: next(answers) for kind in KINDS} for role in roles}


def check_parameters(cat, story: ParamsStory, oracle: Dict[str, Any]) -> None:
    for role in oracle:
        # When the run is read (object) and listed (runs page)
        run = cat.run(story[role], None)
        listed = next(r for r in cat.iter_runs("ParamsFlow", None) if r["pathspec"] == story[role])
        expected = oracle[role]["params"]["values"]
        # Then its parameters are Metaflow's, in _graph_info order, in both answers
        if role == "poisoned":
            assert run["opaque_parameters"] == [POISONED]
            assert POISONED not in run["parameters"]
        else:
            assert run["opaque_parameters"] == []
        assert run["parameters"] == expected, role
        assert list(run["parameters"]) == list(expected)
        assert listed["parameters"] == run["parameters"]
        assert set(run["parameter_types"]) == set(expected) | set(run["opaque_parameters"])
    full = cat.run(story["full"], None)["parameters"]
    # NaN as the API writes it, unicode and quotes intact, JSON rebuilt, IncludeFile's text
    assert full["alpha"] == "NaN" and full["label"] == LABEL and full["notes"] == NOTES
    assert full["config"]["name"] == 'x"y' and full["config"]["layers"] == [1, 2.5, None]
    assert cat.run(story["defaults"], None)["parameters"]["notes"] is None
    assert cat.run(story["failed"], None)["parameters"]["alpha"] == "Infinity"
    # a resumed run has its origin's parameters (Metaflow clones the _parameters task)
    assert cat.run(story["resumed"], None)["parameters"] == oracle["failed"]["params"]["values"]


WHERE = [
    [],
    ["alpha>=0.5"],
    ["alpha!=0.5"],
    ["alpha==NaN"],
    ["alpha!=NaN"],
    ["epochs<3"],
    ["epochs>=2", "shuffle==true"],
    ['label=="plain"'],
    ['label!="plain"'],
    ['fail_in>""'],
    ["notes==null"],
    ['config=={"depth": 2, "tags": ["a", "b"]}'],
    ["seed==7", "epochs==2"],
    ['alpha=="0.5"'],
    ["missing==1"],
]
SORTS = ["-created_at", "created_at", "param:alpha", "-param:alpha", "param:label",
         "-param:label", "param:epochs", "-param:config", "param:notes"]  # fmt: skip


def _expected(oracle, story, where, sort) -> List[str]:
    conds = parse_conditions(where)
    order = parse_sort(sort)
    runs = []
    for role in oracle:
        values = oracle[role]["params"]["values"]
        if role == "poisoned":
            values = dict(values)  # the poisoned label is opaque: as if it were missing
        decoded = {n: _python(v) for n, v in values.items()}
        if all(c.name in decoded and c.matches(decoded[c.name]) for c in conds):
            runs.append((story[role], oracle[role]["params"]["created_at"], decoded))
    runs.sort(key=lambda r: (r[1], r[0].split("/")[1]), reverse=True)  # newest first
    if order.param is None:
        if not order.descending:
            runs.reverse()
    else:
        runs.sort(
            key=lambda r: sort_key(r[2].get(order.param), order.param in r[2], order.descending)
        )
    return [r[0] for r in runs]


def _python(value: Any) -> Any:
    """A value as the API wrote it, back to Python: the non-finite float strings as floats
    only where Metaflow's value was a float (every string parameter here is finite text)."""
    if value in ("NaN", "Infinity", "-Infinity"):
        return float(value.replace("Infinity", "inf"))
    return value


def check_where_and_sort(cat, story: ParamsStory, oracle: Dict[str, Any]) -> None:
    for where in WHERE:
        for sort in SORTS:
            # When the Catalog pages through the filtered, sorted runs two at a time
            got, cursor = [], None
            while True:
                page = cat.runs("ParamsFlow", None, limit=2, cursor=cursor, where=where, sort=sort)
                got += [r["pathspec"] for r in page["runs"]]
                cursor = page["next_cursor"]
                if cursor is None:
                    break
            # Then it holds exactly what filtering and sorting Metaflow's answers gives
            expected = _expected(oracle, story, where, sort)
            assert got == expected, (where, sort)
            assert page["total"] == len(expected)


def check_dag(cat, story: ParamsStory, oracle: Dict[str, Any]) -> None:
    for role in oracle:
        dag = cat.dag(story[role], None)
        graph, tasks = oracle[role]["graph"], oracle[role]["tasks"]
        # steps, types and edges are _graph_info's, in its order
        assert [[s["name"], s["type"], s["next"]] for s in dag["steps"]] == graph["steps"]
        assert (dag["start_step"], dag["end_step"]) == (graph["start_step"], graph["end_step"])
        for step in dag["steps"]:
            mine = [t for t in tasks if t["step"] == step["name"]]
            # each step's task count, start and finish come from Metaflow's tasks of the step
            assert step["tasks"] == len(mine), (role, step["name"])
            assert step["started_at"] == min((t["created_at"] for t in mine), default=None)
            done = [t["finished_at"] for t in mine if t["finished_at"] is not None]
            finished = max(done) if mine and len(done) == len(mine) else None
            assert step["finished_at"] == finished, (role, step["name"], mine)
            statuses = {t["status"] for t in mine}
            expected = "pending" if not mine else (
                "failed" if "failed" in statuses else
                "succeeded" if statuses == {"succeeded"} else "running"
            )  # fmt: skip
            assert step["status"] == expected, (role, step["name"])
    full = {s["name"]: s for s in cat.dag(story["full"], None)["steps"]}
    # the foreach fans out over its items: one train task per epoch
    assert full["start"]["type"] == "split-foreach" and full["start"]["foreach_artifact"] == "items"
    assert full["train"]["tasks"] == 2 and full["fork"]["matching_join"] == "merge"
    failed = {s["name"]: s for s in cat.dag(story["failed"], None)["steps"]}
    assert failed["train"]["status"] == "failed" and failed["end"]["status"] == "pending"


def check_tasks(cat, story: ParamsStory, oracle: Dict[str, Any]) -> None:
    for role in oracle:
        got, cursor = [], None
        while True:
            page = cat.tasks(story[role], None, limit=3, cursor=cursor)
            got += page["tasks"]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert page["total"] == len(got) and page["finished"]
        ours = sorted(
            (t["pathspec"], t["step"], t["created_at"], t["finished_at"], t["status"], t["attempt"])
            for t in got
        )
        theirs = sorted(
            (t["pathspec"], t["step"], t["created_at"], t["finished_at"], t["status"], t["attempt"])
            for t in oracle[role]["tasks"]
        )
        assert ours == theirs, role
        # by start, oldest first, every attempt with its outcome
        assert [t["started_at"] for t in got] == sorted(t["started_at"] for t in got)
        for t in got:
            assert t["attempts"] and t["attempts"][-1]["ok"] == (t["status"] == "succeeded")
    resumed = cat.tasks(story["resumed"], None)["tasks"]
    assert any(t["origin_task"] for t in resumed)  # the cloned start task says where from


def check_failure(cat, story: ParamsStory, oracle: Dict[str, Any]) -> None:
    expected = oracle["failed"]["failure"]
    run = cat.run(story["failed"], None)
    listed = next(r for r in cat.iter_runs("ParamsFlow", None) if r["pathspec"] == story["failed"])
    failure = run["failure"]
    assert failure == listed["failure"]
    assert failure["task"] == expected["task"] and failure["step"] == expected["step"] == "train"
    assert expected["type"] == "builtins.ValueError"
    assert failure["exception"] == f"ValueError: {expected['message']}"
    assert failure["traceback"] == expected["stacktrace"] and failure["source"] == "exception"
    for role in [r for r in oracle if r != "failed"]:
        assert cat.run(story[role], None)["failure"] is None
        assert oracle[role]["failure"] is None
