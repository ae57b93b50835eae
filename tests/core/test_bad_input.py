"""Bad input gets a clear error naming the problem, and loses nothing."""

from __future__ import annotations

import json
import shutil
import threading

import pytest

from jupyter_mfns.core.errors import (
    InvalidArgument,
    InvalidPathspec,
    NamespaceMismatch,
    NotFound,
)


@pytest.mark.parametrize(
    "pathspec",
    [
        "",
        "/",
        "TinyFlow/",
        "../etc/passwd",
        "/etc/passwd",
        "TinyFlow/..",
        "Tiny\\Flow",
        "TinyFlow/1\x00",
        "TinyFlow/%2e%2e",
        "A/B/C/D/E/F",
        "9Flow",
        "TinyFlow/1/st ep",
        42,
        None,
    ],
)
def test_malformed_pathspecs_are_invalid(catalog, pathspec):
    with pytest.raises(InvalidPathspec) as err:
        catalog.get_object(pathspec)
    assert "pathspec" in str(err.value).lower()


@pytest.mark.parametrize("suffix", ["", "/999", "/start", "/start/999", "/nostep"])
def test_unknown_objects_are_not_found(catalog, tiny_store, suffix):
    flow, run_id = tiny_store.anne_runs[0].split("/")
    target = {
        "": "NoSuchFlow",
        "/999": f"{flow}/999",
        "/start": f"{flow}/999/start",
        "/start/999": f"{flow}/{run_id}/start/999",
        "/nostep": f"{flow}/{run_id}/nostep",
    }[suffix]
    with pytest.raises(NotFound) as err:
        catalog.get_object(target, namespace=None)
    assert "does not exist" in str(err.value)


def test_another_namespaces_run_names_its_owner(catalog, tiny_store):
    will_run = tiny_store.will_runs[0]
    for target in (will_run, will_run + "/start", will_run + "/start/1"):
        with pytest.raises(NamespaceMismatch) as err:
            catalog.get_object(target)  # default namespace: user:anne
        assert err.value.extra["namespaces"] == ["user:will"]
        assert "user:will" in str(err.value)
    # a flow with no run in the namespace also says who owns runs of it
    with pytest.raises(NamespaceMismatch) as err:
        catalog.get_object("TinyFlow", namespace="user:nobody")
    assert set(err.value.extra["namespaces"]) == {"user:anne", "user:will"}


@pytest.mark.parametrize(
    "kwargs", [{"limit": 0}, {"limit": 5000}, {"limit": "5"}, {"cursor": "garbage!"}]
)
def test_bad_paging_arguments(catalog, kwargs):
    with pytest.raises(InvalidArgument):
        catalog.runs("TinyFlow", **kwargs)


def test_bad_log_arguments(catalog, tiny_store):
    task = tiny_store.anne_runs[0] + "/start/1"
    with pytest.raises(InvalidArgument):
        catalog.logs(task, stream="stdin")
    with pytest.raises(InvalidArgument):
        catalog.logs(task, tail=-1)


def test_half_written_run_is_skipped_and_reported(tiny_store, tmp_path, monkeypatch):
    # Given a copy of the store with one run whose metadata is truncated mid-write
    monkeypatch.setenv("METAFLOW_USER", "anne")
    root = tmp_path / "store"
    shutil.copytree(tiny_store.root / ".metaflow", root / ".metaflow", symlinks=True)
    flow, run_id = tiny_store.anne_runs[0].split("/")
    broken = root / ".metaflow" / flow / "1" / "_meta"
    broken.mkdir(parents=True)
    text = json.dumps(
        {
            "run_number": "1",
            "flow_id": flow,
            "tags": [],
            "system_tags": ["user:anne"],
            "ts_epoch": 1,
        }
    )
    (broken / "_self.json").write_text(text[: len(text) // 2])
    (root / ".metaflow" / flow / "2").mkdir()  # a run folder whose metadata is not written yet
    from jupyter_mfns.core import Catalog
    from jupyter_mfns.core.store import LocalStore

    cat = Catalog(LocalStore(root), cache_dir=tmp_path / "cache")
    try:
        # When listing runs
        page = cat.runs(flow)
        # Then the other runs are all there, the broken one is reported, not fatal
        assert [r["pathspec"] for r in page["runs"]] == tiny_store.anne_runs
        assert [p["pathspec"] for p in cat.problems()] == [f"{flow}/1"]
        with pytest.raises(NotFound) as err:
            cat.get_object(f"{flow}/1")
        assert "cannot be read" in str(err.value)
    finally:
        cat.close()


def test_concurrent_callers_never_see_each_others_namespace(catalog, tiny_store):
    # Given two threads asking in different namespaces at the same time, many times
    flow = tiny_store.anne_runs[0].split("/")[0]
    wrong = []

    def ask(ns, expected):
        for _ in range(30):
            page = catalog.runs(flow, namespace=ns)
            got = [r["pathspec"] for r in page["runs"]]
            if page["namespace"] != ns or got != expected:
                wrong.append((ns, got))

    threads = [
        threading.Thread(target=ask, args=("user:anne", tiny_store.anne_runs)),
        threading.Thread(target=ask, args=("user:will", tiny_store.will_runs)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Then every answer belongs to the namespace it asked for
    assert wrong == []
