"""Tag editing in a run's tab: user tags added and removed inline, persisted in Metaflow's store."""

from __future__ import annotations

import pytest
from e2e_lab import go_to, main_tab, open_lab, screenshot
from oracle import ask_metaflow
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

TAG = "reviewed: ✓ by anne"


def metaflow_run(store, pathspec):
    (run,) = ask_metaflow(store.root, [{"kind": "run", "pathspec": pathspec, "namespace": None}])
    return run


def test_adding_then_removing_a_tag_round_trips_and_survives_a_reload(page, lab, e2e_store):
    """Given one of anne's runs, when she adds a tag then removes it, then each change reaches
    Metaflow (its client sees it) and the panel shows the same after a page reload; the run's
    creation time and user never change."""
    run = e2e_store.story.anne_prediction_runs[1]
    before = metaflow_run(e2e_store, run)
    assert TAG not in before["tags"]
    panel = open_lab(page, lab)
    go_to(panel, run)
    editor = main_tab(page, "run", run).locator(".jp-mfns-tageditor")
    chip = editor.locator(f'.jp-mfns-chip[data-tag="{TAG}"]')

    box = editor.get_by_role("combobox", name="Add a tag to this run")
    box.fill(TAG)
    box.press("Enter")

    expect(chip).to_have_count(1)
    added = metaflow_run(e2e_store, run)
    assert added["tags"] == sorted(before["tags"] + [TAG])
    assert added["created_at"] == before["created_at"]
    assert added["system_tags"] == before["system_tags"]
    panel = open_lab(page, lab)  # a fresh page load
    go_to(panel, run)
    editor = main_tab(page, "run", run).locator(".jp-mfns-tageditor")
    expect(editor.locator(f'.jp-mfns-chip[data-tag="{TAG}"]')).to_have_count(1)
    expect(editor.locator(".jp-mfns-chip-system .jp-mfns-chip-remove")).to_have_count(0)
    screenshot(page, "run-tags-added")

    editor.get_by_role("button", name=f"Remove tag {TAG}").click()

    expect(editor.locator(f'.jp-mfns-chip[data-tag="{TAG}"]')).to_have_count(0)
    removed = metaflow_run(e2e_store, run)
    assert removed["tags"] == before["tags"]
    assert removed["created_at"] == before["created_at"]
    panel = open_lab(page, lab)
    go_to(panel, run)
    editor = main_tab(page, "run", run).locator(".jp-mfns-tageditor")
    expect(editor.locator(".jp-mfns-chip").first).to_be_visible()
    expect(editor.locator(f'.jp-mfns-chip[data-tag="{TAG}"]')).to_have_count(0)


def test_a_refused_tag_is_explained_in_words(page, lab, e2e_store):
    """Given a run, when anne adds a tag longer than Metaflow allows, then the server's reason
    is shown next to the tags and nothing changes."""
    run = e2e_store.story.anne_prediction_runs[2]
    before = metaflow_run(e2e_store, run)
    panel = open_lab(page, lab)
    go_to(panel, run)
    tab = main_tab(page, "run", run)
    box = tab.get_by_role("combobox", name="Add a tag to this run")

    box.fill("x" * 501)
    box.press("Enter")

    expect(tab.locator(".jp-mfns-tageditor [role=alert]")).to_contain_text("500")
    assert metaflow_run(e2e_store, run)["tags"] == before["tags"]
