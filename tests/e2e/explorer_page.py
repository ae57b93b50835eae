"""Playwright helpers for the runs explorer (the "runs" tab) and for live updates."""

from __future__ import annotations

import time
from typing import Any, Callable, Optional

from e2e_lab import PANEL, go_to, main_tab

GRID = ".jp-mfns-xp-scroller"


def open_explorer(page: Any, flow: str, namespace: Optional[str] = None) -> Any:
    """Open `flow` in the sidebar (in `namespace`: "" is global) and its runs in a tab."""
    panel = page.locator(PANEL)
    if namespace is not None:
        panel.locator("#jp-mfns-namespace").select_option(namespace)
    go_to(panel, flow)
    panel.locator(".jp-mfns-crumb-open").click()
    tab = main_tab(page, "runs", flow)
    tab.locator(f"{GRID} .jp-mfns-xp-row[data-pathspec]").first.wait_for(timeout=30_000)
    return tab


def explorer_rows(tab: Any) -> Any:
    """The rendered rows of an explorer (loaded runs; placeholders excluded)."""
    return tab.locator(f"{GRID} .jp-mfns-xp-row[data-pathspec]")


def explorer_row(tab: Any, pathspec: str) -> Any:
    return tab.locator(f'{GRID} .jp-mfns-xp-row[data-pathspec="{pathspec}"]')


def selected_pathspecs(tab: Any) -> list:
    return tab.locator(f'{GRID} .jp-mfns-xp-row[aria-selected="true"]').evaluate_all(
        "rows => rows.map(r => r.dataset.pathspec)"
    )


def rendered_pathspecs(tab: Any) -> list:
    """Pathspecs of the rendered rows, top to bottom."""
    return explorer_rows(tab).evaluate_all(
        """rows => rows
            .map(r => [r.getBoundingClientRect().top, r.dataset.pathspec])
            .sort((a, b) => a[0] - b[0]).map(p => p[1])"""
    )


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll `condition` until true; answers the seconds it took. Fails after `timeout` s."""
    start = time.monotonic()
    while True:
        if condition():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)
