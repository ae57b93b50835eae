"""The runs explorer's parameter filter: `alpha>=0.5` typed in its box shows exactly the runs
Metaflow's client finds by reading every run's parameters (and in its order); a bad expression
is one sentence from the server, and Clear brings every run back."""

from __future__ import annotations

import pytest
from e2e_lab import open_lab, screenshot
from explorer_page import open_explorer, rendered_pathspecs, wait_until
from playwright.sync_api import expect

FLOW = "PredictionFlow"

pytestmark = pytest.mark.e2e


def metaflow_where(store, code_condition: str) -> list:
    """PredictionFlow runs (global namespace, newest first) whose parameters satisfy the
    condition, by Metaflow's client: each run's `_parameters` task read, then Python."""
    return store.client_json(
        "anne",
        "from metaflow import Flow, namespace\nnamespace(None)\n"
        "def alpha(r):\n"
        "    try:\n"
        "        return r['_parameters'].task['alpha'].data\n"
        "    except Exception:\n"
        "        return None\n"
        f"result = [r.pathspec for r in Flow({FLOW!r}) "
        f"if isinstance(alpha(r), (int, float)) and {code_condition}]",
    )


def test_a_parameter_filter_shows_the_runs_metaflow_finds(page, lab, e2e_store):
    every = e2e_store.client_json(
        "anne",
        f"from metaflow import Flow, namespace\nnamespace(None)\n"
        f"result = [r.pathspec for r in Flow({FLOW!r})]",
    )
    theirs = metaflow_where(e2e_store, "alpha(r) >= 0.5")
    assert theirs and len(theirs) < len(every)  # the demo's alphas vary: a real filter

    open_lab(page, lab)
    tab = open_explorer(page, FLOW, namespace="")
    box = tab.get_by_role("textbox", name="Parameter filter")
    box.fill("alpha>=0.5")
    box.press("Enter")
    wait_until(lambda: rendered_pathspecs(tab) == theirs, 20, "the filtered runs")
    expect(tab.locator(".jp-mfns-xp-summary")).to_contain_text("matching the parameters")
    screenshot(page, "explorer-where-filter")

    # a bad expression: the server's one sentence, no rows, nothing lost
    box.fill("alpha>>0.5")
    box.press("Enter")
    expect(tab.locator(".jp-mfns-problem")).to_contain_text("alpha>>0.5")
    tab.locator(".jp-mfns-where").get_by_role("button", name="Clear").click()
    wait_until(lambda: rendered_pathspecs(tab) == every, 20, "every run again")
