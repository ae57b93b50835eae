"""Differential tests on the service + S3 deployment: the Catalog answers what Metaflow's client
(configured for the service metadata provider and the S3 datastore) answers.

Given the story's runs (anne, will, a production token, shared, date and unicode tags, a failed
run resumed by another user), for every namespace kind and tag filters of 0, 1 and 2 tags,
compare runs (members and order), latest and latest successful runs, flows, run details, logs
and artifacts with Metaflow's own client in a subprocess.
"""

from __future__ import annotations

from oracle import MISMATCH, listing_questions, mismatches
from service_oracle import ask_service_metaflow

from jupyter_mfns.core import DEFAULT
from jupyter_mfns.core.errors import NamespaceMismatch

FLOWS = ("TalkFlow", "PredictionFlow")
D20, D22 = "2026-11-20", "2026-11-22"  # date tags of the story (conftest)


def _namespaces(story):
    return [
        ("user:anne", DEFAULT),
        ("user:will", "user:will"),
        (f"production:{story.production_token}", f"production:{story.production_token}"),
        ("xyz_features", "xyz_features"),
        (D20, D20),
        (None, None),
    ]


TAG_FILTERS = [
    [],
    ["crazy_test"],
    ["xyz_features"],
    ["ünïcode ✓"],
    ["runtime:dev"],
    ["crazy_test", D22],
    ["xyz_features", D20],
]


def test_runs_latest_and_flows_equal_metaflow(deployment, story, service_catalog):
    # Given the catalog over the service store and the same questions for Metaflow's client
    queries, ours = listing_questions(service_catalog, _namespaces(story), FLOWS, TAG_FILTERS)
    # When Metaflow answers them in service mode
    theirs = ask_service_metaflow(deployment, queries)
    # Then every answer is the same, and the comparison is not vacuous
    assert not (diff := mismatches(queries, ours, theirs)), diff[:5]
    assert sum(1 for o in ours if o and o != MISMATCH) > len(ours) // 3
    assert MISMATCH in ours


def test_every_runs_details_equal_metaflow(deployment, story, service_catalog):
    cat = service_catalog
    queries = [{"kind": "run", "pathspec": p, "namespace": None} for p in story.runs.values()]
    theirs = ask_service_metaflow(deployment, queries)
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
    # the resumed run points at anne's failed run; a plain run at nothing (not "Flow/None")
    assert cat.run(story["resumed"], None)["origin_run"] == story["failed"]
    assert cat.run(story["failed"], None)["status"] == "failed"
    assert cat.run(story["talk"], None)["origin_run"] is None
    assert cat.run(story["talk"], None)["status"] == "succeeded"


def test_logs_and_artifacts_equal_metaflow(deployment, story, service_catalog):
    cat = service_catalog
    task = story.talk_task
    theirs = ask_service_metaflow(
        deployment,
        [
            {"kind": "loglines", "pathspec": task, "stream": "stdout", "namespace": None},
            {"kind": "loglines", "pathspec": task, "stream": "stderr", "namespace": None},
            {"kind": "artifacts", "pathspec": task, "namespace": None},
        ],
    )
    for stream, mf in zip(("stdout", "stderr"), theirs[:2]):
        ours = cat.logs(task, stream, namespace=None)
        assert [[ln["ts"], ln["text"]] for ln in ours["lines"]] == mf
        tail = cat.logs(task, stream, namespace=None, tail=10)
        assert [[ln["ts"], ln["text"]] for ln in tail["lines"]] == mf[-10:]
    assert len(theirs[0]) >= 3000  # the long log really is long
    # Metaflow's Task iterates public artifacts only, as our default listing does
    arts = cat.artifacts(task, namespace=None)["artifacts"]
    assert sorted([a["name"], a["sha"]] for a in arts) == theirs[2]
    frame = next(a for a in arts if a["name"] == "frame")
    assert frame["type"] == "pandas.DataFrame" and frame["size"] > 0
    private = cat.artifacts(task, namespace=None, include_private=True)["artifacts"]
    assert {"_success", "_task_ok"} <= {a["name"] for a in private}


def test_namespace_mismatch_names_the_owner(story, service_catalog):
    # Given anne's default namespace, when she opens will's run, then she is told whose it is
    try:
        service_catalog.run(story["will_talk"])
    except NamespaceMismatch as exc:
        assert exc.extra["namespaces"] == ["user:will"]
    else:
        raise AssertionError("expected a namespace mismatch")
    # and the production run is in the production namespace, not in user:anne
    prod = service_catalog.run(story["production"], f"production:{story.production_token}")
    assert prod["user"] == "anne"
    assert f"production:{story.production_token}" in prod["system_tags"]
