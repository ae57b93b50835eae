"""A real JupyterLab with jupyter_mfns for the sidebar's end-to-end tests, and Playwright helpers.

The server runs in its own process with private config/runtime/settings/workspace folders, over
a private copy of the demo store, as anne; its kernels inherit that environment. The sidebar is
served from this checkout's bundle (``jupyter_mfns/labextension``) when it is built, else from the
installed package.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping

from harness.jupyter import BUNDLE, JupyterLab

__all__ = ["BUNDLE", "Lab", "choose_theme", "go_to", "main_tab", "open_lab", "screenshot"]

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
PANEL = "#jupyter-mfns-panel"


class Lab(JupyterLab):
    """JupyterLab with the sidebar and the server extension, started in the store's folder."""

    def __init__(self, store_root: Path, home: Path, env: Mapping[str, str]) -> None:
        super().__init__(home, env, root_dir=home / "notebooks", cwd=store_root)


# -- Playwright helpers ------------------------------------------------------------------------
def open_lab(page: Any, lab: Lab) -> Any:
    """Load JupyterLab on a fresh workspace and show the Metaflow panel.

    Into the empty main area of a fresh workspace JupyterLab opens a Launcher once it has
    restored the layout, and the Launcher takes the keyboard focus when it arrives: on a busy
    machine that is up to seconds after the splash screen is gone. Waiting for it means the
    layout is settled and no key a test presses later goes to the Launcher instead.
    """
    page.goto(lab.url("lab", reset=""))
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=90_000)
    page.wait_for_function(
        "document.activeElement && document.activeElement.closest('.jp-Launcher') !== null",
        timeout=60_000,
    )
    panel = page.locator(PANEL)
    if not panel.is_visible():
        page.locator('.lm-TabBar-tab[data-id="jupyter-mfns-panel"]').click()
    panel.wait_for(state="visible", timeout=30_000)
    page.wait_for_selector(f"{PANEL} #jp-mfns-namespace:not([disabled])", timeout=60_000)
    return panel


def widen_sidebar(page: Any, width: int) -> None:
    """Drag the handle between the left sidebar and the main area to `width` pixels."""
    handle = page.locator("#jp-main-split-panel > .lm-SplitPanel-handle:not(.lm-mod-hidden)")
    box = handle.first.bounding_box()
    assert box, "no sidebar handle"
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(width, y, steps=6)
    page.mouse.up()


def go_to(panel: Any, pathspec: str) -> None:
    """Type a pathspec in the "Go to" box and press Enter."""
    box = panel.locator(".jp-mfns-goto-input")
    box.fill(pathspec)
    box.press("Enter")


def main_tab(page: Any, kind: str, pathspec: str) -> Any:
    """The main-area tab showing `pathspec` as `kind` (run, task, log, runs)."""
    return page.locator(
        f'#jp-main-dock-panel .jp-mfns-tabwidget[data-mfns-key="{kind}:{pathspec}"]'
    )


def tab_button(page: Any, kind: str, pathspec: str) -> Any:
    """The tab bar's tab of that main-area tab (to activate or close it)."""
    return page.locator(f'.lm-TabBar-tab[data-mfns-key="{kind}:{pathspec}"]')


def run_rows(panel: Any) -> Any:
    """The rendered rows of the runs table."""
    return panel.locator(".jp-mfns-runs-scroller .jp-mfns-runrow[data-pathspec]")


def row_pathspecs(panel: Any) -> list:
    """Pathspecs of the runs table rows, top to bottom (the table is small in these tests)."""
    return run_rows(panel).evaluate_all("rows => rows.map(r => r.dataset.pathspec)")


def screenshot(page: Any, name: str) -> Path:
    """Save a screenshot in test-artifacts/screenshots/ (look at it!)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def luminance(css_color: str) -> float:
    """Relative luminance (0 dark .. 1 light) of a computed CSS colour."""
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", css_color)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def choose_theme(page: Any, name: str) -> None:
    """Settings > Theme > name, as a person would pick it."""
    theme = page.locator(".lm-Menu-itemLabel", has_text="Theme").first
    for _ in range(3):  # the first click may land while the menu bar is still settling
        page.locator(".lm-MenuBar-itemLabel", has_text="Settings").click()
        try:
            theme.wait_for(timeout=3000)
            break
        except Exception:
            page.keyboard.press("Escape")
    theme.hover()
    page.locator(".lm-Menu-itemLabel").get_by_text(name, exact=True).click()
