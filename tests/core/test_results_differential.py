"""What runs hold (parameters, DAG, tasks, failures), answered like Metaflow's client.

Real ParamsFlow runs (every parameter kind, a foreach, a static split, a failure and its
resume, a poisoned parameter blob) in a private local store; Metaflow's client over the same
store is the oracle (`tests/results_oracle.py`).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Dict, List

import pytest
from results_oracle import ask_results
from results_story import LABEL, NOTES, POISONED

from jupyter_mfns.core import Catalog
from jupyter_mfns.core.errors import InvalidArgument
from jupyter_mfns.core.results.where import parse_conditions, parse_sort, sort_key
from jupyter_mfns.core.store import LocalStore

ROLES = ("full", "defaults", "failed", "resumed", "poisoned")


@pytest.fixture(scope="module")
def oracle(params_store) -> Dict[str, Any]:
    """Metaflow's answers for every run of the story (the poisoned label never loaded)."""
    story = params_store.story
    queries: List[Dict[str, Any]] = []
    for role in ROLES:
        skip = [POISONED] if role == "poisoned" else []
        for kind in ("params", "graph", "tasks", "failure"):
            queries.append({"kind": kind, "pathspec": story[role], "skip": skip})
    answers = iter(ask_results(params_store.env(), params_store.root, queries))
    return {
        role: {kind: next(answers) for kind in ("params", "graph", "tasks", "failure")}
        for role in ROLES
    }


@pytest.fixture
def cat(params_store, tmp_path, monkeypatch):
    monkeypatch.setenv("METAFLOW_USER", "anne")
    catalog = params_store.catalog(tmp_path)
    yield catalog
    catalog.close()


def test_parameters_of_every_kind_equal_metaflows(cat, params_store, oracle) -> None:
    story = params_store.story
    for role in ROLES:
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


def test_a_poisoned_parameter_blob_is_never_unpickled(cat, params_store) -> None:
    story = params_store.story
    marker = Path(story.marker)
    # When everything that reads parameters and values runs over the poisoned run
    run = cat.run(story["poisoned"], None)
    cat.runs("ParamsFlow", None, where=['label=="replaced"'])
    cat.runs("ParamsFlow", None, sort="param:label")
    cat.dag(story["poisoned"], None)
    cat.tasks(story["poisoned"], None)
    task = cat.get_object(f"{story['poisoned']}/start", None)["children"][0]["pathspec"]
    cat.artifacts(task, None)
    # Then the pickle never ran, and the parameter is opaque with its recorded type
    assert not marker.exists()
    assert run["opaque_parameters"] == [POISONED] and run["parameter_types"][POISONED] == "str"
    # the unpickling the server refuses is real: Python's pickle would have run the command
    assert "touch" in _disassembled_poison(params_store.root, story["poisoned"])


def _disassembled_poison(root: Path, pathspec: str) -> str:
    import gzip
    import io
    import pickletools

    flow, run_id = pathspec.split("/")
    task = next(p for p in (root / ".metaflow" / flow / run_id / "_parameters").iterdir())
    if task.name == "_meta":
        task = next(p for p in task.parent.iterdir() if p.name != "_meta")
    sha = json.loads((task / "0.data.json").read_text())["objects"][POISONED]
    blob = (root / ".metaflow" / flow / "data" / sha[:2] / sha).read_bytes()
    out = io.StringIO()
    pickletools.dis(gzip.decompress(blob), out=out)
    return out.getvalue()


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
    for role in ROLES:
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


def test_where_and_sort_equal_metaflow_then_python(cat, params_store, oracle) -> None:
    story = params_store.story
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


def test_bad_expressions_and_foreign_cursors_are_refused_in_one_sentence(cat) -> None:
    for bad in ["alpha=0.5", "alpha>=", "model==xgb", "shuffle>true", "9x==1", "", "a" * 2000]:
        with pytest.raises(InvalidArgument) as caught:
            cat.runs("ParamsFlow", None, where=[bad])
        assert "\n" not in str(caught.value)
    with pytest.raises(InvalidArgument):
        cat.runs("ParamsFlow", None, sort="param:")
    page = cat.runs("ParamsFlow", None, limit=1, sort="param:alpha")
    with pytest.raises(InvalidArgument, match="another sort"):
        cat.runs("ParamsFlow", None, limit=1, sort="-param:alpha", cursor=page["next_cursor"])
    with pytest.raises(InvalidArgument):
        cat.runs("ParamsFlow", None, limit=1, cursor=page["next_cursor"])


def test_dag_equals_graph_info_and_metaflows_steps(cat, params_store, oracle) -> None:
    story = params_store.story
    for role in ROLES:
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


def test_tasks_equal_metaflows_task_objects_page_by_page(cat, params_store, oracle) -> None:
    story = params_store.story
    for role in ROLES:
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


def test_failure_equals_task_exception(cat, params_store, oracle) -> None:
    story = params_store.story
    expected = oracle["failed"]["failure"]
    run = cat.run(story["failed"], None)
    listed = next(r for r in cat.iter_runs("ParamsFlow", None) if r["pathspec"] == story["failed"])
    failure = run["failure"]
    assert failure == listed["failure"]
    assert failure["task"] == expected["task"] and failure["step"] == expected["step"] == "train"
    assert expected["type"] == "builtins.ValueError"
    assert failure["exception"] == f"ValueError: {expected['message']}"
    assert failure["traceback"] == expected["stacktrace"] and failure["source"] == "exception"
    for role in ("full", "defaults", "resumed", "poisoned"):
        assert cat.run(story[role], None)["failure"] is None
        assert oracle[role]["failure"] is None


def test_failure_falls_back_to_the_stderr_tail(params_store, oracle, tmp_path, monkeypatch) -> None:
    # Given a copy of the store where the failed task has no _exception artifact
    monkeypatch.setenv("METAFLOW_USER", "anne")
    story = params_store.story
    root = tmp_path / "store"
    shutil.copytree(params_store.root, root, symlinks=True)
    task = oracle["failed"]["failure"]["task"]
    task_dir = root / ".metaflow" / task
    data_json = task_dir / "0.data.json"
    data = json.loads(data_json.read_text())
    del data["objects"]["_exception"]
    data_json.write_text(json.dumps(data))
    os.unlink(task_dir / "_meta" / "0_artifact__exception.json")
    cat = Catalog(LocalStore(root), cache_dir=tmp_path / "cache")
    try:
        failure = cat.run(story["failed"], None)["failure"]
        stderr = "\n".join(line["text"] for line in cat.logs(task, "stderr", None)["lines"])
    finally:
        cat.close()
    # Then the failure is read from the task's stderr: its traceback and last line
    assert failure["source"] == "stderr" and failure["task"] == task
    assert failure["exception"].startswith("ValueError: train failed on purpose")
    assert failure["traceback"].startswith("Traceback (most recent call last):")
    assert failure["traceback"] in stderr


def test_small_artifact_values_are_inline_as_metaflow_reads_them(cat, params_store) -> None:
    from jupyter_mfns.demo.runner import client_json

    story = params_store.story
    end = cat.get_object(f"{story['full']}/end", None)["children"][0]["pathspec"]
    arts = cat.artifacts(end, None)["artifacts"]
    code = (
        "from metaflow import Task, namespace\nfrom jupyter_mfns.core.safepickle import to_json\n"
        f"namespace(None)\nresult = {{a.id: to_json(a.data) for a in Task({end!r})}}"
    )
    theirs = client_json(params_store.root, "anne", code)
    inline = {a["name"]: a["value"] for a in arts if "value" in a}
    assert inline and all(theirs[name] == value for name, value in inline.items())
    assert inline["alpha"] == "NaN" and inline["label"] == LABEL and inline["sides"] == ["a", "b"]
    assert "notes" not in inline  # an IncludeFile record, not plain data: loaded in a kernel
