"""What a run holds, in its tab: the failure banner, Parameters, the graph of a foreach flow,
the timeline of its tasks and inline artifact values, checked against Metaflow's client, with
screenshots in the light and dark themes."""

from __future__ import annotations

import pytest
from e2e_lab import choose_theme, go_to, main_tab, open_lab, screenshot
from playwright.sync_api import expect

from harness.demo_stores import client_json

pytestmark = pytest.mark.e2e


def metaflow(store, code: str):
    return client_json(store.root, "anne", "from metaflow import Run, Task, namespace\n"
                       "namespace(None)\n" + code)  # fmt: skip


def open_run(page, lab, pathspec: str, namespace: str = "user:anne"):
    panel = open_lab(page, lab)
    panel.locator("#jp-mfns-namespace").select_option(namespace)
    go_to(panel, pathspec)
    tab = main_tab(page, "run", pathspec)
    expect(tab.locator(".jp-mfns-detail-title")).to_have_text(pathspec)
    return tab


def test_a_failed_run_says_at_its_top_where_and_why_it_failed(page, lab, e2e_store):
    run = e2e_store.story.failed_run
    theirs = metaflow(
        e2e_store,
        f"t = [t for s in Run({run!r}) for t in s if t.finished_at and not t.successful][0]\n"
        "result = [t.pathspec, t.exception.type, t.exception.exception]",
    )
    tab = open_run(page, lab, run)
    banner = tab.locator(".jp-mfns-failure")
    # Then the banner names Metaflow's failed task and its exception, "Type: message"
    expect(banner).to_contain_text(f"Failed in step {theirs[0].split('/')[2]}")
    expect(banner.locator(".jp-mfns-failure-exception")).to_have_text(
        f"{theirs[1].removeprefix('builtins.')}: {theirs[2]}"
    )
    banner.get_by_role("button", name="Show traceback").click()
    expect(banner.locator(".jp-mfns-failure-traceback")).to_contain_text("Traceback")
    screenshot(page, "run-failed-banner")
    # When anne follows the link to the log, the task's stderr opens on its traceback
    banner.get_by_role("button", name="Open traceback in log").click()
    log = main_tab(page, "log", f"{theirs[0]} stderr")
    expect(log.locator(".jp-mfns-log")).to_contain_text(theirs[2])


def test_parameters_are_metaflows_values(page, lab, e2e_store):
    run = e2e_store.story.anne_prediction_runs[-1]
    theirs = metaflow(
        e2e_store,
        f"t = Run({run!r})['_parameters'].task\n"
        "result = {p['name']: t[p['name']].data for p in t['_graph_info'].data['parameters']}",
    )
    tab = open_run(page, lab, run)
    table = tab.get_by_role("table", name="parameters")
    for name, value in theirs.items():
        cell = table.locator(f'tr[data-parameter="{name}"] td').first
        shown = {True: "True", False: "False", None: "None"}.get(value, str(value))
        expect(cell).to_have_text(shown if not isinstance(value, bool) else shown)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_graph_and_timeline_of_a_foreach_run(page, lab, e2e_store, theme):
    run = e2e_store.story.anne_prediction_runs[0]
    steps = metaflow(
        e2e_store,
        f"g = Run({run!r})['_parameters'].task['_graph_info'].data['steps']\n"
        f"tasks = {{s.id: len(list(s)) for s in Run({run!r})}}\n"
        "result = [[n, v['type'], tasks.get(n, 0)] for n, v in g.items()]",
    )
    panel = open_lab(page, lab)
    if theme == "dark":
        choose_theme(page, "JupyterLab Dark")
        expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "false")
    try:
        panel.locator("#jp-mfns-namespace").select_option("user:anne")
        go_to(panel, run)
        tab = main_tab(page, "run", run)
        # the graph: one card per step of Metaflow's graph, with its task count
        nodes = tab.locator(".jp-mfns-dag-node")
        expect(nodes).to_have_count(len(steps))
        for name, _kind, count in steps:
            node = tab.locator(f'.jp-mfns-dag-node[data-step="{name}"]')
            expect(node).to_contain_text(f"{count} task{'s' if count != 1 else ''}")
        fanned = [n for n, k, _ in steps if k == "split-foreach"]
        assert fanned, "PredictionFlow fans out over its models"
        train = next(steps[i + 1][0] for i, s in enumerate(steps) if s[1] == "split-foreach")
        expect(
            tab.locator(f'.jp-mfns-dag-node[data-step="{train}"] .jp-mfns-dag-stack')
        ).to_have_count(1)
        # a click on the fan-out lists its tasks
        tab.locator(f'.jp-mfns-dag-node[data-step="{train}"]').click()
        listed = tab.locator(".jp-mfns-step-tasks .jp-mfns-task")
        expect(listed).to_have_count(dict((n, c) for n, _, c in steps)[train])
        screenshot(page, f"run-dag-{theme}")
        # the timeline: every task of the run, drawn
        tab.get_by_role("tab", name="Timeline").click()
        total = sum(c for _, _, c in steps)
        expect(tab.locator(".jp-mfns-timeline-summary")).to_contain_text(f"{total} tasks")
        canvas = tab.locator(".jp-mfns-timeline-canvas")
        expect(canvas).to_be_visible()
        drawn = canvas.evaluate(
            "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }"
        )
        assert drawn > 500, "the bars and labels are drawn"
        screenshot(page, f"run-timeline-{theme}")
        # a click on a row opens that task
        box = canvas.bounding_box()
        canvas.click(position={"x": box["width"] * 0.6, "y": 22 + 9})
        expect(
            page.locator('#jp-main-dock-panel .jp-mfns-tabwidget[data-mfns-key^="task:"]').first
        ).to_be_visible()
    finally:
        if theme == "dark":
            choose_theme(page, "JupyterLab Light")


def test_small_artifact_values_are_shown_inline(page, lab, e2e_store):
    task = e2e_store.story.artifact_task
    names = ["auc", "n_rows", "model_name", "is_champion"]
    theirs = metaflow(e2e_store, f"result = {{a: Task({task!r})[a].data for a in {names!r}}}")
    panel = open_lab(page, lab)
    panel.locator("#jp-mfns-namespace").select_option("user:anne")
    go_to(panel, task)
    tab = main_tab(page, "task", task)
    tab.get_by_role("tab", name="artifacts").click()
    for name, value in theirs.items():
        shown = (
            {True: "True", False: "False"}.get(value, str(value))
            if not isinstance(value, str)
            else value
        )
        expect(tab.locator(f'tr[data-artifact="{name}"] .jp-mfns-value')).to_have_text(shown)
    big = e2e_store.story.artifacts["pandas_dataframe"]
    expect(tab.locator(f'tr[data-artifact="{big}"] .jp-mfns-value')).to_have_text("—")
    expect(tab.locator(f'tr[data-artifact="{big}"] .jp-mfns-load')).to_be_visible()
    screenshot(page, "task-artifacts-inline")
