"""Tag mutation through the Catalog: Metaflow's rules, and none of its local-provider defects."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from oracle import ask_metaflow, q_runs

from jupyter_mfns.core.errors import InvalidTag, NamespaceMismatch, SystemTag
from jupyter_mfns.demo.runner import metaflow_env


def test_add_remove_replace_round_trip(catalog, tiny_store):
    # Given anne's newest run
    run = tiny_store.anne_runs[0]
    odd = ["with space", "colon:inside", "ünïcødé ✓", "x" * 500]
    # When tags are added, then one is replaced, then all removed
    added = catalog.mutate_tags(run, add=odd)
    replaced = catalog.mutate_tags(run, add=["new"], remove=["with space"])
    cleared = catalog.mutate_tags(run, remove=odd + ["new"])
    # Then every step shows exactly the expected user tags, system tags untouched
    assert set(odd) <= set(added["tags"])
    assert "with space" not in replaced["tags"] and "new" in replaced["tags"]
    assert set(cleared["tags"]) == {"a"}
    assert "user:anne" in cleared["system_tags"]
    # And Metaflow's client reads the same tags from disk
    (mf,) = ask_metaflow(tiny_store.root, [{"kind": "run", "pathspec": run, "namespace": None}])
    assert mf["tags"] == cleared["tags"]


def test_removing_a_system_tag_is_refused_and_changes_nothing(catalog, tiny_store):
    run = tiny_store.anne_runs[0]
    before = catalog.run(run)
    with pytest.raises(SystemTag) as err:
        catalog.mutate_tags(run, add=["should-not-land"], remove=["user:anne"])
    assert "user:anne" in str(err.value)
    assert catalog.run(run)["tags"] == before["tags"]


def test_adding_an_existing_system_tag_is_a_no_op_like_metaflow(catalog, tiny_store):
    run = tiny_store.anne_runs[0]
    result = catalog.mutate_tags(run, add=["user:anne"])
    assert "user:anne" not in result["tags"] and "user:anne" in result["system_tags"]


@pytest.mark.parametrize(
    "tags, needle",
    [([""], "empty"), (["y" * 501], "501"), ([3], "strings"), ([f"t{i}" for i in range(60)], "50")],
)
def test_tags_breaking_the_rules_are_refused(catalog, tiny_store, tags, needle):
    run = tiny_store.anne_runs[0]
    before = catalog.run(run)["tags"]
    with pytest.raises(InvalidTag) as err:
        catalog.mutate_tags(run, add=tags)
    assert needle in str(err.value)
    assert catalog.run(run)["tags"] == before


def test_created_at_user_and_order_survive_a_tag_change(catalog, tiny_store):
    # Given the order of anne's runs as Metaflow's client sees it
    flow = tiny_store.anne_runs[0].split("/")[0]
    before = catalog.runs(flow, namespace=None)["runs"]
    oldest = tiny_store.anne_runs[-1]
    # When the oldest run is tagged (Metaflow's local provider would make it the latest)
    catalog.mutate_tags(oldest, add=["retagged"])
    catalog.mutate_tags(oldest, remove=["retagged"])
    after = catalog.runs(flow, namespace=None)["runs"]
    # Then created_at, user and order are unchanged, for us and for Metaflow's client
    key = [(r["pathspec"], r["created_at"], r["user"]) for r in before]
    assert [(r["pathspec"], r["created_at"], r["user"]) for r in after] == key
    (mf_order,) = ask_metaflow(tiny_store.root, [q_runs(flow, None)])
    assert mf_order == [r["pathspec"] for r in after]


def test_concurrent_writers_lose_no_tag(catalog, tiny_store):
    # Given one run and eight threads adding different tags at the same moment
    run = tiny_store.anne_runs[0]
    names = [f"concurrent-{i}" for i in range(8)]
    barrier = threading.Barrier(len(names))
    errors = []

    def add(tag):
        try:
            barrier.wait()
            catalog.mutate_tags(run, add=[tag])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(t,)) for t in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Then every tag landed
    assert not errors
    assert set(names) <= set(catalog.run(run)["tags"])
    catalog.mutate_tags(run, remove=names)


def test_tagging_another_namespaces_run_is_refused(catalog, tiny_store):
    will_run = tiny_store.will_runs[0]
    with pytest.raises(NamespaceMismatch) as err:
        catalog.mutate_tags(will_run, add=["nope"], namespace="user:anne")
    assert err.value.extra["namespaces"] == ["user:will"]


def test_tag_change_by_metaflow_cli_is_seen_after_refresh(catalog, tiny_store):
    # Given a run and a tag added by Metaflow's CLI in another process
    import subprocess
    import sys

    run = tiny_store.anne_runs[0]
    run_id = run.split("/")[1]
    catalog.runs(run.split("/")[0])  # warm the index
    env = metaflow_env(tiny_store.root, "anne")
    subprocess.run(
        [
            sys.executable,
            str(Path(__file__).parent / "flows" / "tiny_flow.py"),
            "tag",
            "add",
            "--run-id",
            run_id,
            "from-cli",
        ],
        env=env,
        cwd=tiny_store.root,
        check=True,
        capture_output=True,
    )
    try:
        # When the index refreshes
        catalog.refresh()
        # Then listings filtered by the new tag show the run, as Metaflow's client does
        page = catalog.runs(run.split("/")[0], namespace=None, tags=["from-cli"])
        (mf,) = ask_metaflow(tiny_store.root, [q_runs(run.split("/")[0], None, ["from-cli"])])
        assert [r["pathspec"] for r in page["runs"]] == mf == [run]
    finally:
        catalog.mutate_tags(run, remove=["from-cli"])
