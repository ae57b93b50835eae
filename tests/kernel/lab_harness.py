"""A real JupyterLab server for browser tests, and Playwright helpers for notebooks in it.

The server runs in its own process with private config/runtime/settings folders; its kernels
inherit its environment (the demo store, as anne).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, List, Mapping

from harness.jupyter import BUNDLE, JupyterLab

__all__ = ["BUNDLE", "LabServer", "notebook", "open_notebook", "run_cell"]


def notebook(path: Path, cells: List[str]) -> Path:
    """Write a notebook of code cells (no outputs) for the python3 kernel."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(
        cells=[new_code_cell(source) for source in cells],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}},
    )
    nbformat.write(nb, path)
    return path


class LabServer(JupyterLab):
    """JupyterLab serving `root_dir`, with or without the server extension and the sidebar."""

    def __init__(
        self,
        root_dir: Path,
        home: Path,
        env: Mapping[str, str],
        server_extension: bool,
        sidebar: bool,
    ) -> None:
        super().__init__(
            home, env, root_dir=root_dir, server_extension=server_extension, sidebar=sidebar
        )


# -- Playwright helpers --------------------------------------------------------------------------
def open_notebook(page: Any, lab: LabServer, name: str) -> None:
    """Open a notebook in Lab and wait for its kernel to be idle."""
    page.goto(lab.url(f"lab/tree/{name}"))
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=60_000)
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    wait_kernel_idle(page)


def wait_kernel_idle(page: Any, timeout: float = 60_000) -> None:
    page.wait_for_selector(
        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator[data-status='idle']",
        timeout=timeout,
    )


def run_cell(page: Any, index: int, expect: str, timeout: float = 60_000) -> Any:
    """Run code cell `index` (never run before) and wait for `expect`, a selector inside it.

    Control+Enter is retried until the prompt leaves "[ ]:": right after the kernel becomes
    idle the first key press is sometimes dropped."""
    cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").nth(index)
    prompt = cell.locator(".jp-InputPrompt").first
    for _ in range(5):
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Control+Enter")
        try:
            page.wait_for_function(
                "el => el.textContent.trim() !== '[ ]:'", arg=prompt.element_handle(), timeout=3000
            )
            break
        except Exception:
            continue
    cell.locator(expect).first.wait_for(timeout=timeout)
    return cell


def choose_option(select: Any, contains: str, timeout: float = 30) -> None:
    """Pick the option of a <select> whose text contains `contains` (spaces as NBSP or not),
    waiting for it to appear (options arrive from the kernel)."""
    deadline = time.monotonic() + timeout
    while True:
        index = select.evaluate(
            """(el, needle) => Array.from(el.options).findIndex(
                   o => o.textContent.replace(/\\u00a0/g, ' ').includes(needle))""",
            contains,
        )
        if index >= 0:
            select.select_option(index=index)
            return
        if time.monotonic() > deadline:
            options = select.evaluate("el => Array.from(el.options).map(o => o.textContent)")
            raise AssertionError(f"no option containing {contains!r} in {options}")
        time.sleep(0.2)
