"""The panel follows JupyterLab's theme: readable in the dark theme too."""

from __future__ import annotations

import re

import pytest
from e2e_lab import open_lab, screenshot, widen_sidebar
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def luminance(css_color: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", css_color)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def choose_theme(page, name: str) -> None:
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


def test_the_panel_in_the_dark_theme(page, lab):
    """Given JupyterLab's dark theme, when anne opens a flow's runs, then the panel is dark with
    light text (it uses the theme's variables, no colours of its own)."""
    panel = open_lab(page, lab)
    widen_sidebar(page, 760)
    try:
        choose_theme(page, "JupyterLab Dark")
        expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "false")
        panel.locator('.jp-mfns-flow[data-flow="PredictionFlow"] .jp-mfns-flow-open').click()
        expect(panel.locator(".jp-mfns-runrow[data-pathspec]").first).to_be_visible()

        background = panel.evaluate("el => getComputedStyle(el).backgroundColor")
        user = panel.locator(".jp-mfns-runrow[data-pathspec] .jp-mfns-col-user").first
        text = user.evaluate("el => getComputedStyle(el).color")
        chip = panel.locator(".jp-mfns-runrow[data-pathspec] .jp-mfns-chip").first
        chip_text = chip.evaluate("el => getComputedStyle(el).color")
        assert luminance(background) < 0.2
        assert luminance(text) > 0.5
        assert luminance(chip_text) > 0.5
        screenshot(page, "dark-theme-runs")
    finally:
        choose_theme(page, "JupyterLab Light")
        expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "true")
