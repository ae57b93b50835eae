"""The ipywidgets browser driven through its widgets' values, as a frontend would set them.

Runs in the test process (ipywidgets without a kernel keeps state in Python); the browser has
its own Catalog over the store and binds loads into a dict standing for the kernel's variables.
"""

from __future__ import annotations

from typing import Any, Dict

import pytest

from jupyter_mfns.core import Catalog
from jupyter_mfns.core.store import LocalStore
from jupyter_mfns.kernel.session import KernelSession
from jupyter_mfns.kernel.widget import GLOBAL, Browser


@pytest.fixture(scope="module")
def session(store, tmp_path_factory) -> KernelSession:
    cache = tmp_path_factory.mktemp("widget-cache")
    return KernelSession(catalog=Catalog(LocalStore(store.root), cache_dir=cache))


@pytest.fixture
def user_ns() -> Dict[str, Any]:
    return {}


@pytest.fixture
def browser(session, user_ns) -> Browser:
    b = Browser(namespace="user:anne", flow="PredictionFlow", session=session, user_ns=user_ns)
    yield b
    b.close()


def pick(select, needle: str) -> str:
    """Choose the option whose value contains `needle`."""
    value = next(v for _, v in select.options if needle in v)
    select.value = value
    return value


def test_opens_on_the_namespace_and_flow_with_runs_newest_first(browser, store):
    # Given a browser opened on anne's namespace and PredictionFlow
    # Then it lists her runs in Metaflow's order, and offers the other namespaces
    assert browser.namespace == "user:anne"
    assert [v for _, v in browser.runs_select.options] == store.story.anne_prediction_runs
    values = [v for _, v in browser.namespace_select.options]
    assert {"user:anne", "user:will", "production:demo-prod-1", "xyz_features"} <= set(values)
    assert values[-1] == GLOBAL
    assert "runtime:dev" not in values  # system tags stay out of the dropdown


def test_switching_namespace_lists_that_namespaces_runs(browser, store):
    # When the user picks will's namespace, then the production one
    browser.namespace_select.value = "user:will"
    will = [v for _, v in browser.runs_select.options]
    browser.namespace_select.value = "production:demo-prod-1"
    prod = [v for _, v in browser.runs_select.options]
    # Then the runs table follows, and the flow stays PredictionFlow
    assert browser.flow == "PredictionFlow"
    assert will == store.story.will_prediction_runs
    assert prod == [store.story.production_run]


def test_the_global_namespace_warns_that_latest_means_little(browser, store):
    browser.namespace_select.value = GLOBAL
    assert browser.namespace is None
    assert "Global namespace" in browser.note.value
    assert len(browser.runs_select.options) == len(store.story.runs_where("PredictionFlow"))


def test_tags_as_a_namespace_and_the_tag_filter(browser, store):
    # Given the namespace "xyz_features" (a tag shared by anne and will)
    browser.namespace_select.value = "xyz_features"
    assert browser.flow == "FeatureFlow"
    assert [v for _, v in browser.runs_select.options] == store.story.xyz_features_runs
    # When the tag filter adds a date
    date = store.story.date_tags[0]
    assert date in browser.tag_filter.allowed_tags
    browser.tag_filter.value = [date]
    # Then only runs carrying both remain
    expected = store.story.runs_where("FeatureFlow", "xyz_features", (date,))
    assert [v for _, v in browser.runs_select.options] == expected
    assert len(expected) < len(store.story.xyz_features_runs)


def test_run_to_task_to_stdout(browser, store):
    # Given the showcase run
    browser.namespace_select.value = "user:anne"
    browser.flow_select.value = "ShowcaseFlow"
    browser.runs_select.value = store.story.showcase_run
    # When the chatty task is chosen
    pick(browser.tasks_select, "/talk/")
    # Then its stdout tail shows, and stderr on request
    assert "line 3000 of 3000" in browser.log_view.value
    assert "earlier" not in browser.log_view.value or "last 200 lines" in browser.log_view.value
    browser.stream_toggle.value = "stderr"
    assert "warning 25" in browser.log_view.value
    steps = [v.split("/")[2] for _, v in browser.tasks_select.options]
    assert steps == ["start", "make_artifacts", "talk", "end"]


def test_load_button_binds_a_dataframe_to_the_chosen_name(browser, store, user_ns):
    # Given the artifact task in the browser
    browser.flow_select.value = "ShowcaseFlow"
    browser.runs_select.value = store.story.showcase_run
    browser.tasks_select.value = store.story.artifact_task
    rows = {row.artifact["name"]: row for row in browser.artifact_rows}
    assert set(store.story.artifacts.values()) <= set(rows)
    # When the user renames the variable and clicks Load on the list-of-dicts artifact
    row = rows[store.story.artifacts["list_of_dicts"]]
    row.name_input.value = "recs"
    row.load_button.click()
    # Then `recs` is a DataFrame, and the status shows the code that reproduces it
    recs = user_ns["recs"]
    assert type(recs).__name__ == "DataFrame" and recs.shape == (200, 3)
    assert list(recs.columns) == ["customer_id", "score", "label"]
    assert "recs = load_artifact(" in browser.status.value
    assert "user:anne" in browser.status.value


def test_an_unloadable_artifact_reports_in_the_status_line(browser, store, user_ns):
    browser.flow_select.value = "ShowcaseFlow"
    browser.runs_select.value = store.story.showcase_run
    browser.tasks_select.value = store.story.artifact_task
    name = store.story.artifacts["unloadable"]
    row = next(r for r in browser.artifact_rows if r.artifact["name"] == name)
    row.load_button.click()
    assert "Cannot load" in browser.status.value and "mfns-error" in browser.status.value
    assert name not in user_ns
    row.name_input.value = "not a name"
    row.load_button.click()
    assert "not a valid Python variable name" in browser.status.value


def test_slow_loads_show_progress_in_the_status_line(browser, store, monkeypatch):
    import jupyter_mfns.kernel.progress as progress

    seen = []
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.0)
    browser.flow_select.value = "ShowcaseFlow"
    browser.runs_select.value = store.story.showcase_run
    browser.tasks_select.value = store.story.artifact_task
    browser.status.observe(lambda change: seen.append(change["new"]), "value")
    row = next(
        r
        for r in browser.artifact_rows
        if r.artifact["name"] == store.story.artifacts["large_dataframe"]
    )
    row.load_button.click()
    assert seen[0].startswith("Loading ") and "MB" in seen[0]
    assert seen[-1].startswith("Loaded: ")


def test_linked_browser_and_kernel_namespace_follow_each_other(session, user_ns):
    import metaflow
    import metaflow.client.core as client

    saved = client.current_namespace
    try:
        metaflow.namespace("user:anne")
        # Given a browser linked to the kernel
        b = Browser(namespace=None, session=session, user_ns=user_ns, link=True)
        # Then linking adopted the kernel's namespace
        assert b.namespace == "user:anne"
        # When the browser switches, Metaflow's namespace follows
        b.namespace_select.value = "user:will"
        assert metaflow.get_namespace() == "user:will"
        # When the kernel switches (the magic, the sidebar), the browser follows
        session.set_namespace("production:demo-prod-1")
        assert b.namespace == "production:demo-prod-1"
        # When unlinked, they go their own ways
        b.link_box.value = False
        session.set_namespace("user:anne")
        assert b.namespace == "production:demo-prod-1"
        b.namespace_select.value = "user:will"
        assert metaflow.get_namespace() == "user:anne"
        b.close()
    finally:
        client.current_namespace = saved
