"""Keyboard reach: the command palette opens the "Go to" box, arrow keys walk the runs table,
Enter opens the run in a main-area tab."""

from __future__ import annotations

import pytest
from e2e_lab import main_tab, open_lab, row_pathspecs
from oracle import ask_metaflow, q_runs
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_palette_then_keys_open_a_run_without_the_mouse(page, lab, e2e_store):
    """Given the panel, when anne runs "Go to Metaflow Pathspec" from the command palette, types
    a flow and walks the runs table with the arrow keys, then Enter opens the run she chose in
    a tab of the main area."""
    (runs,) = ask_metaflow(e2e_store.root, [q_runs("PredictionFlow", "user:anne")])
    panel = open_lab(page, lab)

    page.keyboard.press("Control+Shift+C")
    palette = page.locator(".lm-CommandPalette-input")
    palette.fill("Go to Metaflow Pathspec")
    page.keyboard.press("Enter")
    expect(panel.locator(".jp-mfns-goto-input")).to_be_focused()
    page.keyboard.type("PredictionFlow")
    page.keyboard.press("Enter")
    expect(panel.locator(".jp-mfns-runrow[data-pathspec]").first).to_be_visible()
    assert row_pathspecs(panel) == runs

    panel.locator(".jp-mfns-runs-scroller").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")

    tab = main_tab(page, "run", runs[1])
    expect(tab.locator(".jp-mfns-run .jp-mfns-detail-title")).to_have_text(runs[1])
    expect(tab).to_be_visible()


def test_the_palette_opens_a_task_in_a_tab(page, lab, e2e_store):
    """Given the command palette, when anne runs "Open Metaflow Task…" and types a task's
    pathspec, then the task opens in a main-area tab."""
    task = e2e_store.story.long_stdout_task
    open_lab(page, lab)

    page.keyboard.press("Control+Shift+C")
    page.locator(".lm-CommandPalette-input").fill("Open Metaflow Task")
    expect(page.locator(".lm-CommandPalette-item.lm-mod-active")).to_contain_text(
        "Open Metaflow Task…"
    )
    page.keyboard.press("Enter")
    dialog = page.locator(".jp-Dialog")
    dialog.locator("input").fill(task)
    page.keyboard.press("Enter")

    tab = main_tab(page, "task", task)
    expect(tab.locator(".jp-mfns-detail-title")).to_have_text(task)
    expect(tab).to_be_visible()
