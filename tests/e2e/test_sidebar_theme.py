"""The panel follows JupyterLab's theme: readable in the dark theme too."""

from __future__ import annotations

import pytest
from e2e_lab import choose_theme, luminance, open_lab, screenshot, widen_sidebar
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


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
