"""What a new user hit, fixed and checked in the browser: the namespace-mismatch box at every
sidebar width (by element geometry), chips that fit whole or are counted (with tooltips), Enter
in the tag filter taking the highlighted suggestion, a failed step marked without expanding it,
the removal of a tag undone from its toast (Metaflow's client agrees)."""

from __future__ import annotations

import re

import pytest
from e2e_lab import (
    PANEL,
    go_to,
    main_tab,
    no_text_outside,
    open_lab,
    open_link,
    screenshot,
    text_outside_box,
    widen_sidebar,
)
from oracle import ask_metaflow, q_runs
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def open_flow(panel, flow: str) -> None:
    panel.locator(f'.jp-mfns-flow[data-flow="{flow}"] .jp-mfns-flow-open').click()
    expect(panel.locator(".jp-mfns-runs")).to_be_visible()


def sidebar_width(page, width: int) -> None:
    """Drag the sidebar to `width` px and wait until the panel has it."""
    bar = page.locator("#jp-left-stack").bounding_box()
    widen_sidebar(page, round(bar["x"] + width))
    page.wait_for_function(
        "([sel, w]) => Math.abs(document.querySelector(sel).offsetWidth - w) <= 3",
        arg=[PANEL, width],
    )


def test_the_mismatch_box_keeps_its_text_inside_at_every_width(page, lab, e2e_store):
    """Given ShowcaseFlow's runs open in anne's namespace, when she switches to will's, then
    the box saying where the flow lives keeps every text node inside it and every button
    label inside its button, at 250, 300 and 500 px."""
    panel = open_lab(page, lab)
    open_flow(panel, "ShowcaseFlow")
    panel.locator("#jp-mfns-namespace").select_option("user:will")
    box = panel.locator(".jp-mfns-problem")
    expect(box).to_contain_text("belongs to user:anne")
    switch = box.get_by_role("button", name="Switch to user:anne")
    for width in (250, 300, 500):
        sidebar_width(page, width)
        assert text_outside_box(page, f"{PANEL} .jp-mfns-problem") == [], width
        label = switch.evaluate(
            "b => { const r = document.createRange(); r.selectNodeContents(b);"
            " const t = r.getBoundingClientRect(), o = b.getBoundingClientRect();"
            " return t.left >= o.left && t.right <= o.right && t.top >= o.top"
            " && t.bottom <= o.bottom; }"
        )
        assert label, width
        if width == 250:
            screenshot(page, "mismatch-box-250")
    # and its action works: back in anne's namespace, the runs list
    switch.click()
    expect(panel.locator("#jp-mfns-namespace")).to_have_value("user:anne")
    expect(panel.locator(".jp-mfns-runrow[data-pathspec]").first).to_be_visible()


def test_run_chips_fit_whole_or_are_counted_with_tooltips(page, lab, e2e_store):
    """In a 250 px sidebar, each run's chips are whole on their line or left out and counted
    in a "+N" chip whose tooltip names exactly those; each chip's tooltip names its tag."""
    panel = open_lab(page, lab)
    sidebar_width(page, 250)
    panel.locator("#jp-mfns-namespace").select_option("")
    open_flow(panel, "PredictionFlow")
    rows = panel.locator(".jp-mfns-runrow[data-pathspec]")
    expect(rows.first).to_be_visible()
    report = rows.evaluate_all(
        """rows => rows.map(row => {
            const line = row.querySelector('.jp-mfns-fitted-line');
            const box = line.getBoundingClientRect();
            const chips = [...line.querySelectorAll(':scope > .jp-mfns-chip')];
            const shown = [], hidden = [], cut = [], untitled = [];
            for (const chip of chips) {
                const r = chip.getBoundingClientRect();
                const inside = r.left >= box.left - 0.5 && r.right <= box.right + 0.5
                    && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
                const outside = r.top >= box.bottom - 0.5;
                (inside ? shown : outside ? hidden : cut).push(chip.dataset.tag);
                if (!chip.title.includes(chip.dataset.tag)) untitled.push(chip.dataset.tag);
            }
            const more = row.querySelector('.jp-mfns-chip-more');
            return {shown, hidden, cut, untitled, more: more ? more.title : null,
                    count: more ? more.textContent : null};
        })"""
    )
    assert any(r["hidden"] for r in report), "at 250 px some chips must be left out"
    for r in report:
        assert r["cut"] == [] and r["untitled"] == [], r
        assert r["shown"], r
        if r["hidden"]:
            assert r["count"] == f"+{len(r['hidden'])}", r
            assert r["more"] == "Also: " + ", ".join(r["hidden"]), r
        else:
            assert r["more"] is None, r
    assert no_text_outside(page, PANEL) == []
    screenshot(page, "run-chips-250")


def test_enter_in_the_tag_filter_takes_the_highlighted_suggestion(page, lab, e2e_store):
    """Typing part of a tag highlights the best match and Enter filters by it, not by the
    partial text; ArrowDown moves the highlight and Enter takes that one."""
    story = e2e_store.story
    panel = open_lab(page, lab)
    open_flow(panel, "PredictionFlow")
    box = panel.get_by_role("combobox", name="Filter runs by tag")
    box.fill("craz")
    first = panel.locator(".jp-mfns-suggestion").first
    expect(first).to_have_class(re.compile("jp-mod-active"))
    assert first.locator(".jp-mfns-suggestion-tag").inner_text() == "crazy_test"
    box.press("Enter")

    filter_chips = panel.locator(".jp-mfns-tagfilter .jp-mfns-chip")
    expect(filter_chips).to_have_count(1)
    expect(filter_chips.first).to_have_attribute("data-tag", "crazy_test")
    (theirs,) = ask_metaflow(
        e2e_store.root, [q_runs("PredictionFlow", "user:anne", ["crazy_test"])]
    )
    rows = panel.locator(".jp-mfns-runrow[data-pathspec]")
    expect(rows).to_have_count(len(theirs))
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.pathspec)") == theirs

    # ArrowDown highlights the next suggestion; Enter takes it
    filter_chips.first.get_by_role("button", name="Remove tag crazy_test").click()
    expect(filter_chips).to_have_count(0)
    box.fill("2026")
    suggestions = panel.locator(".jp-mfns-suggestion .jp-mfns-suggestion-tag")
    expect(suggestions.first).to_be_visible()
    second = suggestions.nth(1).inner_text()
    box.press("ArrowDown")
    expect(panel.locator(".jp-mfns-suggestion").nth(1)).to_have_class(re.compile("jp-mod-active"))
    box.press("Enter")
    expect(filter_chips.first).to_have_attribute("data-tag", second)
    assert story.date_tags and second in story.date_tags


def test_a_failed_step_is_marked_without_expanding_it(page, lab, e2e_store):
    run = e2e_store.story.failed_run
    (steps,) = ask_metaflow(e2e_store.root, [{"kind": "steps", "pathspec": run, "namespace": None}])
    failed = {step for step, tasks in steps for _, ended, ok in tasks if ended and not ok}
    open_lab(page, lab)
    open_link(page, lab, run)
    tab = main_tab(page, "run", run)
    tab.get_by_role("tab", name="Steps").click()  # the list (the graph comes first)
    items = tab.locator(".jp-mfns-step")
    expect(items).to_have_count(len(steps))
    marked = set(
        tab.locator(".jp-mfns-step.jp-mfns-step-failed .jp-mfns-step-name").all_inner_texts()
    )
    assert marked == failed and len(failed) == 1
    (name,) = failed
    step = tab.locator(".jp-mfns-step", has=page.locator(".jp-mfns-step-name", has_text=name))
    expect(step.locator(".jp-mfns-step-failmark")).to_have_text("failed")
    expect(step.locator(".jp-mfns-step-head")).to_have_attribute("aria-expanded", "false")
    expect(step.locator(".jp-mfns-task")).to_have_count(0)  # nothing was expanded
    screenshot(page, "run-failed-step")


def test_removing_a_tag_can_be_undone_from_its_toast(page, lab, e2e_store):
    """Given one of anne's runs tagged crazy_test, when she removes the tag, a toast offers
    Undo; clicking it puts the tag back, and Metaflow's client sees it back."""
    story = e2e_store.story
    run = next(
        r.pathspec
        for r in story.runs
        if r.namespace == "user:anne" and "crazy_test" in r.tags and "note: best so far" in r.tags
    )

    def metaflow_tags() -> list:
        (answer,) = ask_metaflow(
            e2e_store.root, [{"kind": "run", "pathspec": run, "namespace": None}]
        )
        return answer["tags"]

    before = metaflow_tags()
    assert "crazy_test" in before
    panel = open_lab(page, lab)
    go_to(panel, run)
    editor = main_tab(page, "run", run).locator(".jp-mfns-tageditor")
    editor.get_by_role("button", name="Remove tag crazy_test").click()
    expect(editor.locator('.jp-mfns-chip[data-tag="crazy_test"]')).to_have_count(0)
    assert "crazy_test" not in metaflow_tags()
    toast = page.locator(".Toastify__toast", has_text='Removed tag "crazy_test"')
    expect(toast).to_be_visible()
    screenshot(page, "tag-removed-undo")

    toast.get_by_role("button", name="Undo").click()

    expect(editor.locator('.jp-mfns-chip[data-tag="crazy_test"]')).to_have_count(1)
    assert metaflow_tags() == before
