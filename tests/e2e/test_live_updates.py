"""Live updates: what changes in the store while the page is open shows without a click.

A run started by a real flow appears in the explorer and the sidebar, and shows finished; a tag
added from Metaflow's CLI, or from a kernel's `%mfns tag`, shows in the open run tab. Each waits
on its condition with a deadline of 2 s after the change is made, and prints the latency.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from e2e_lab import PANEL, go_to, main_tab, open_lab, screenshot
from explorer_page import explorer_row, open_explorer, wait_until
from oracle import ask_metaflow
from playwright.sync_api import expect

from jupyter_mfns.demo.build import flow_file
from jupyter_mfns.demo.runner import metaflow_env, start_flow

pytestmark = pytest.mark.e2e

#: what the issue asks: a change shows within 2 s, with no click
DEADLINE = 2.0


def annes_feature_runs(store) -> list:
    return store.story.runs_where(flow="FeatureFlow", namespace="user:anne")


def shows(locator) -> bool:
    return locator.count() > 0 and locator.first.is_visible()


def test_a_new_run_appears_in_the_explorer_and_the_sidebar_then_shows_finished(
    page, lab, e2e_store
):
    """Given FeatureFlow's runs in the explorer and in the sidebar, when anne starts a real
    FeatureFlow run, then it appears in both within 2 s of Metaflow registering it, and shows
    succeeded (as Metaflow's client says) within 2 s of its end."""
    panel = open_lab(page, lab)
    tab = open_explorer(page, "FeatureFlow")
    expect(page.locator(".jp-mfns-live-live").first).to_be_visible(timeout=10_000)

    with start_flow(e2e_store.root, flow_file("FeatureFlow"), user="anne") as running:
        pathspec = running.wait_for_run()
        started = time.monotonic()
        sidebar_row = panel.locator(f'.jp-mfns-runrow[data-pathspec="{pathspec}"]')
        wait_until(
            lambda: shows(explorer_row(tab, pathspec)) and shows(sidebar_row),
            DEADLINE,
            f"{pathspec} in the explorer and the sidebar",
        )
        print(f"\nnew run shown after {time.monotonic() - started:.2f} s")
        result = running.wait()
    ended = time.monotonic()
    (run,) = ask_metaflow(
        e2e_store.root, [{"kind": "run", "pathspec": pathspec, "namespace": None}]
    )
    assert result.succeeded and run["successful"]
    status = explorer_row(tab, pathspec).locator(".jp-mfns-status-succeeded")
    wait_until(lambda: shows(status), DEADLINE, f"{pathspec} shown succeeded")
    print(f"finished run shown after {time.monotonic() - ended:.2f} s")
    screenshot(page, "explorer-live-new-run")


def test_a_tag_added_from_the_cli_shows_in_the_open_run_tab(page, lab, e2e_store):
    """Given one of anne's runs open in its tab, when she adds a tag with `python flow.py tag
    add`, then the tab shows it within 2 s, with no click."""
    run = annes_feature_runs(e2e_store)[0]
    tag = "cli-live"
    open_lab(page, lab)
    go_to(page.locator(PANEL), run)
    editor = main_tab(page, "run", run).locator(".jp-mfns-tageditor")
    expect(editor).to_be_visible()
    chip = editor.locator(f'.jp-mfns-chip[data-tag="{tag}"]')
    assert chip.count() == 0
    cmd = [sys.executable, str(flow_file("FeatureFlow")), "--no-pylint", "tag", "add"]
    cmd += ["--run-id", run.split("/")[1], tag]
    env = metaflow_env(e2e_store.root, "anne")
    subprocess.run(cmd, cwd=e2e_store.root, env=env, check=True, capture_output=True)
    changed = time.monotonic()
    (seen,) = ask_metaflow(e2e_store.root, [{"kind": "run", "pathspec": run, "namespace": None}])
    assert tag in seen["tags"]

    wait_until(lambda: shows(chip), DEADLINE, f"tag {tag} in the tab of {run}")
    print(f"\nCLI tag shown after {time.monotonic() - changed:.2f} s")


def test_a_tag_added_by_a_kernels_magic_shows_in_the_open_run_tab(page, lab, e2e_store):
    """Given one of anne's runs open in its tab and a notebook beside it, when its kernel runs
    `%mfns tag add`, then the tab shows the tag within 2 s of the cell finishing."""
    run = annes_feature_runs(e2e_store)[1]
    tag = "kernel-live"
    open_lab(page, lab)
    page.locator(".jp-LauncherCard[data-category='Notebook']").first.click()
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    cell = notebook.locator(".jp-CodeCell").first
    cell.locator(".cm-content").click()
    page.keyboard.type(f"%load_ext jupyter_mfns\n%mfns tag add {run} {tag}")
    go_to(page.locator(PANEL), run)  # the run's tab opens beside the notebook
    editor = main_tab(page, "run", run).locator(".jp-mfns-tageditor")
    expect(editor).to_be_visible()
    chip = editor.locator(f'.jp-mfns-chip[data-tag="{tag}"]')
    assert chip.count() == 0
    page.locator(".lm-TabBar-tab", has_text="Untitled").first.click()
    cell.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    expect(cell.locator(".jp-InputArea-prompt")).to_have_text("[1]:", timeout=90_000)
    done = time.monotonic()
    (seen,) = ask_metaflow(e2e_store.root, [{"kind": "run", "pathspec": run, "namespace": None}])
    assert tag in seen["tags"], cell.locator(".jp-OutputArea").inner_text()

    wait_until(lambda: chip.count() > 0, DEADLINE, f"tag {tag} in the tab of {run}")
    print(f"\nkernel tag shown after {time.monotonic() - done:.2f} s")
