"""Tag mutation through the metadata service: atomic, Metaflow's rules, visible to everyone.

Every test works on the story's "mutable" run (anne's TalkFlow run tagged `mutable`).
"""

from __future__ import annotations

import time

import pytest
from service_oracle import ask_service_metaflow

from jupyter_mfns.core import Catalog
from jupyter_mfns.core.errors import InvalidTag, SystemTag


def test_add_and_remove_round_trip_keeps_time_and_user(deployment, story, service_catalog):
    cat = service_catalog
    run = story["mutable"]
    before = cat.run(run)
    latest_before = cat.latest_run("TalkFlow")["pathspec"]
    # When anne replaces crazy_test with two new tags (one with spaces and unicode)
    result = cat.mutate_tags(run, add=["reviewed ✓", "keep: me"], remove=["crazy_test"])
    # Then the service stored exactly that, as Metaflow's client sees it
    assert result["tags"] == sorted(["mutable", "reviewed ✓", "keep: me"])
    [mf] = ask_service_metaflow(deployment, [{"kind": "run", "pathspec": run, "namespace": None}])
    assert mf["tags"] == result["tags"]
    assert mf["system_tags"] == before["system_tags"]
    # and the run kept its creation time and user: it did not become anyone's latest run
    after = cat.run(run)
    assert after["created_at"] == before["created_at"] == mf["created_at"]
    assert after["user"] == before["user"] == "anne"
    assert cat.latest_run("TalkFlow")["pathspec"] == latest_before
    # When she undoes it, the original tags are back
    undone = cat.mutate_tags(run, add=["crazy_test"], remove=["reviewed ✓", "keep: me"])
    assert undone["tags"] == before["tags"]


def test_system_tags_stay_immutable(story, service_catalog):
    run = story["mutable"]
    before = service_catalog.run(run)
    with pytest.raises(SystemTag):
        service_catalog.mutate_tags(run, remove=["user:anne"])
    with pytest.raises(InvalidTag):
        service_catalog.mutate_tags(run, add=["x" * 501])
    # adding a system tag as a user tag is a no-op, as in Metaflow
    same = service_catalog.mutate_tags(run, add=["runtime:dev"])
    assert same["tags"] == before["tags"]
    assert service_catalog.run(run)["tags"] == before["tags"]


def test_a_tag_added_by_one_user_is_seen_by_another(deployment, story, tmp_path, monkeypatch):
    # Given two users with their own catalogs (own index) over one service, refreshing in the
    # background every half second
    monkeypatch.delenv("METAFLOW_PRODUCTION_TOKEN", raising=False)
    interval = 0.5
    anne = Catalog(deployment.store(), cache_dir=tmp_path / "anne", refresh_interval=interval)
    will = Catalog(
        deployment.store(),
        cache_dir=tmp_path / "will",
        refresh_interval=interval,
        background_refresh=True,
    )
    try:
        run = story["mutable"]
        assert will.runs("TalkFlow", None, ["handed-to-will"])["runs"] == []
        # When anne tags her run
        anne.mutate_tags(run, add=["handed-to-will"], namespace=None)
        tagged_at = time.monotonic()
        # Then will's catalog lists it under that tag within the refresh interval (+ a scan)
        while True:
            found = [r["pathspec"] for r in will.runs("TalkFlow", None, ["handed-to-will"])["runs"]]
            if found:
                break
            assert time.monotonic() - tagged_at < interval + 5, "will never saw the tag"
            time.sleep(0.05)
        assert found == [run]
        assert time.monotonic() - tagged_at < interval + 5
        # and can use it as a namespace
        assert will.runs("TalkFlow", "handed-to-will")["runs"][0]["pathspec"] == run
    finally:
        anne.mutate_tags(story["mutable"], remove=["handed-to-will"], namespace=None)
        anne.close()
        will.close()
