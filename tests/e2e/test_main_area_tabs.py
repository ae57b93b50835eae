"""Main-area tabs: deep links, one tab per object, restored after a reload, asking before a
namespace switch; and how the run and task tabs look (light and dark, beside the sidebar)."""

from __future__ import annotations

import json
import re
import time
import urllib.request

import pytest
from e2e_lab import (
    PANEL,
    choose_theme,
    go_to,
    luminance,
    main_tab,
    no_text_outside,
    open_lab,
    open_link,
    screenshot,
    tab_button,
)
from oracle import ask_metaflow
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def metaflow_successful(store, pathspec: str) -> bool:
    (run,) = ask_metaflow(store.root, [{"kind": "run", "pathspec": pathspec, "namespace": None}])
    return bool(run["successful"])


def saved_tab_names(lab) -> list:
    """Names of the Metaflow tabs in the saved layout of the default workspace."""
    url = lab.url("lab/api/workspaces/default")
    with urllib.request.urlopen(url, timeout=10) as answer:
        data = json.load(answer)["data"]
    dock = data.get("layout-restorer:data", {}).get("main", {}).get("dock") or {}
    return re.findall(r"jupyter-mfns-tabs:[^\"]+", json.dumps(dock))


def wait_saved(lab, names: list, timeout: float = 30) -> None:
    """Wait until the workspace on the server holds these tabs (the layout saves itself)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        saved = saved_tab_names(lab)
        if all(f"jupyter-mfns-tabs:{name}" in saved for name in names):
            return
        time.sleep(0.2)
    raise AssertionError(f"layout not saved with {names}: {saved_tab_names(lab)}")


def test_a_deep_link_opens_the_run_in_a_tab(page, lab, e2e_store):
    """Given a link lab?mfns=<run>, when anne loads it, then the run opens in a main-area tab
    titled with its pathspec (successful or not as Metaflow says), and the address bar loses
    the query."""
    run = e2e_store.story.anne_prediction_runs[0]
    open_lab(page, lab)  # a fresh workspace

    open_link(page, lab, run)

    tab = main_tab(page, "run", run)
    expect(tab.locator(".jp-mfns-detail-title")).to_have_text(run)
    status = tab.locator(".jp-mfns-status-text")
    expect(status).to_have_text(re.compile("succeeded|failed|running|unknown"))
    assert (status.inner_text() == "succeeded") == metaflow_successful(e2e_store, run)
    button = tab_button(page, "run", run)
    expect(button.locator(".lm-TabBar-tabLabel")).to_have_text(run)
    expect(button).to_have_attribute("title", re.compile(f"{re.escape(run)}.*user:anne", re.S))
    expect(page).not_to_have_url(re.compile("mfns="))


def test_copy_link_gives_a_link_that_reopens_the_task(page, lab, e2e_store):
    """Given a task open in its tab, when anne clicks "Copy link", then the link she gets
    (lab?mfns=<task>) opens that task's tab in a fresh workspace."""
    task = e2e_store.story.long_stdout_task
    panel = open_lab(page, lab)
    go_to(panel, task)
    tab = main_tab(page, "task", task)
    expect(tab.locator(".jp-mfns-log-row").first).to_be_visible()

    tab.get_by_role("button", name="Copy link").click()

    toast = page.locator(".Toastify__toast", has_text="Copied link")
    expect(toast).to_be_visible()
    link = re.search(r"Copied link (\S+)", toast.inner_text()).group(1)
    assert link.endswith(f"lab?mfns={task}")
    open_lab(page, lab)  # a fresh workspace: no tab open
    expect(main_tab(page, "task", task)).to_have_count(0)
    page.goto(link)
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=90_000)
    expect(main_tab(page, "task", task).locator(".jp-mfns-log-row").first).to_be_visible()


def test_opening_the_same_run_again_activates_its_one_tab(page, lab, e2e_store):
    """Given a run open in a tab and a task tab in front of it, when anne opens the run again
    from the runs list, the "Go to" box and a deep link, then there is still one tab for it,
    in front."""
    story = e2e_store.story
    run = story.anne_prediction_runs[1]
    panel = open_lab(page, lab)
    panel.locator('.jp-mfns-flow[data-flow="PredictionFlow"] .jp-mfns-flow-open').click()
    panel.locator(f'.jp-mfns-runrow[data-pathspec="{run}"] .jp-mfns-col-id').click()
    expect(main_tab(page, "run", run)).to_be_visible()

    go_to(panel, story.long_stdout_task)
    expect(main_tab(page, "task", story.long_stdout_task)).to_be_visible()
    expect(main_tab(page, "run", run)).to_be_hidden()
    panel.locator(f'.jp-mfns-runrow[data-pathspec="{run}"] .jp-mfns-col-id').click()
    expect(main_tab(page, "run", run)).to_be_visible()

    go_to(panel, story.long_stdout_task)
    go_to(panel, run)
    expect(main_tab(page, "run", run)).to_be_visible()
    expect(tab_button(page, "run", run)).to_have_count(1)
    wait_saved(lab, [f"run:{run}", f"task:{story.long_stdout_task}"])
    open_link(page, lab, run)  # the restored tab, not a second one
    expect(main_tab(page, "run", run)).to_be_visible()
    expect(tab_button(page, "run", run)).to_have_count(1)
    expect(page.locator(".jp-mfns-tabwidget")).to_have_count(2)


def test_a_reload_restores_the_open_tabs(page, lab, e2e_store):
    """Given a run tab and a task tab open, when anne reloads the page, then both tabs come
    back with their content, the task (opened last) in front."""
    story = e2e_store.story
    run, task = story.anne_prediction_runs[2], story.long_stdout_task
    panel = open_lab(page, lab)
    go_to(panel, run)
    expect(main_tab(page, "run", run).locator(".jp-mfns-detail-title")).to_have_text(run)
    go_to(panel, task)
    expect(main_tab(page, "task", task).locator(".jp-mfns-log-row").first).to_be_visible()
    wait_saved(lab, [f"run:{run}", f"task:{task}"])

    page.reload()
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=90_000)

    expect(tab_button(page, "run", run)).to_have_count(1)
    expect(tab_button(page, "task", task)).to_have_count(1)
    expect(main_tab(page, "task", task).locator(".jp-mfns-log-row").first).to_be_visible()
    tab_button(page, "run", run).click()
    expect(main_tab(page, "run", run).locator(".jp-mfns-detail-title")).to_have_text(run)


def test_a_link_to_another_users_run_asks_before_switching(page, lab, e2e_store):
    """Given anne's namespace, when she loads a link to will's run, then a dialog names
    user:will; staying opens nothing and keeps her namespace, switching opens the run there."""
    run = e2e_store.story.will_prediction_runs[1]
    panel = open_lab(page, lab)
    expect(panel.locator("#jp-mfns-namespace")).to_have_value("user:anne")

    open_link(page, lab, run)

    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text(f"{run} is not in user:anne")
    expect(dialog).to_contain_text("It belongs to user:will")
    dialog.get_by_role("button", name="Stay in user:anne").click()
    expect(page.locator(".jp-Dialog")).to_have_count(0)
    expect(main_tab(page, "run", run)).to_have_count(0)
    expect(page.locator(f"{PANEL} #jp-mfns-namespace")).to_have_value("user:anne")

    open_link(page, lab, run)
    page.locator(".jp-Dialog").get_by_role("button", name="Switch to user:will").click()

    expect(main_tab(page, "run", run).locator(".jp-mfns-detail-title")).to_have_text(run)
    expect(page.locator(f"{PANEL} #jp-mfns-namespace")).to_have_value("user:will")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_run_and_task_tabs_beside_the_sidebar(page, lab, e2e_store, theme):
    """Given the sidebar at its default width beside the main area, when anne opens a resumed
    run and a task, then their tabs read well in the light and dark themes: no text spills
    out of its box, and the colours are the theme's."""
    story = e2e_store.story
    panel = open_lab(page, lab)
    if theme == "dark":
        choose_theme(page, "JupyterLab Dark")
        expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "false")
    try:
        panel.locator("#jp-mfns-namespace").select_option("user:will")
        go_to(panel, story.resumed_run)
        tab = main_tab(page, "run", story.resumed_run)
        expect(tab.locator(".jp-mfns-origin")).to_contain_text("user:anne")
        tab.get_by_role("tab", name="Steps").click()  # the list (the graph comes first)
        tab.locator(".jp-mfns-step-head").first.click()
        expect(tab.locator(".jp-mfns-task").first).to_be_visible()
        assert no_text_outside(page, f"{PANEL}, .jp-mfns-tabwidget:not(.lm-mod-hidden)") == []
        screenshot(page, f"run-tab-{theme}")

        panel.locator("#jp-mfns-namespace").select_option("user:anne")
        go_to(panel, story.artifact_task)
        tab = main_tab(page, "task", story.artifact_task)
        tab.get_by_role("tab", name="artifacts").click()
        expect(tab.locator("tr[data-artifact]").first).to_be_visible()
        background = tab.evaluate("el => getComputedStyle(el).backgroundColor")
        text = tab.locator(".jp-mfns-artifact-name").first.evaluate(
            "el => getComputedStyle(el).color"
        )
        assert (luminance(background) < 0.2) == (theme == "dark")
        assert (luminance(text) > 0.5) == (theme == "dark")
        assert no_text_outside(page, f"{PANEL}, .jp-mfns-tabwidget:not(.lm-mod-hidden)") == []
        screenshot(page, f"task-tab-{theme}")
        tab.get_by_role("tab", name="stdout").click()
        expect(tab.locator(".jp-mfns-log")).to_be_visible()
        screenshot(page, f"task-tab-stdout-{theme}")
    finally:
        if theme == "dark":
            choose_theme(page, "JupyterLab Light")
