"""At 10,000 runs, `where` and `sort` by parameters equal Metaflow-then-Python.

The store's copies of PredictionFlow carry their own `alpha` and `models` values (new blobs,
`jupyter_mfns/demo/scale_params.py`). Metaflow's client reads every run's parameters in a
subprocess (`Run['_parameters'].task[name].data`, names from `_graph_info`); Python filters
and sorts them with the rule of `core/results/where.py`; the Catalog's pages (followed by their
cursors) must hold exactly those runs in that order.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import pytest

from harness.demo_stores import client_json
from jupyter_mfns.core import Catalog
from jupyter_mfns.core.results.where import parse_conditions, parse_sort, sort_key
from jupyter_mfns.core.store import LocalStore

FLOW = "PredictionFlow"
NAMESPACE = "user:anne"
QUERIES: List[Tuple[List[str], Optional[str], List[str]]] = [
    (["alpha>=0.5"], None, []),
    (["alpha>=0.5"], "-param:alpha", []),
    (["alpha<0.1", 'models=="linear"'], "param:alpha", []),
    (["alpha==0.25"], None, ["validated"]),
    ([], "param:models", ["team:ranking", "validated"]),
    (['models!="mean"', "break_scoring==false"], "-param:alpha", []),
    (["alpha>0.98"], "created_at", []),
]

_CLIENT = """
from metaflow import Flow, namespace
from jupyter_mfns.core.safepickle import to_json
namespace(%r)
result = []
for run in Flow(%r):
    params = run["_parameters"].task
    names = [p["name"] for p in params["_graph_info"].data["parameters"]]
    result.append([run.id, int(round(run.created_at.timestamp() * 1000)), sorted(run.tags),
                   {n: to_json(params[n].data) for n in names}])
"""


@pytest.fixture(scope="module")
def metaflow_runs(store_10k) -> List[Tuple[str, int, List[str], Dict[str, Any]]]:
    """Every PredictionFlow run of anne's namespace with its parameters, by Metaflow."""
    return client_json(store_10k.root, "anne", _CLIENT % (NAMESPACE, FLOW), timeout=1800)


@pytest.fixture(scope="module")
def catalog(store_10k, tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("METAFLOW_USER", "anne")
    cat = Catalog(LocalStore(store_10k.root), cache_dir=tmp_path_factory.mktemp("index"))
    yield cat
    cat.close()
    mp.undo()


def _metaflow_then_python(runs, where: List[str], sort: Optional[str], tags: List[str]):
    conds, order = parse_conditions(where), parse_sort(sort)
    picked = [
        (run_id, created, values)
        for run_id, created, run_tags, values in runs
        if set(tags) <= set(run_tags)
        and all(c.name in values and c.matches(values[c.name]) for c in conds)
    ]
    picked.sort(key=lambda r: (r[1], r[0]), reverse=True)  # Metaflow's order: newest first
    if order.param is not None:
        name = order.param
        picked.sort(key=lambda r: sort_key(r[2].get(name), name in r[2], order.descending))
    elif not order.descending:
        picked.reverse()
    return [f"{FLOW}/{r[0]}" for r in picked]


def test_filters_select_subsets_of_varied_values(metaflow_runs) -> None:
    alphas = {values["alpha"] for _, _, _, values in metaflow_runs if "alpha" in values}
    assert len(metaflow_runs) > 1000 and len(alphas) > 50  # copies do carry their own values


def test_where_and_sort_equal_metaflow_then_python(catalog, metaflow_runs) -> None:
    for where, sort, tags in QUERIES:
        expected = _metaflow_then_python(metaflow_runs, where, sort, tags)
        got: List[str] = []
        cursor = None
        while True:
            page = catalog.runs(
                FLOW, NAMESPACE, tags, limit=500, cursor=cursor, where=where, sort=sort
            )
            got += [r["pathspec"] for r in page["runs"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert 0 < len(expected) < len(metaflow_runs), (where, sort, tags)
        assert got == expected, (where, sort, tags)
        assert page["total"] == len(expected)
