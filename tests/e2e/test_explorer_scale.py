"""The runs explorer over 10,000 runs: the grid's height is every run, rows stay few (virtualized),
and scrolling to the bottom loads pages by the server's cursor until the oldest run shows, the
same oldest run as Metaflow's client lists."""

from __future__ import annotations

import time
from typing import Iterator

import pytest
from e2e_lab import Lab, open_lab, screenshot
from explorer_page import GRID, explorer_rows, open_explorer, wait_until
from oracle import ask_metaflow
from playwright.sync_api import expect

from benchmarks.scaled_store import ScaledStore, scaled_store

pytestmark = pytest.mark.e2e

FLOW = "PredictionFlow"


@pytest.fixture(scope="module")
def store_10k() -> ScaledStore:
    """The cached 10k-run store (built once into the user's cache; read-only here)."""
    return scaled_store(10_000)


@pytest.fixture(scope="module")
def lab_10k(store_10k: ScaledStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    server = Lab(store_10k.root, tmp_path_factory.mktemp("e2e-lab-10k"), store_10k.env("anne"))
    try:
        yield server
    finally:
        server.stop()


def test_scrolling_to_the_bottom_of_thousands_of_runs_loads_and_shows_the_oldest(
    page, lab_10k, store_10k
):
    """Given every PredictionFlow run of the 10k store in the explorer (global namespace), when
    anne scrolls to the very bottom, then pages load until the last row renders: the oldest run,
    as Metaflow's client lists it, at row number `total`; fewer than 100 rows are ever in the
    page."""
    (runs,) = ask_metaflow(
        store_10k.root, [{"kind": "runs", "flow": FLOW, "tags": [], "namespace": None}]
    )
    total = store_10k.flows[FLOW]
    assert len(runs) == total
    open_lab(page, lab_10k)
    tab = open_explorer(page, FLOW, namespace="")
    expect(tab.locator(".jp-mfns-xp-summary")).to_contain_text(f"of {total:,} runs loaded")
    grid = tab.locator(GRID)
    assert grid.evaluate("n => n.scrollHeight") >= total * 30, "the grid is as tall as every run"

    started = time.monotonic()
    grid.evaluate("n => { n.scrollTop = n.scrollHeight; }")
    last = tab.locator(f'{GRID} .jp-mfns-xp-row[aria-rowindex="{total + 1}"][data-pathspec]')
    wait_until(lambda: last.count() == 1, 120, "the last row loaded and rendered")
    print(f"\nbottom of {total} runs shown after {time.monotonic() - started:.1f} s")

    assert last.get_attribute("data-pathspec") == runs[-1]
    assert last.is_visible()
    expect(tab.locator(".jp-mfns-xp-summary")).to_have_text(f"{total:,} runs")
    assert explorer_rows(tab).count() < 100
    screenshot(page, "explorer-10k-bottom")
    # and back at the top, the newest run is first again
    grid.press("Home")
    expect(explorer_rows(tab).first).to_have_attribute("data-pathspec", runs[0])
