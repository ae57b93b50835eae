"""The runs explorer: multi-select with the mouse and the keyboard, bulk tagging that Metaflow's
client sees on exactly the runs chosen (and its undo), columns kept across reloads, and how it
looks (light and dark, with a selection and the bulk-tag confirmation)."""

from __future__ import annotations

import json
import urllib.request

import pytest
from e2e_lab import choose_theme, main_tab, open_lab, screenshot, tab_button
from explorer_page import (
    GRID,
    click_row,
    explorer_row,
    explorer_rows,
    open_explorer,
    rendered_pathspecs,
    selected_pathspecs,
    wait_until,
)
from oracle import ask_metaflow
from playwright.sync_api import expect
from test_main_area_tabs import wait_saved

pytestmark = pytest.mark.e2e

FLOW = "PredictionFlow"


def saved_prefs(lab) -> dict:
    """The explorer's column choice as saved in the default workspace."""
    with urllib.request.urlopen(lab.url("lab/api/workspaces/default"), timeout=10) as answer:
        return json.load(answer)["data"].get("jupyter-mfns:explorer-columns", {})


def tagged_runs(store, tag: str) -> list:
    """Runs of every flow carrying `tag`, as Metaflow's client lists them (global namespace)."""
    flows, *_ = ask_metaflow(store.root, [{"kind": "flows", "namespace": None}])
    answers = ask_metaflow(
        store.root,
        [{"kind": "runs", "flow": f, "tags": [tag], "namespace": None} for f in flows],
    )
    return sorted(p for runs in answers for p in runs)


def test_bulk_tagging_three_runs_reaches_exactly_those_runs_and_undoes(page, lab, e2e_store):
    """Given every PredictionFlow run in the explorer (global namespace), when anne clicks one
    run, ctrl-clicks a second and shift-clicks a range onto a third, adds a tag to the three
    after one confirmation naming them, then Metaflow's client sees the tag on exactly those
    three runs; Undo takes it off all three again."""
    tag = "bulk-e2e ✓"
    assert tagged_runs(e2e_store, tag) == []
    open_lab(page, lab)
    tab = open_explorer(page, FLOW, namespace="")
    order = rendered_pathspecs(tab)
    assert len(order) >= 5, order
    chosen = [order[0], order[2], order[3]]

    click_row(tab, order[0])
    click_row(tab, order[2], ["ControlOrMeta"])
    click_row(tab, order[3], ["Shift"])
    assert selected_pathspecs(tab) == chosen
    expect(tab.locator(".jp-mfns-xp-selected")).to_have_text("3 runs selected")

    tab.get_by_role("button", name="Add tag…").click()
    box = tab.get_by_role("combobox", name="Tag to add to 3 selected runs")
    box.fill(tag)
    box.press("Enter")
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text(f"Add tag “{tag}” to 3 runs?")
    for pathspec in chosen:
        expect(dialog).to_contain_text(pathspec)
    expect(dialog).not_to_contain_text(order[1])
    screenshot(page, "explorer-bulk-confirm")
    dialog.get_by_role("button", name="Add tag").click()

    toast = page.locator(".Toastify__toast", has_text=f"Added “{tag}” to 3 runs.")
    expect(toast).to_be_visible(timeout=20_000)
    assert tagged_runs(e2e_store, tag) == sorted(chosen)
    for pathspec in chosen:
        expect(
            explorer_row(tab, pathspec).locator(f'.jp-mfns-chip[data-tag="{tag}"]')
        ).to_have_count(1)
    expect(explorer_row(tab, order[1]).locator(f'.jp-mfns-chip[data-tag="{tag}"]')).to_have_count(0)

    toast.get_by_role("button", name="Undo").click()

    expect(page.locator(".Toastify__toast", has_text="Undone: Removed")).to_be_visible(
        timeout=20_000
    )
    assert tagged_runs(e2e_store, tag) == []
    expect(tab.locator(f'.jp-mfns-chip[data-tag="{tag}"]')).to_have_count(0)


def test_the_keyboard_alone_selects_ranges_and_opens_a_run(page, lab, e2e_store):
    """Given the explorer focused with the keyboard, then arrows move, shift+arrows extend,
    ctrl+arrow moves without selecting, space toggles, ctrl+A selects every loaded run,
    Escape clears, and Enter opens the focused run in its tab."""
    open_lab(page, lab)
    tab = open_explorer(page, FLOW, namespace="")
    order = rendered_pathspecs(tab)
    grid = tab.locator(GRID)
    grid.focus()

    page.keyboard.press("Space")
    assert selected_pathspecs(tab) == order[:1]
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Shift+ArrowDown")
    assert selected_pathspecs(tab) == order[:3]
    page.keyboard.press("Shift+ArrowUp")
    assert selected_pathspecs(tab) == order[:2]
    page.keyboard.press("ControlOrMeta+ArrowDown")
    page.keyboard.press("ControlOrMeta+ArrowDown")
    assert selected_pathspecs(tab) == order[:2], "ctrl+arrow moves the focus only"
    page.keyboard.press("Space")
    assert selected_pathspecs(tab) == [order[0], order[1], order[3]]
    page.keyboard.press("ArrowDown")
    assert selected_pathspecs(tab) == [order[4]]
    page.keyboard.press("ControlOrMeta+a")
    assert selected_pathspecs(tab) == order
    expect(tab.locator(".jp-mfns-xp-selected")).to_have_text(f"{len(order)} runs selected")
    page.keyboard.press("Escape")
    assert selected_pathspecs(tab) == []

    page.keyboard.press("Home")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(main_tab(page, "run", order[1]).locator(".jp-mfns-detail-title")).to_have_text(order[1])


def test_column_choice_and_widths_survive_a_reload(page, lab, e2e_store):
    """Given the explorer, when anne hides the User column, shows the System tags and widens
    the Run column, then after a page reload the restored tab shows the same columns at the
    same width; the compare action says it wants 2 to 8 runs."""
    open_lab(page, lab)
    tab = open_explorer(page, FLOW, namespace="")
    compare = tab.get_by_role("button", name="Compare")
    expect(compare).to_be_disabled()
    expect(compare).to_have_attribute("title", "Select 2 to 8 runs to compare them.")

    tab.get_by_role("button", name="Columns ▾").click()
    tab.get_by_role("checkbox", name="User").uncheck()
    tab.get_by_role("checkbox", name="System tags").check()
    page.keyboard.press("Escape")
    head = tab.locator('.jp-mfns-xp-head[data-column="id"]')
    before = head.bounding_box()["width"]
    handle = head.locator(".jp-mfns-xp-resize").bounding_box()
    y = handle["y"] + handle["height"] / 2
    page.mouse.move(handle["x"] + handle["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(handle["x"] + 80, y, steps=5)
    page.mouse.up()
    widened = head.bounding_box()["width"]
    assert widened > before + 60, (before, widened)

    wait_saved(lab, [f"runs:{FLOW}"])
    wait_until(
        lambda: saved_prefs(lab).get("widths", {}).get("id", 0) > 130,
        30,
        "the column choice saved with the workspace",
    )
    page.goto(lab.url("lab"))  # the same workspace: the tab comes back
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=90_000)
    tab_button(page, "runs", FLOW).click()
    tab = main_tab(page, "runs", FLOW)
    expect(explorer_rows(tab).first).to_be_visible()
    heads = tab.locator(".jp-mfns-xp-head").evaluate_all("hs => hs.map(h => h.dataset.column)")
    assert "user" not in heads and "system_tags" in heads, heads
    width = tab.locator('.jp-mfns-xp-head[data-column="id"]').bounding_box()["width"]
    assert abs(width - widened) <= 1, (width, widened)
    first = explorer_rows(tab).first
    assert first.locator(".jp-mfns-xp-col-system_tags .jp-mfns-chip").count() > 0

    # back to the defaults for the other tests
    tab.get_by_role("button", name="Columns ▾").click()
    tab.get_by_role("checkbox", name="User").check()
    tab.get_by_role("checkbox", name="System tags").uncheck()
    tab.get_by_role("button", name="Reset column widths").click()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_explorer_with_a_selection_reads_well(page, lab, e2e_store, theme):
    """Given a selection of two runs in the explorer, in the light and dark themes, then no
    text spills out of its box and the selected rows stand out in the theme's colours."""
    open_lab(page, lab)
    if theme == "dark":
        choose_theme(page, "JupyterLab Dark")
        expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "false")
    try:
        tab = open_explorer(page, FLOW, namespace="")
        order = rendered_pathspecs(tab)
        click_row(tab, order[1])
        click_row(tab, order[2], ["Shift"])
        tab.get_by_role("button", name="Add tag…").click()
        assert selected_pathspecs(tab) == order[1:3]
        overflowing = tab.locator(
            ".jp-mfns-xp-row[data-pathspec], .jp-mfns-xp-actions"
        ).evaluate_all(
            """els => els.flatMap(root => [...root.querySelectorAll('*')].filter(el =>
                el.children.length === 0 && el.textContent.trim()
                && getComputedStyle(el).textOverflow !== 'ellipsis'
                && !el.closest('.jp-mfns-sr-only, .jp-mfns-xp-cell')
                && el.scrollWidth > el.clientWidth + 1).map(el => el.className))"""
        )
        assert overflowing == []
        backgrounds = [
            explorer_row(tab, p).evaluate("r => getComputedStyle(r).backgroundColor")
            for p in (order[0], order[1])
        ]
        assert backgrounds[0] != backgrounds[1], "selected rows stand out"
        screenshot(page, f"explorer-selection-{theme}")
    finally:
        if theme == "dark":
            choose_theme(page, "JupyterLab Light")
