"""A new store's first runs() answers from one listing while the index is built, and that
answer is the one the index gives afterwards."""

from __future__ import annotations

import itertools
import threading

import pytest

from jupyter_mfns.core import Catalog
from jupyter_mfns.core.errors import NamespaceMismatch
from jupyter_mfns.core.store import LocalStore


@pytest.fixture
def cold(demo_store, tmp_path, monkeypatch):
    monkeypatch.setenv("METAFLOW_USER", "anne")
    cat = Catalog(LocalStore(demo_store.root), cache_dir=tmp_path / "cache")
    yield demo_store, cat
    cat.close()


def _pages(query):
    """Every page of a query, following cursors; or the mismatch it raises."""
    try:
        out, cursor = [], None
        while True:
            page = query(cursor)
            out.append(page)
            cursor = page["next_cursor"]
            if cursor is None:
                return out
    except NamespaceMismatch as err:
        return ("mismatch", sorted(err.extra["namespaces"]))


def test_listing_answers_equal_indexed_answers(cold):
    # Given the demo store, a catalog that has not built its index yet
    store, cat = cold
    story = store.story
    namespaces = [
        "user:anne",
        "user:will",
        f"production:{story.production_token}",
        "xyz_features",
        None,
    ]
    filters = [[], ["crazy_test"], [story.date_tags[0]], ["crazy_test", story.date_tags[-1]]]
    flows = sorted({r.flow for r in story.runs})
    combos = list(itertools.product(flows, namespaces, filters))
    # When every query is answered from a listing, then again from the index
    from_listing = [
        _pages(lambda c, f=f, n=n, t=t: cat.listing.runs_from_listing(f, n, list(t), 2, _after(c)))
        for f, n, t in combos
    ]
    cat.refresh()
    from_index = [
        _pages(lambda c, f=f, n=n, t=t: cat.runs(f, n, t, limit=2, cursor=c)) for f, n, t in combos
    ]
    # Then both give the same pages (runs with status, totals, cursors) or the same mismatch
    assert from_listing == from_index
    assert sum(1 for p in from_index if p and p[0] != "mismatch") > len(combos) // 3


def _after(cursor):
    from jupyter_mfns.core.index import decode_cursor

    return decode_cursor(cursor) if cursor else None


def test_first_query_does_not_wait_for_the_index_build(demo_store, tmp_path, monkeypatch):
    # Given a server-style catalog whose first index build is stuck (a huge store, say)
    monkeypatch.setenv("METAFLOW_USER", "anne")
    cat = Catalog(LocalStore(demo_store.root), cache_dir=tmp_path / "cache")
    release = threading.Event()
    apply = cat.index.apply

    def slow_apply(flow, scan):
        release.wait(30)
        return apply(flow, scan)

    monkeypatch.setattr(cat.index, "apply", slow_apply)
    cat.start_background_refresh()
    try:
        # When runs are asked for before the build finished
        page = cat.runs("PredictionFlow", "user:will")
        # Then they are answered at once, and are Will's runs newest first
        assert not release.is_set() and cat.index.known_flows() == []
        assert [r["pathspec"] for r in page["runs"]] == demo_store.story.will_prediction_runs
        assert all(r["status"] == "succeeded" for r in page["runs"])
    finally:
        release.set()
        cat.close()
