"""What runs hold (parameters, DAG, tasks, failures), answered like Metaflow's client.

Real ParamsFlow runs (every parameter kind, a foreach, a static split, a failure and its
resume, a poisoned parameter blob) in a private local store; Metaflow's client over the same
store is the oracle (`tests/results_oracle.py`, the checks in `tests/results_checks.py`).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Dict

import pytest
from results_checks import (
    ROLES,
    ask_oracle,
    check_dag,
    check_failure,
    check_parameters,
    check_tasks,
    check_where_and_sort,
)
from results_story import LABEL, POISONED

from jupyter_mfns.core import Catalog
from jupyter_mfns.core.errors import InvalidArgument
from jupyter_mfns.core.store import LocalStore


@pytest.fixture(scope="module")
def oracle(params_store) -> Dict[str, Any]:
    return ask_oracle(params_store.env(), params_store.root, params_store.story, ROLES)


@pytest.fixture
def cat(params_store, tmp_path, monkeypatch):
    monkeypatch.setenv("METAFLOW_USER", "anne")
    catalog = params_store.catalog(tmp_path)
    yield catalog
    catalog.close()


def test_parameters_of_every_kind_equal_metaflows(cat, params_store, oracle) -> None:
    check_parameters(cat, params_store.story, oracle)


def test_where_and_sort_equal_metaflow_then_python(cat, params_store, oracle) -> None:
    check_where_and_sort(cat, params_store.story, oracle)


def test_dag_equals_graph_info_and_metaflows_steps(cat, params_store, oracle) -> None:
    check_dag(cat, params_store.story, oracle)


def test_tasks_equal_metaflows_task_objects_page_by_page(cat, params_store, oracle) -> None:
    check_tasks(cat, params_store.story, oracle)


def test_failure_equals_task_exception(cat, params_store, oracle) -> None:
    check_failure(cat, params_store.story, oracle)


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
    from harness.demo_stores import client_json

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
