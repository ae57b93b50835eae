"""Comparing runs (`Catalog.compare`), differential against Metaflow's client on real runs.

ParamsFlow's story (every parameter kind, a failure and its resume, a poisoned parameter blob)
and CompareFlow's runs (tests/compare_story.py: a foreach reordered, a DataFrame rescaled and
widened, another user's run); the oracle is the client's `DataArtifact.sha` of every artifact
of every task (tests/compare_checks.py).
"""

from __future__ import annotations

import pytest
from compare_checks import ask_compare_oracle, ask_story_oracle, check_compare, check_comparison

from jupyter_mfns.core import Catalog
from jupyter_mfns.core.errors import InvalidArgument, InvalidPathspec, NamespaceMismatch, NotFound
from jupyter_mfns.core.store import LocalStore


@pytest.fixture
def params_cat(params_store, tmp_path, monkeypatch):
    monkeypatch.setenv("METAFLOW_USER", "anne")
    catalog = params_store.catalog(tmp_path)
    yield catalog
    catalog.close()


@pytest.fixture
def cat(compare_store, tmp_path, monkeypatch):
    monkeypatch.setenv("METAFLOW_USER", "anne")
    catalog = Catalog(LocalStore(compare_store.root), cache_dir=tmp_path / "cache")
    yield catalog
    catalog.close()


@pytest.fixture(scope="module")
def compare_oracle(compare_store):
    runs = {pathspec: [] for pathspec in compare_store.runs.values()}
    return ask_compare_oracle(compare_store.env(), compare_store.root, runs)


def _rows(answer):
    return {f"{a['step']}.{a['name']}": a for a in answer["artifacts"]}


def test_params_story_comparisons_equal_metaflows_client(params_cat, params_store):
    # Given every run of the story, and Metaflow's client's shas of all their artifacts
    oracle = ask_story_oracle(params_store.env(), params_store.root, params_store.story)
    # Then each comparison (pairs, three, all five; a resume against its origin) agrees
    check_compare(params_cat, params_store.story, oracle)


def test_a_reordered_foreach_is_unchanged_where_its_outputs_are(cat, compare_store, compare_oracle):
    # Given the same items fanned out in another order
    runs = [compare_store["base"], compare_store["reordered"]]
    answer = check_comparison(cat, runs, compare_oracle)
    rows = _rows(answer)
    # Then the foreach step's outputs are the same multiset of values: unchanged
    assert not rows["square.value"]["differs"] and not rows["square.squared"]["differs"]
    assert rows["square.value"]["values"][0]["tasks"] == 3
    assert rows["square.value"]["values"][0]["task"] is None  # three tasks: no one task
    # while what kept their order (the join's list, the table's rows) changed
    assert rows["join.squares"]["differs"] and rows["start.table"]["differs"]
    assert not rows["join.total"]["differs"]
    # and the parameter that made the difference is the one row of parameters that differs
    assert [p["name"] for p in answer["parameters"] if p["differs"]] == ["items"]
    # a many-task step's rows have no load cell (no one value per run)
    assert rows["square.value"]["code"] is None
    square = next(s for s in answer["steps"] if s["name"] == "square")
    assert square["tasks"] == [3, 3] and square["status"] == ["succeeded"] * 2
    # the step differs only by what its tasks inherited from `start` (in its order)
    inherited = {a["name"] for a in answer["artifacts"] if a["step"] == "square" and a["differs"]}
    assert square["differs"] and inherited == {"values", "table"}


def test_a_rescaled_run_differs_in_its_values_and_offers_the_load_cell(
    cat, compare_store, compare_oracle
):
    runs = [compare_store["base"], compare_store["rescaled"]]
    answer = check_comparison(cat, runs, compare_oracle)
    rows = _rows(answer)
    assert rows["square.squared"]["differs"] and rows["start.table"]["differs"]
    table = rows["start.table"]
    assert table["values"][0]["type"] == "pandas.DataFrame"
    # the cell loads each run's own task's table in this namespace, then compares them
    tasks = [c["task"] for c in table["values"]]
    code = table["code"]
    for task in tasks:
        assert f'load_artifact("{task}/table", namespace=None)' in code
    assert code.splitlines()[0] == "from jupyter_mfns import compare_values, load_artifact"
    assert code.splitlines()[-1].startswith("compare_values(table_")
    # small plain values ride along, decoded safely, as in `GET artifacts`
    assert rows["start.label"]["values"][0]["value"] == "scale 2"
    assert rows["start.label"]["values"][1]["value"] == "scale 3"


def test_runs_of_two_users_compare_in_the_global_namespace(cat, compare_store, compare_oracle):
    runs = [compare_store["base"], compare_store["wills"], compare_store["widened"]]
    answer = check_comparison(cat, runs, compare_oracle)
    user = next(r for r in answer["summary"] if r["name"] == "user")
    assert user["values"] == ["anne", "will", "anne"] and user["differs"]
    # anne's namespace holds one of them only: 409, naming will's
    with pytest.raises(NamespaceMismatch) as mismatch:
        cat.compare(runs, "user:anne")
    assert mismatch.value.extra["pathspec"] == compare_store["wills"]
    assert mismatch.value.extra["namespaces"] == ["user:will"]


@pytest.mark.parametrize(
    "runs, error, says",
    [
        (["CompareFlow/1"], InvalidArgument, "Compare 2 to 8 runs, not 1"),
        ([f"CompareFlow/{i}" for i in range(9)], InvalidArgument, "not 9"),
        (["{base}", "{base}"], InvalidArgument, "named twice"),
        (["{base}", "CompareFlow"], InvalidPathspec, "run pathspec"),
        (["{base}", "{base}/start"], InvalidPathspec, "run pathspec"),
        (["{base}", "../x/1"], InvalidPathspec, ""),
        (["{base}", "CompareFlow/999999"], NotFound, "does not exist"),
    ],
)
def test_bad_comparisons_are_refused_in_words(cat, compare_store, runs, error, says):
    asked = [r.format(base=compare_store["base"]) for r in runs]
    with pytest.raises(error) as refused:
        cat.compare(asked, None)
    assert says in str(refused.value)
