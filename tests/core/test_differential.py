"""Differential tests: the Catalog answers exactly what Metaflow's client answers.

Given the demo store (anne, will, a production token, shared and date-like tags, a failed run,
a resumed run), for every namespace kind and tag filters of 0, 1 and 2 tags, compare runs
(members and order), latest runs, latest successful runs, flows, run details, logs and
artifacts with Metaflow's own client run in a subprocess over the same store.
"""

from __future__ import annotations

import pytest
from oracle import MISMATCH, ask_metaflow, listing_questions, mismatches

from jupyter_mfns.core import DEFAULT, Catalog
from jupyter_mfns.core.store import LocalStore


@pytest.fixture(scope="module")
def setup(demo_store, tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("METAFLOW_USER", "anne")
    mp.delenv("METAFLOW_PRODUCTION_TOKEN", raising=False)
    cat = Catalog(LocalStore(demo_store.root), cache_dir=tmp_path_factory.mktemp("idx"))
    yield demo_store, cat
    cat.close()
    mp.undo()


def _namespaces(story):
    # default (user:anne), another user, production, a tag, a date tag, global
    return [
        ("user:anne", DEFAULT),
        ("user:will", "user:will"),
        (f"production:{story.production_token}", f"production:{story.production_token}"),
        ("xyz_features", "xyz_features"),
        (story.date_tags[0], story.date_tags[0]),
        (None, None),
    ]


def _tag_filters(story):
    dates = story.date_tags
    single = [["crazy_test"], ["xyz_features"], [dates[0]], ["runtime:dev"]]
    pairs = [["crazy_test", dates[-1]], ["xyz_features", dates[0]], ["crazy_test", "runtime:dev"]]
    return [[]] + single + pairs


def test_runs_latest_and_flows_equal_metaflow(setup):
    store, cat = setup
    story = store.story
    flows = sorted({r.flow for r in story.runs})
    queries, ours = listing_questions(cat, _namespaces(story), flows, _tag_filters(story))
    theirs = ask_metaflow(store.root, queries)
    assert not (diff := mismatches(queries, ours, theirs)), diff[:5]
    # the comparison is not vacuous: several answers are non-empty and differ by namespace
    assert sum(1 for o in ours if o and o != MISMATCH) > len(ours) // 3
    assert MISMATCH in ours


def test_anne_and_will_have_different_latest_runs(setup):
    store, cat = setup
    anne = cat.latest_run("PredictionFlow")["pathspec"]
    will = cat.latest_run("PredictionFlow", "user:will")["pathspec"]
    assert anne == store.story.anne_prediction_runs[0]
    assert will == store.story.will_prediction_runs[0]
    assert anne != will


def test_every_runs_details_equal_metaflow(setup):
    store, cat = setup
    story = store.story
    queries = [{"kind": "run", "pathspec": r.pathspec, "namespace": None} for r in story.runs]
    theirs = ask_metaflow(store.root, queries)
    for q, mf in zip(queries, theirs):
        ours = cat.run(q["pathspec"], namespace=None)
        assert ours["tags"] == mf["tags"], q
        assert ours["system_tags"] == mf["system_tags"], q
        assert ours["created_at"] == mf["created_at"], q
        assert ours["finished_at"] == mf["finished_at"], q
        assert (ours["status"] == "succeeded") == mf["successful"], q
        assert ours["origin_run"] == mf["origin_run"], q
        if mf["finished"]:
            assert ours["status"] in ("succeeded", "failed")
    # the resumed run points at anne's failed run, a plain run at nothing (not "Flow/None")
    assert cat.run(story.resumed_run, None)["origin_run"] == story.resumed_from
    assert cat.run(story.failed_run, None)["status"] == "failed"
    assert cat.run(story.anne_prediction_runs[0], None)["origin_run"] is None


def test_logs_and_artifacts_equal_metaflow(setup):
    store, cat = setup
    story = store.story
    theirs = ask_metaflow(
        store.root,
        [
            {
                "kind": "loglines",
                "pathspec": story.long_stdout_task,
                "stream": "stdout",
                "namespace": None,
            },
            {
                "kind": "loglines",
                "pathspec": story.long_stdout_task,
                "stream": "stderr",
                "namespace": None,
            },
            {"kind": "artifacts", "pathspec": story.artifact_task, "namespace": None},
        ],
    )
    for stream, mf in zip(("stdout", "stderr"), theirs[:2]):
        ours = cat.logs(story.long_stdout_task, stream, namespace=None)
        assert [[ln["ts"], ln["text"]] for ln in ours["lines"]] == mf
        tail = cat.logs(story.long_stdout_task, stream, namespace=None, tail=10)
        assert [[ln["ts"], ln["text"]] for ln in tail["lines"]] == mf[-10:]
        assert tail["truncated"] == (len(mf) > 10)
    # Metaflow's Task iterates public artifacts only, as our default listing does
    arts = cat.artifacts(story.artifact_task, namespace=None)["artifacts"]
    assert sorted([a["name"], a["sha"]] for a in arts) == theirs[2]
    public = {a["name"]: a for a in arts}
    private = cat.artifacts(story.artifact_task, namespace=None, include_private=True)
    assert {"_success", "_task_ok"} <= {a["name"] for a in private["artifacts"]}
    df_name = story.artifacts["pandas_dataframe"]
    assert public[df_name]["type"] == "pandas.DataFrame" and public[df_name]["size"] > 0


def test_namespaces_and_counts(setup):
    store, cat = setup
    story = store.story
    answer = cat.namespaces()
    by_name = {n["namespace"]: n for n in answer["namespaces"]}
    assert answer["default"] == "user:anne"
    assert by_name["user:will"]["kind"] == "user"
    assert by_name[f"production:{story.production_token}"]["kind"] == "production"
    assert by_name["xyz_features"]["kind"] == "tag"
    assert by_name["runtime:dev"]["kind"] == "system"
    for name, entry in by_name.items():
        expected = [r for r in story.runs if name in r.tags or r.namespace == name]
        if entry["kind"] in ("user", "production", "tag"):
            assert entry["runs"] == len(expected), name
    # the order the dropdown needs: users first, then production, tags, other system tags
    kinds = [n["kind"] for n in answer["namespaces"]]
    assert kinds == sorted(kinds, key=["user", "production", "tag", "system"].index)


def test_steps_are_listed_in_execution_order_also_after_a_resume(setup):
    # Given a plain run and a run resumed from it (whose cloned steps carry clone times)
    store, cat = setup
    story = store.story
    plain = [s["name"] for s in cat.get_object(story.anne_prediction_runs[1], None)["children"]]
    resumed = [s["name"] for s in cat.get_object(story.resumed_run, None)["children"]]
    # Then both list the flow's steps in the order they ran
    assert plain == ["start", "train", "score", "end"]
    assert resumed == plain


def _metaflow_step_status(tasks) -> str:
    """A step's status as the rule says, from whether Metaflow's tasks ended (`_task_ok`
    exists: `Task.finished` is its value, False for a failed task) and succeeded."""
    if any(ended and not ok for _, ended, ok in tasks):
        return "failed"
    if any(not ended for _, ended, _ in tasks):
        return "running"
    return "succeeded"


def test_step_status_is_failed_where_metaflows_tasks_failed(setup):
    # Given the failed run, its resume, and runs that succeeded
    store, cat = setup
    story = store.story
    runs = [story.failed_run, story.resumed_run, story.anne_prediction_runs[0], story.showcase_run]
    answers = ask_metaflow(
        store.root, [{"kind": "steps", "pathspec": run, "namespace": None} for run in runs]
    )
    for run, theirs in zip(runs, answers):
        # When the run's steps are listed
        ours = {s["name"]: s["status"] for s in cat.get_object(run, None)["children"]}
        # Then each step is failed, running or succeeded as Metaflow's tasks say
        assert ours == {step: _metaflow_step_status(tasks) for step, tasks in theirs}, run
    failed = {s["name"]: s["status"] for s in cat.get_object(story.failed_run, None)["children"]}
    assert list(failed.values()).count("failed") == 1  # the failed run's one failed step
