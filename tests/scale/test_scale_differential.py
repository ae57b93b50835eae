"""At 10,000 runs the Catalog answers exactly what Metaflow's client answers.

Given a store of 10k runs multiplied from the real demo runs (users, production tokens, user
tags, date tags; succeeded, failed and resumed runs), a Catalog with an empty index, and
Metaflow's client in a subprocess over the same store, compare: filtered listings (members and
order) in user, production, tag, date-tag and global namespaces; the top of unfiltered listings
and their sizes; latest and latest successful runs; flows per namespace; run counts of every
namespace; and every run's status, finish time, resume origin and tags for one filtered listing.
"""

from __future__ import annotations

import re
from typing import Any, List, Optional, Tuple

import pytest
from oracle import ask_metaflow, q_flows, q_latest, q_runs

from harness.demo_stores import client_json
from jupyter_mfns.core import DEFAULT, Catalog
from jupyter_mfns.core.errors import NamespaceMismatch, NoRun
from jupyter_mfns.core.store import LocalStore

TOP = 200  # unfiltered listings: compare the first TOP runs and the size
FILTERS: List[List[str]] = [["team:ranking", "validated"], ["model:gbm"]]


@pytest.fixture(scope="module")
def catalog(store_10k, tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("METAFLOW_USER", "anne")
    mp.delenv("METAFLOW_PRODUCTION_TOKEN", raising=False)
    cat = Catalog(LocalStore(store_10k.root), cache_dir=tmp_path_factory.mktemp("index"))
    yield cat
    cat.close()
    mp.undo()


def _namespaces(cat: Catalog) -> List[Tuple[Optional[str], Any]]:
    """(Metaflow's namespace, ours): default user, another user, production, a tag, a date."""
    names = {n["namespace"]: n["runs"] for n in cat.namespaces()["namespaces"]}
    dates = sorted((n, t) for t, n in names.items() if re.fullmatch(r"\d{4}-\d\d-\d\d", t))
    busiest_day = dates[-1][1]
    return [
        ("user:anne", DEFAULT),
        ("user:will", "user:will"),
        ("production:demo-prod-1", "production:demo-prod-1"),
        ("crazy_test", "crazy_test"),
        (busiest_day, busiest_day),
        (None, None),
    ]


def _ours(query):
    try:
        return query()
    except NamespaceMismatch:
        return "MetaflowNamespaceMismatch"
    except NoRun:
        return None


def _members(cat, flow, ns, tags):
    return [r["pathspec"] for r in cat.iter_runs(flow, ns, tags)]


def _top(cat, flow, ns):
    page = cat.runs(flow, ns, limit=TOP)
    return [r["pathspec"] for r in page["runs"]], page["total"]


def test_listings_latest_runs_and_flows_equal_metaflow(store_10k, catalog):
    # Given the 10k-run store, in six kinds of namespace
    namespaces = _namespaces(catalog)
    queries, ours, kinds = [], [], []
    for mf_ns, our_ns in namespaces:
        for flow in ("PredictionFlow", "FeatureFlow"):
            # filtered listings in a namespace: every member, in order
            if mf_ns is not None:
                for tags in FILTERS:
                    queries.append(q_runs(flow, mf_ns, tags))
                    ours.append(_ours(lambda f=flow, n=our_ns, t=tags: _members(catalog, f, n, t)))
                    kinds.append("all")
            # the whole listing: its newest runs and its size
            queries.append(q_runs(flow, mf_ns))
            ours.append(_ours(lambda f=flow, n=our_ns: _top(catalog, f, n)))
            kinds.append("top")
            for successful in (False, True):
                queries.append(q_latest(flow, mf_ns, successful))
                ours.append(
                    _ours(
                        lambda f=flow, n=our_ns, s=successful: catalog.latest_run(
                            f, n, successful=s
                        )["pathspec"]
                    )
                )
                kinds.append("latest")
        queries.append(q_flows(mf_ns))
        ours.append([f["flow"] for f in catalog.flows(our_ns)["flows"]])
        kinds.append("flows")

    # When Metaflow's client answers the same questions over the same store
    theirs = ask_metaflow(store_10k.root, queries)

    # Then every answer is the same
    mismatches = []
    for q, kind, o, t in zip(queries, kinds, ours, theirs):
        t = t.get("error") if isinstance(t, dict) else t
        if kind == "top" and isinstance(t, list):
            t = (t[:TOP], len(t))
        if o != t:
            mismatches.append((q, str(o)[:200], str(t)[:200]))
    assert not mismatches, mismatches[:3]
    # and the comparison is not vacuous: long listings, several namespaces, a mismatch case
    sizes = [len(o) for o, k in zip(ours, kinds) if k == "all" and isinstance(o, list)]
    assert max(sizes) > 300 and sum(1 for s in sizes if s > 0) >= 6
    tops = [o[1] for o, k in zip(ours, kinds) if k == "top" and isinstance(o, tuple)]
    assert max(tops) > 5_000  # the global PredictionFlow listing


def test_namespace_counts_equal_metaflow(store_10k, catalog):
    # Given the run counts of every namespace (every tag, user and system)
    ours = {n["namespace"]: n["runs"] for n in catalog.namespaces()["namespaces"]}
    # When Metaflow's client counts every run's tags in the global namespace
    theirs = client_json(
        store_10k.root,
        "anne",
        "from collections import Counter\n"
        "from metaflow import Metaflow, namespace\n"
        "namespace(None)\n"
        "counts = Counter()\n"
        "for flow in Metaflow():\n"
        "    for run in flow.runs():\n"
        "        counts.update(run.tags)\n"
        "result = dict(counts)\n",
    )
    # Then both count the same runs for each of the hundreds of namespaces
    assert ours == theirs
    assert len(ours) > 500
    # every run is in exactly one user: or production: namespace
    assert sum(n for t, n in ours.items() if t.startswith(("user:", "production:"))) == 10_000


def test_every_runs_status_finish_origin_and_tags_equal_metaflow(store_10k, catalog):
    # Given a filtered listing of several hundred runs with their status
    flow, ns, tags = store_10k.query_flow, store_10k.query_namespace, store_10k.query_tags
    ours = list(catalog.iter_runs(flow, ns, tags))
    # When Metaflow's client lists the same runs with each run's details
    (theirs,) = ask_metaflow(store_10k.root, [q_runs(flow, ns, tags, details=True)])
    # Then the runs, and each run's details, are the same
    assert [r["pathspec"] for r in ours] == [r["pathspec"] for r in theirs]
    for o, t in zip(ours, theirs):
        assert o["tags"] == t["tags"] and o["system_tags"] == t["system_tags"], o["pathspec"]
        assert o["created_at"] == t["created_at"], o["pathspec"]
        assert (o["status"] == "succeeded") == t["successful"], o["pathspec"]
        assert o["finished_at"] == t["finished_at"], o["pathspec"]
        assert o["origin_run"] == t["origin_run"], o["pathspec"]
    # among them failed runs, and runs resumed from another run
    assert len(ours) > 300
    assert any(r["status"] == "failed" for r in ours)
    assert any(r["origin_run"] for r in ours)
