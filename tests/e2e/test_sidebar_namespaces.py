"""The namespace dropdown and "Go to pathspec": what Metaflow's namespaces mean, in the sidebar
(and in the run tabs it opens)."""

from __future__ import annotations

import pytest
from e2e_lab import go_to, main_tab, open_lab, row_pathspecs, screenshot, widen_sidebar
from oracle import ask_metaflow, q_latest, q_runs
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def latest_link(panel, flow: str):
    return panel.locator(f'.jp-mfns-flow[data-flow="{flow}"] .jp-mfns-flow-latest button')


def test_switching_to_will_shows_wills_latest_prediction_run(page, lab, e2e_store):
    """Given anne's default namespace, when she picks user:will, then PredictionFlow's latest
    run is will's (as Metaflow's client says), not hers, and the runs table lists his runs."""
    anne_latest, will_latest, will_runs = ask_metaflow(
        e2e_store.root,
        [
            q_latest("PredictionFlow", "user:anne"),
            q_latest("PredictionFlow", "user:will"),
            q_runs("PredictionFlow", "user:will"),
        ],
    )
    assert anne_latest != will_latest
    panel = open_lab(page, lab)
    expect(panel.locator("#jp-mfns-namespace")).to_have_value("user:anne")
    expect(latest_link(panel, "PredictionFlow")).to_have_text(anne_latest.split("/")[1])

    panel.locator("#jp-mfns-namespace").select_option("user:will")

    expect(latest_link(panel, "PredictionFlow")).to_have_text(will_latest.split("/")[1])
    panel.locator('.jp-mfns-flow[data-flow="PredictionFlow"] .jp-mfns-flow-open').click()
    expect(panel.locator(".jp-mfns-runs-scroller .jp-mfns-runrow").first).to_have_attribute(
        "data-pathspec", will_latest
    )
    assert row_pathspecs(panel) == will_runs
    users = panel.locator(".jp-mfns-runrow[data-pathspec] .jp-mfns-col-user").all_inner_texts()
    assert set(users) == {"will"}
    widen_sidebar(page, 760)
    screenshot(page, "namespace-will-runs")


def test_going_to_another_users_run_names_its_namespace_and_switches_on_click(page, lab, e2e_store):
    """Given anne's namespace, when she goes to will's run, then a dialog says it belongs to
    user:will, and one click switches there and opens the run in a tab."""
    run = e2e_store.story.will_prediction_runs[0]
    panel = open_lab(page, lab)
    expect(panel.locator("#jp-mfns-namespace")).to_have_value("user:anne")

    go_to(panel, run)

    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text(f"{run} is not in user:anne")
    expect(dialog).to_contain_text("It belongs to user:will")
    expect(main_tab(page, "run", run)).to_have_count(0)
    screenshot(page, "goto-other-namespace")

    dialog.get_by_role("button", name="Switch to user:will").click()

    expect(panel.locator("#jp-mfns-namespace")).to_have_value("user:will")
    expect(main_tab(page, "run", run).locator(".jp-mfns-detail-title")).to_have_text(run)
    expect(page.locator(".jp-Dialog")).to_have_count(0)


def test_global_namespace_warns_that_latest_means_little(page, lab):
    """Given the dropdown, when anne picks Global, then a warning says "latest" means little."""
    panel = open_lab(page, lab)
    expect(panel.locator(".jp-mfns-warning")).to_have_count(0)

    panel.locator("#jp-mfns-namespace").select_option("")

    expect(panel.locator(".jp-mfns-warning")).to_contain_text("“latest run” means little")
    expect(panel.locator(".jp-mfns-flow-latest").first).to_contain_text("newest (anyone)")


def test_a_resumed_run_names_the_namespace_of_its_origin_and_opens_it(page, lab, e2e_store):
    """Given will's run resumed from anne's failed run, when will's namespace shows it, then
    the run's tab says it was resumed from a run in user:anne, and one click opens that run
    there."""
    story = e2e_store.story
    panel = open_lab(page, lab)
    panel.locator("#jp-mfns-namespace").select_option("user:will")
    go_to(panel, story.resumed_run)

    origin = main_tab(page, "run", story.resumed_run).locator(".jp-mfns-origin")
    expect(origin).to_contain_text(story.resumed_from)
    expect(origin).to_contain_text("in another namespace: user:anne")
    screenshot(page, "resumed-from-other-namespace")

    origin.get_by_role("button", name="Open in user:anne").click()

    expect(panel.locator("#jp-mfns-namespace")).to_have_value("user:anne")
    tab = main_tab(page, "run", story.resumed_from)
    expect(tab.locator(".jp-mfns-detail-title")).to_have_text(story.resumed_from)
    expect(tab.locator(".jp-mfns-status-text")).to_have_text("failed")
