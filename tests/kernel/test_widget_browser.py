"""`browse()` in a real JupyterLab (server extension off) driven by chromium: pick will's
namespace, a run, a task, and Load an artifact into a variable the next cell uses."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest
from kernel_harness import kernel_env
from lab_harness import LabServer, choose_option, notebook, open_notebook, run_cell

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    """Where screenshots go: $MFNS_SCREENSHOTS if set, else a temporary folder."""
    folder = os.environ.get("MFNS_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def lab(store, tmp_path_factory) -> Iterator[LabServer]:
    """JupyterLab without the jupyter_mfns server extension, kernels as anne over `store`."""
    home = tmp_path_factory.mktemp("lab-widget")
    root = tmp_path_factory.mktemp("lab-widget-root")
    notebook(
        root / "browse.ipynb",
        [
            "from jupyter_mfns import browse\nbrowse()",
            "print('LOADED', type(preds).__name__, preds.shape, list(preds.columns))",
        ],
    )
    env = kernel_env(store.env("anne"), home / "cache")
    server = LabServer(root, home, env, server_extension=False, sidebar=False)
    yield server
    server.stop()


@pytest.fixture
def final_screenshot(page, screenshots, request):
    """A screenshot of the page as the test ends, passed or failed."""
    yield
    page.screenshot(path=str(screenshots / f"{request.node.name}-end.png"))


def test_browse_loads_an_artifact_into_the_kernel(page, lab, store, screenshots, final_screenshot):
    page.set_viewport_size({"width": 1400, "height": 1000})
    open_notebook(page, lab, "browse.ipynb")
    # Given the browser widget rendered by Lab's widget manager
    cell = run_cell(page, 0, ".mfns-browser")
    widget = cell.locator(".mfns-browser")
    selects = widget.locator(".widget-dropdown select")
    page.screenshot(path=str(screenshots / "widget-1-opened.png"))
    # When anne picks will's namespace, the runs table shows his runs
    choose_option(selects.nth(0), "user:will")
    choose_option(selects.nth(1), "PredictionFlow")
    runs = widget.locator(".mfns-mono select").nth(0)
    will_latest = store.story.will_prediction_runs[0].split("/")[1]
    page.wait_for_function(
        "([el, id]) => el.options.length > 0 && el.options[0].textContent.includes(id)",
        arg=[runs.element_handle(), will_latest],
    )
    page.screenshot(path=str(screenshots / "widget-2-will.png"))
    # And back in her namespace, she opens the showcase run's artifact task
    choose_option(selects.nth(0), "user:anne")
    choose_option(selects.nth(1), "ShowcaseFlow")
    choose_option(runs, store.story.showcase_run.split("/")[1])
    tasks = widget.locator(".mfns-mono select").nth(1)
    task_id = store.story.artifact_task.split("/", 2)[2]
    tasks.locator("option").nth(1).wait_for(state="attached")
    choose_option(tasks, task_id)
    widget.locator(".lm-TabBar-tab", has_text="Artifacts").click()
    name = store.story.artifacts["pandas_dataframe"]
    row = widget.locator(".widget-hbox", has=page.locator(f"b:text-is('{name}')")).last
    row.locator("input[type=text]").fill("preds")
    row.locator("input[type=text]").press("Enter")
    row.locator("button", has_text="Load").click()
    widget.get_by_text("Loaded: preds = DataFrame (200 rows x 3 columns)").wait_for()
    page.screenshot(path=str(screenshots / "widget-3-loaded.png"))
    # Then the next cell sees the DataFrame in the kernel
    out = run_cell(page, 1, ".jp-OutputArea-output")
    assert "LOADED DataFrame (200, 3) ['customer_id', 'score', 'label']" in out.inner_text()
