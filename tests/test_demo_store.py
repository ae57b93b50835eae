"""The demo store tells the story its DemoStory claims, as Metaflow's own client sees it."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from harness.demo_stores import DemoStore, client_json
from jupyter_mfns.demo import (
    DemoStoreError,
    build_demo_store,
    metaflow_env,
    run_flow,
    start_flow,
)
from jupyter_mfns.demo.build import MARKER_NAME

# Runs in a fresh process per user: METAFLOW_USER / METAFLOW_PRODUCTION_TOKEN are read at import.
DEFAULT_NAMESPACE_FACTS = """
from metaflow import Flow, get_namespace
flow = Flow("PredictionFlow")
result = {
    "namespace": get_namespace(),
    "runs": [r.pathspec for r in flow.runs()],
    "latest": flow.latest_run.pathspec,
    "latest_successful": flow.latest_successful_run.pathspec,
}
"""

STORY_FACTS = """
from metaflow import Flow, Run, Task, namespace
namespace(None)
prediction = Flow("PredictionFlow")
failed, resumed, production = Run(FAILED), Run(RESUMED), Run(PRODUCTION)
result = {
    "global_runs": [r.pathspec for r in prediction.runs()],
    "created_at": {r.pathspec: r.created_at.timestamp() for f in ("FeatureFlow", "PredictionFlow",
                   "ShowcaseFlow") for r in Flow(f).runs()},
    "failed": {"successful": failed.successful, "finished": failed.finished},
    "resumed": {
        "successful": resumed.successful,
        "system_tags": sorted(resumed.system_tags),
        "origin_pathspec": resumed.origin_pathspec,
        "origin_run_ids": sorted({t.metadata_dict.get("origin-run-id") for s in resumed
                                  for t in s}),
    },
    "production_system_tags": sorted(production.system_tags),
}
namespace("xyz_features")
result["xyz_features"] = [[r.pathspec, sorted(r.system_tags)] for r in Flow("FeatureFlow").runs()]
"""

TASK_FACTS = """
from metaflow import Task
talk, zoo = Task(LONG), Task(ZOO)
loaded, errors = {}, {}
for name in NAMES:
    try:
        value = zoo[name].data
    except Exception as error:
        errors[name] = type(error).__name__
    else:
        loaded[name] = type(value).__module__.split(".")[0] + "." + type(value).__name__
result = {
    "stdout": talk.stdout.splitlines(),
    "stderr": talk.stderr.splitlines(),
    "artifact_names": sorted(a.id for a in zoo),
    "loaded": loaded,
    "errors": errors,
}
"""


def _with(code: str, **constants: Any) -> str:
    """Prefix client code with constants as Python literals."""
    return "".join(f"{name} = {json.dumps(value)}\n" for name, value in constants.items()) + code


@pytest.fixture(scope="module")
def facts(demo_store: DemoStore) -> dict[str, Any]:
    """Metaflow client answers about the demo store, gathered once per module."""
    story, root = demo_store.story, demo_store.root
    return {
        "anne": client_json(root, "anne", DEFAULT_NAMESPACE_FACTS),
        "will": client_json(root, "will", DEFAULT_NAMESPACE_FACTS),
        "production": client_json(
            root, "anne", DEFAULT_NAMESPACE_FACTS, production_token=story.production_token
        ),
        "story": client_json(
            root,
            "anne",
            _with(
                STORY_FACTS,
                FAILED=story.failed_run,
                RESUMED=story.resumed_run,
                PRODUCTION=story.production_run,
            ),
        ),
        "tasks": client_json(
            root,
            "anne",
            _with(
                TASK_FACTS,
                LONG=story.long_stdout_task,
                ZOO=story.artifact_task,
                NAMES=sorted(story.artifacts.values()),
            ),
        ),
    }


def test_anne_and_will_have_different_latest_prediction_runs(demo_store, facts):
    # Given the demo store, When each user lists PredictionFlow in their default namespace
    story = demo_store.story
    anne, will = facts["anne"], facts["will"]
    # Then each sees exactly their own runs, newest first, as the story says
    assert anne["namespace"] == "user:anne" and will["namespace"] == "user:will"
    assert anne["runs"] == story.anne_prediction_runs
    assert will["runs"] == story.will_prediction_runs
    # And their latest runs differ; the global latest is will's, not anne's
    assert anne["latest"] != will["latest"]
    assert facts["story"]["global_runs"][0] == will["latest"]


def test_anne_latest_run_is_the_failed_one_and_latest_successful_is_older(demo_store, facts):
    # Given anne's last PredictionFlow run failed
    story = demo_store.story
    # Then latest_run and latest_successful_run disagree, as Metaflow defines them
    assert facts["anne"]["latest"] == story.failed_run
    assert facts["anne"]["latest_successful"] == story.anne_prediction_runs[1]
    assert facts["story"]["failed"]["successful"] is False


def test_production_run_lives_only_in_its_production_namespace(demo_store, facts):
    # Given a run made with METAFLOW_PRODUCTION_TOKEN (and METAFLOW_USER=anne)
    story = demo_store.story
    production = facts["production"]
    # Then the token's namespace is the default one and holds only that run
    assert production["namespace"] == f"production:{story.production_token}"
    assert production["runs"] == [story.production_run]
    # And Metaflow tagged it production:<token> and no user: tag, so anne does not see it
    system_tags = facts["story"]["production_system_tags"]
    assert f"production:{story.production_token}" in system_tags
    assert not [tag for tag in system_tags if tag.startswith("user:")]
    assert story.production_run not in facts["anne"]["runs"]


def test_xyz_features_tag_is_a_namespace_spanning_both_users(demo_store, facts):
    # When the tag xyz_features is used as the namespace
    listed = facts["story"]["xyz_features"]
    # Then it lists the story's runs, made by both anne and will
    assert [pathspec for pathspec, _ in listed] == demo_store.story.xyz_features_runs
    users = {tag for _, system_tags in listed for tag in system_tags if tag.startswith("user:")}
    assert users == {"user:anne", "user:will"}


def test_resumed_run_belongs_to_will_and_points_at_anne_failed_run(demo_store, facts):
    # Given will resumed anne's failed run
    story = demo_store.story
    resumed = facts["story"]["resumed"]
    # Then the resumed run succeeded in user:will, and every task records its origin run
    assert story.resumed_from == story.failed_run
    assert resumed["successful"] is True
    assert "user:will" in resumed["system_tags"] and "user:anne" not in resumed["system_tags"]
    assert resumed["origin_pathspec"] == story.failed_run
    assert resumed["origin_run_ids"] == [story.failed_run.split("/")[1]]
    assert story.resumed_run in facts["will"]["runs"]


def test_runs_have_distinct_creation_times_in_story_order(demo_store, facts):
    # Metaflow orders runs by created_at: the story relies on a strict order
    created = facts["story"]["created_at"]
    story_order = [run.pathspec for run in demo_store.story.runs]
    assert set(created) == set(story_order)
    assert sorted(created, key=created.__getitem__) == story_order
    assert len(set(created.values())) == len(created)


def test_long_stdout_task_has_thousands_of_lines_and_some_stderr(demo_store, facts):
    story, tasks = demo_store.story, facts["tasks"]
    assert len(tasks["stdout"]) == story.long_stdout_lines > 1000
    assert tasks["stdout"][0].startswith("line 0001 of 3000")
    assert tasks["stdout"][-1].startswith("line 3000 of 3000")
    assert len(tasks["stderr"]) == story.long_stderr_lines > 0


def test_artifact_task_holds_every_kind_and_one_unloadable(demo_store, facts):
    story, tasks = demo_store.story, facts["tasks"]
    # Then every named artifact exists in the task
    assert set(story.artifacts.values()) <= set(tasks["artifact_names"])
    # And loads as its kind says, except the object whose class lives in the flow script
    expected = {
        "pandas_dataframe": "pandas.DataFrame",
        "pandas_series": "pandas.Series",
        "dict_of_columns": "builtins.dict",
        "list_of_dicts": "builtins.list",
        "list_of_namedtuples": "builtins.list",
        "numpy_1d": "numpy.ndarray",
        "numpy_2d": "numpy.ndarray",
        "large_dataframe": "pandas.DataFrame",
        "int": "builtins.int",
        "float": "builtins.float",
        "str": "builtins.str",
        "bool": "builtins.bool",
        "none": "builtins.NoneType",
        "nested_dict": "builtins.dict",
        "set": "builtins.set",
        "polars_dataframe": "polars.DataFrame",
        "pyarrow_table": "pyarrow.Table",
    }
    for kind, name in story.artifacts.items():
        if kind == "unloadable":
            assert tasks["errors"] == {name: "AttributeError"}
        else:
            assert tasks["loaded"][name] == expected[kind], kind
    assert {"pandas_dataframe", "list_of_namedtuples", "unloadable"} <= set(story.artifacts)


def test_second_build_is_a_fast_noop(demo_store):
    # Given a complete demo store
    marker = demo_store.root / MARKER_NAME
    before = (marker.stat().st_mtime_ns, sorted((demo_store.root / ".metaflow").iterdir()))
    # When it is built again
    started = time.monotonic()
    story = build_demo_store(demo_store.root)
    elapsed = time.monotonic() - started
    # Then nothing ran and nothing changed
    assert story == demo_store.story
    assert elapsed < 1.0
    assert (marker.stat().st_mtime_ns, sorted((demo_store.root / ".metaflow").iterdir())) == before


def test_builder_refuses_to_delete_a_store_it_did_not_make(tmp_path):
    # Given a folder holding someone's own Metaflow store
    precious = tmp_path / ".metaflow" / "MyFlow" / "1"
    precious.mkdir(parents=True)
    # When the demo is built there, Then it refuses and leaves the store alone
    with pytest.raises(DemoStoreError):
        build_demo_store(tmp_path)
    assert precious.is_dir()
    assert not (tmp_path / MARKER_NAME).exists()


def test_metaflow_env_ignores_the_callers_metaflow_settings(demo_store, monkeypatch, tmp_path):
    # Given a caller whose environment points Metaflow elsewhere, at a profile that does not exist
    monkeypatch.setenv("METAFLOW_PROFILE", "no-such-profile")
    monkeypatch.setenv("METAFLOW_DATASTORE_SYSROOT_LOCAL", str(tmp_path))
    monkeypatch.setenv("METAFLOW_PRODUCTION_TOKEN", "leaked")
    env = metaflow_env(demo_store.root, "will")
    assert "METAFLOW_PROFILE" not in env and "METAFLOW_PRODUCTION_TOKEN" not in env
    # When a client runs with the helper, Then it reads the demo store as will
    namespace = client_json(
        demo_store.root, "will", "from metaflow import get_namespace\nresult = get_namespace()"
    )
    assert namespace == "user:will"


SLOW_FLOW = """
import os, time
from metaflow import FlowSpec, step

class WaitFlow(FlowSpec):
    @step
    def start(self):
        while not os.path.exists(os.environ["RELEASE_FILE"]):
            time.sleep(0.05)
        self.next(self.end)

    @step
    def end(self):
        pass

if __name__ == "__main__":
    WaitFlow()
"""


def test_running_flow_is_visible_before_it_finishes(mutable_demo_store, tmp_path):
    # Given a flow that waits for a file, started in a private copy of the demo store
    flow = tmp_path / "wait_flow.py"
    flow.write_text(SLOW_FLOW, encoding="utf-8")
    release = tmp_path / "release"
    root = mutable_demo_store.root
    with start_flow(
        root, flow, user="will", tags=["waiting"], extra_env={"RELEASE_FILE": str(release)}
    ) as running:
        pathspec = running.wait_for_run()
        # When the client looks at it while it runs, Then it is there and not finished
        during = client_json(root, "will", _with(_RUN_STATE, P=pathspec))
        release.touch()
        finished = running.wait()
    after = client_json(root, "will", _with(_RUN_STATE, P=pathspec))
    assert during == {"finished": False, "tags": ["waiting"]}
    assert finished.succeeded and finished.pathspec == pathspec
    assert after == {"finished": True, "tags": ["waiting"]}


_RUN_STATE = """
from metaflow import Run
run = Run(P)
result = {"finished": run.finished, "tags": sorted(run.user_tags)}
"""


def test_mutable_copy_is_independent_of_the_cached_store(demo_store, mutable_demo_store):
    # Given a private copy, When anne tags a run in the copy
    target = demo_store.story.anne_prediction_runs[-1]
    artifact_task = demo_store.story.artifact_task
    tag_code = _with(
        "from metaflow import Run\nrun = Run(P)\nrun.add_tag('copied')\n"
        "result = sorted(Run(P).user_tags)",
        P=target,
    )
    read_code = _with("from metaflow import Run\nresult = sorted(Run(P).user_tags)", P=target)
    # Then the copy has the tag and the cached store does not
    assert "copied" in mutable_demo_store.client_json("anne", tag_code)
    assert "copied" not in demo_store.client_json("anne", read_code)
    # And the copy's tasks point at the copy's datastore, not the original's
    ds_root = mutable_demo_store.client_json(
        "anne",
        _with(
            "from metaflow import Task\nresult = Task(P).metadata_dict['ds-root']", P=artifact_task
        ),
    )
    assert Path(ds_root) == mutable_demo_store.root / ".metaflow"


def test_run_flow_reports_a_failed_run_without_raising_when_unchecked(mutable_demo_store):
    from jupyter_mfns.demo import flow_file

    # When a flow run fails (PredictionFlow's score step breaks on request)
    result = run_flow(
        mutable_demo_store.root,
        flow_file("PredictionFlow"),
        user="will",
        args=("--break_scoring", "true"),
        check=False,
    )
    # Then the helper still names the run, and Metaflow records it as not successful
    assert not result.succeeded and result.flow == "PredictionFlow"
    state = client_json(
        mutable_demo_store.root,
        "will",
        _with("from metaflow import Run\nresult = Run(P).successful", P=result.pathspec),
    )
    assert state is False
