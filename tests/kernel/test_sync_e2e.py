"""The sidebar <-> kernel namespace sync end to end: real JupyterLab with the jupyter_mfns
server extension and sidebar, chromium, a notebook as anne over the demo store.

Runs once the sidebar implements docs/kernel-sync.md (its bundle carries the `data-mfns-link`
testing hook); skipped before that.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest
from kernel_harness import kernel_env
from lab_harness import BUNDLE, LabServer, notebook, open_notebook, run_cell

pytestmark = pytest.mark.e2e


def sidebar_speaks_the_protocol() -> bool:
    static = BUNDLE / "static"
    if not static.is_dir():
        return False
    text = "".join(p.read_text(errors="ignore") for p in static.glob("*.js"))
    return "jupyter_mfns" in text and "reply_to" in text and "data-mfns-link" in text


if not sidebar_speaks_the_protocol():
    pytest.skip(
        "the built sidebar does not implement docs/kernel-sync.md yet", allow_module_level=True
    )

SELECT = "select#jp-mfns-namespace"
LINK = "[data-mfns-link]"


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    folder = os.environ.get("MFNS_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def lab(store, tmp_path_factory) -> Iterator[LabServer]:
    home = tmp_path_factory.mktemp("lab-sync")
    root = tmp_path_factory.mktemp("lab-sync-root")
    show = "import metaflow\nprint('NS=' + str(metaflow.get_namespace()))"
    notebook(
        root / "sync.ipynb",
        ["%load_ext jupyter_mfns", "%mfns namespace user:will", show, show],
    )
    env = kernel_env(store.env("anne"), home / "cache")
    server = LabServer(root, home, env, server_extension=True, sidebar=True)
    yield server
    server.stop()


def sidebar_namespace(page) -> str:
    return str(page.locator(SELECT).input_value())


def wait_sidebar_namespace(page, namespace: str) -> None:
    page.wait_for_function(
        "([sel, ns]) => document.querySelector(sel)?.value === ns", arg=[SELECT, namespace]
    )


def test_magic_and_sidebar_move_each_other(page, lab, screenshots):
    page.set_viewport_size({"width": 1400, "height": 900})
    open_notebook(page, lab, "sync.ipynb")
    run_cell(page, 0, ".jp-InputPrompt:not(:text-is('[ ]:'))")
    # Given the Metaflow sidebar open and linked to the notebook's kernel
    page.locator('.jp-SideBar .lm-TabBar-tab[data-id="jupyter-mfns-panel"]').click()
    page.wait_for_selector(SELECT)
    link = page.locator(LINK).first
    if link.get_attribute("data-mfns-link") != "linked":
        link.click()
    page.wait_for_selector("[data-mfns-link='linked']")
    # Then linking adopted the kernel's namespace (anne's default)
    wait_sidebar_namespace(page, "user:anne")
    page.screenshot(path=str(screenshots / "sync-1-linked.png"))

    # When the notebook runs %mfns namespace user:will, the sidebar follows
    run_cell(page, 1, ".jp-OutputArea-output")
    wait_sidebar_namespace(page, "user:will")
    page.screenshot(path=str(screenshots / "sync-2-magic-moved-sidebar.png"))

    # When the sidebar picks the production namespace, the kernel's Metaflow follows
    page.locator(SELECT).select_option("production:demo-prod-1")
    out = run_cell(page, 2, ".jp-OutputArea-output")
    assert "NS=production:demo-prod-1" in out.inner_text()
    page.screenshot(path=str(screenshots / "sync-3-sidebar-moved-kernel.png"))

    # When the user unlinks, a sidebar change no longer reaches the kernel
    page.locator(LINK).first.click()
    page.wait_for_selector("[data-mfns-link='off']")
    page.locator(SELECT).select_option("user:anne")
    out = run_cell(page, 3, ".jp-OutputArea-output")
    assert "NS=production:demo-prod-1" in out.inner_text()
    page.screenshot(path=str(screenshots / "sync-4-unlinked.png"))
