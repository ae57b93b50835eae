"""The timeline of a run with a 1,000-task foreach (benchmarks/wide_run.py) stays usable: every
task is counted, the chart scrolls to the last task, and a click opens the task under it."""

from __future__ import annotations

import pytest
from e2e_lab import Lab, go_to, main_tab, open_lab, screenshot
from playwright.sync_api import expect

from benchmarks.wide_run import wide_run
from harness.demo_stores import client_json

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    run = wide_run(1000)
    server = Lab(run.root, tmp_path_factory.mktemp("wide-lab"), run.env("anne"))
    try:
        yield run, server
    finally:
        server.stop()


def test_a_thousand_task_timeline_scrolls_and_opens_tasks(page, wide):
    run, lab = wide
    last = client_json(
        run.root,
        "anne",
        "from metaflow import Run, namespace\nnamespace(None)\n"
        f"tasks = [t for s in Run({run.pathspec!r}) for t in s]\n"
        "tasks.sort(key=lambda t: (t.created_at, t.pathspec.split('/')[2], int(t.id)))\n"
        "result = [len(tasks), tasks[-1].pathspec]",
    )
    panel = open_lab(page, lab)
    panel.locator("#jp-mfns-namespace").select_option("user:anne")
    go_to(panel, run.pathspec)
    tab = main_tab(page, "run", run.pathspec)
    tab.get_by_role("tab", name="Timeline").click()
    expect(tab.locator(".jp-mfns-timeline-summary")).to_contain_text(f"{last[0]:,} tasks")
    scroller = tab.locator(".jp-mfns-timeline-scroll")
    # When anne scrolls to the end and points at the last row
    scroller.scroll_into_view_if_needed()
    scroller.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    box = scroller.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2)
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] - 6, steps=4)
    screenshot(page, "run-timeline-1000-tasks")
    # Then the row under the pointer is Metaflow's last task, and a click opens it
    expect(tab.locator(".jp-mfns-timeline-hover")).to_contain_text(last[1])
    screenshot(page, "run-timeline-1000-tasks")
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] - 6)
    expect(main_tab(page, "task", last[1])).to_be_visible()
