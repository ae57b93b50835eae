"""Requests per query on Netflix's metaflow-service, counted from the service's access log.

Given 1,200 runs in the service (it answers run listings 500 rows at a time: `_limit`,
`_cursor`, `X-Next-Cursor`), a refresh of the index costs one
listing per flow (3 pages here), never one request per run; a page of 50 runs costs only the
status details of runs not seen before, and nothing at all once they are cached.
"""

from __future__ import annotations

import threading
from typing import Iterator, Tuple

import pytest
from real_service import RealDeployment, load_synthetic_runs_sql, start_real_deployment

from jupyter_mfns.core import Catalog

FLOW = "ScaleFlow"
N_RUNS = 1200


@pytest.fixture(scope="module")
def scale(tmp_path_factory) -> Iterator[Tuple[RealDeployment, list]]:
    dep = start_real_deployment(tmp_path_factory.mktemp("scale"))
    try:
        ids = load_synthetic_runs_sql(dep, FLOW, N_RUNS, tags_every={"even": 2, "tenth": 10})
        yield dep, ids
    finally:
        dep.stop()


@pytest.fixture
def catalog(scale, tmp_path, monkeypatch) -> Iterator[Catalog]:
    dep, _ = scale
    monkeypatch.setenv("METAFLOW_USER", "anne")
    monkeypatch.delenv("METAFLOW_PRODUCTION_TOKEN", raising=False)
    # a long interval: these tests count requests, no refresh may happen behind their back
    cat = Catalog(dep.store(), cache_dir=tmp_path / "cache", refresh_interval=3600)
    yield cat
    cat.close()


def _run_routes(counts) -> int:
    """Requests about one run (or its steps, tasks, metadata, artifacts)."""
    return sum(n for route, n in counts.items() if "/runs/{" in route)


def test_refresh_is_one_paginated_listing_per_flow(scale, catalog):
    dep, ids = scale
    dep.reset_service_requests()
    catalog.refresh()
    counts = dep.service_requests()
    # the listing came in pages of at most 500 rows: 3 requests for 1,200 runs, plus /flows
    assert counts["GET /flows/{flow}/runs"] == 3
    assert counts["GET /flows"] == 1
    assert counts["total"] == 4
    assert catalog.store.api.paginates is True
    assert catalog.runs(FLOW, None, limit=1)["total"] == N_RUNS


#: service requests a run costs the first time it is on a page (none after it finished)
PER_RUN = 8


def test_a_page_costs_details_once_then_nothing(scale, catalog):
    dep, ids = scale
    catalog.refresh()
    dep.reset_service_requests()
    # When anne opens her first page of 50 (runs alternate anne/will: newest anne run is ids[-2])
    page = catalog.runs(FLOW, "user:anne", limit=50)
    first = dep.service_requests()
    assert [r["id"] for r in page["runs"]][:2] == [ids[-2], ids[-4]]
    assert all(r["status"] == "succeeded" and r["finished_at"] for r in page["runs"])
    # Then only the 50 runs on the page were looked at, a bounded number of requests each
    assert first["GET /flows/{flow}/runs"] == 0
    # (status and details: the run, its steps, end tasks and their metadata; its parameters:
    # the _parameters task and its artifacts)
    assert _run_routes(first) <= PER_RUN * 50
    looked_at = {route for route in first if route.startswith("GET /flows/{flow}/runs/{run}")}
    assert looked_at  # details were fetched from per-run routes...
    # ...and S3 for one shared _success blob and each run's parameter values (read once)
    assert catalog.store.stats()["s3_requests"] <= 2 + 50
    # When she opens the same page again (and a filtered one over the same runs)
    dep.reset_service_requests()
    again = catalog.runs(FLOW, "user:anne", limit=50)
    catalog.runs(FLOW, "user:anne", tags=["even"], limit=50)
    # Then the service sees no request at all: statuses of finished runs are cached for good
    assert again["runs"] == page["runs"]
    assert dep.service_requests()["total"] == 0


def test_page_cost_does_not_grow_with_the_number_of_runs(scale, catalog):
    dep, _ = scale
    catalog.refresh()
    pages = []
    cursor = None
    for _ in range(3):
        dep.reset_service_requests()
        page = catalog.runs(FLOW, None, limit=50, cursor=cursor)
        pages.append(_run_routes(dep.service_requests()))
        cursor = page["next_cursor"]
    # every page costs about the same (its own 50 runs), however deep in 1,200 runs it is
    assert max(pages) <= PER_RUN * 50
    assert max(pages) - min(pages) <= 10


def test_index_order_is_the_services_order(scale, catalog):
    dep, ids = scale
    catalog.refresh()
    # newest first, as the service (and Metaflow's client) order them
    rows = catalog.index.query_runs(FLOW, [], N_RUNS)
    assert [r[1] for r in rows] == list(reversed(ids))
    rows = catalog.index.query_runs(FLOW, ["tenth"], N_RUNS)
    assert [r[1] for r in rows] == [rid for i, rid in reversed(list(enumerate(ids))) if i % 10 == 0]


def test_unfinished_runs_on_a_page_never_starve_the_pool(scale):
    # Given a page of unfinished runs, more than the store has threads (each one's details
    # read its tasks concurrently too)
    dep, _ = scale
    ids = load_synthetic_runs_sql(dep, "UnfinishedFlow", 12, finished=False)
    store = dep.store(workers=2)
    result: dict = {}
    worker = threading.Thread(
        target=lambda: result.update(store.run_details_many("UnfinishedFlow", ids)), daemon=True
    )
    # When their details are asked for together
    worker.start()
    worker.join(timeout=60)
    store.close()
    # Then every one is answered (no deadlock), none as finished
    assert not worker.is_alive(), "run_details_many deadlocked"
    assert set(result) == set(ids)
    assert {d.status for d in result.values()} <= {"running", "unknown"}
    assert not any(d.final for d in result.values())
