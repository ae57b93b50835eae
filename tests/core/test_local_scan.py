"""Listing a local flow folder (`store/local_scan.py`): records made of shared values, and
removed runs found without keeping every listed run id."""

from __future__ import annotations

import shutil
from pathlib import Path

from jupyter_mfns.core.store import LocalStore
from jupyter_mfns.core.store.local_scan import SharedValues


def test_a_scan_shares_equal_tag_tuples_and_keeps_every_value(tiny_store):
    store = LocalStore(tiny_store.root)
    scan = store.scan_runs("TinyFlow", {})
    by_id = {r.run_id: r for r in scan.upserts}
    ids = [p.split("/")[1] for p in tiny_store.anne_runs + tiny_store.will_runs]
    assert sorted(by_id) == sorted(ids)
    for run_id in ids:  # the same record a direct read gives
        assert by_id[run_id] == store.read_run("TinyFlow", run_id)
    newer_anne, _, will = (by_id[i] for i in ids)
    assert newer_anne.tags == will.tags == ("a",)
    assert newer_anne.tags is will.tags  # one tuple for both runs
    shared_strings = {id(t) for r in scan.upserts for t in r.tags if t == "a"}
    assert len(shared_strings) == 1


def test_removed_runs_are_those_known_and_not_listed(tiny_store, tmp_path: Path):
    root = tmp_path / "store"
    shutil.copytree(tiny_store.root, root)
    store = LocalStore(root)
    first = store.scan_runs("TinyFlow", {})
    known = dict(first.tokens)
    gone, broken, kept = (p.split("/")[1] for p in tiny_store.anne_runs + tiny_store.will_runs)
    shutil.rmtree(root / ".metaflow" / "TinyFlow" / gone)
    (root / ".metaflow" / "TinyFlow" / broken / "_meta" / "_self.json").write_text("{")
    known["404"] = "1:2:3"  # indexed once, never in this folder
    scan = store.scan_runs("TinyFlow", known)
    assert sorted(scan.removed) == sorted([gone, broken, "404"])
    assert list(scan.broken) == [broken]
    assert scan.upserts == []  # the unchanged run is not re-read
    assert scan.tokens == {kept: known[kept]}


def test_shared_values_past_the_cap_are_kept_as_read():
    shared = SharedValues(cap=2)
    first = shared.texts(("x", "y"))  # "x", "y" and the tuple: the cap is reached
    assert shared.texts(tuple(["x", "y"])) is first
    late = tuple(["z"])
    assert shared.texts(late) is late
    assert shared.text(None) is None
