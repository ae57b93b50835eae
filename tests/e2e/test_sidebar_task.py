"""A task's tab: its stdout (its end first, numbered) and "Load into notebook" (the log view's
search, earlier lines and jumps are in test_log_view.py)."""

from __future__ import annotations

import pytest
from e2e_lab import go_to, main_tab, open_lab, screenshot, tab_button
from oracle import ask_metaflow
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_opening_a_task_shows_the_lines_it_printed_on_stdout(page, lab, e2e_store):
    """Given a task that printed thousands of lines, when anne opens it, then the end of its
    stdout is shown, each line numbered and as Metaflow reads it, and earlier lines are offered."""
    task = e2e_store.story.long_stdout_task
    (lines,) = ask_metaflow(
        e2e_store.root,
        [{"kind": "loglines", "pathspec": task, "stream": "stdout", "namespace": None}],
    )
    texts = [text for _, text in lines]
    assert len(texts) == e2e_store.story.long_stdout_lines
    panel = open_lab(page, lab)

    go_to(panel, task)

    tab = main_tab(page, "task", task)
    # the log opens on its end: the last line drawn, numbered as in the whole log, and every
    # row drawn (only rows in view are: the list is virtualized) is that line of Metaflow's
    last = tab.locator(f'.jp-mfns-log-row[data-n="{len(texts)}"] .jp-mfns-log-text')
    expect(last).to_have_text(texts[-1])
    rows = tab.locator(".jp-mfns-log-row").evaluate_all(
        "rows => rows.map(r => [+r.dataset.n, r.querySelector('.jp-mfns-log-text').innerText])"
    )
    assert rows and all(text == texts[n - 1] for n, text in rows), rows[:3]
    expect(tab.locator(".jp-mfns-log-earlier")).to_be_visible()
    screenshot(page, "task-stdout")


def test_load_into_notebook_gives_a_dataframe(page, lab, e2e_store):
    """Given a task with a pandas DataFrame artifact, when anne clicks "Load into notebook",
    then a new notebook runs explicit code naming the namespace and pathspec, and shows the
    DataFrame; a second artifact lands below it in the same notebook."""
    task = e2e_store.story.artifact_task
    name = e2e_store.story.artifacts["pandas_dataframe"]
    panel = open_lab(page, lab)
    go_to(panel, task)
    tab = main_tab(page, "task", task)
    tab.get_by_role("tab", name="artifacts").click()
    row = tab.locator(f'tr[data-artifact="{name}"]')
    expect(row).to_contain_text("pandas.DataFrame")

    row.get_by_role("button", name=f"Load {name} into notebook").click()

    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    cell = notebook.locator(".jp-CodeCell").first
    expect(cell.locator(".jp-OutputArea-output table.dataframe")).to_be_visible(timeout=90_000)
    source = cell.locator(".cm-content").inner_text()
    assert source.splitlines() == [
        "from jupyter_mfns import load_artifact",
        f'{name} = load_artifact("{task}/{name}", namespace="user:anne", explain=True)',
        name,
    ]
    screenshot(page, "load-into-notebook")

    # Back in the task's tab, a second artifact goes below the active cell of that notebook.
    series = e2e_store.story.artifacts["pandas_series"]
    tab_button(page, "task", task).click()
    tab.locator(f'tr[data-artifact="{series}"]').get_by_role(
        "button", name=f"Load {series} into notebook"
    ).click()
    cells = notebook.locator(".jp-CodeCell")
    expect(cells).to_have_count(2)
    expect(cells.nth(1).locator(".cm-content")).to_contain_text(f'{series} = load_artifact("')
    expect(cells.nth(1).locator(".jp-OutputArea-output").last).to_be_visible(timeout=90_000)
    expect(page.locator(".jp-NotebookPanel")).to_have_count(1)
