"""Cards in JupyterLab: a task's cards in its tab, a card in its own tab (light and dark), the
same card of two runs side by side, a hostile card locked in its sandbox, and a live card that
updates while its task runs, only while it is visible, and stops when the task ends."""

from __future__ import annotations

import json
import shutil
import time
from typing import Iterator

import pytest
from card_store import LIVE_CARD_FLOW, CardStore
from e2e_lab import (
    PANEL,
    Lab,
    choose_theme,
    go_to,
    luminance,
    main_tab,
    open_lab,
    screenshot,
)
from playwright.sync_api import expect

from harness.demo_stores import DemoStore
from jupyter_mfns.demo import metaflow_env, start_flow

pytestmark = pytest.mark.e2e

CARD_TAB = "#jp-main-dock-panel .jp-mfns-tabwidget:has(.jp-mfns-cardtab):visible"


@pytest.fixture(scope="module")
def card_lab(card_store: CardStore, tmp_path_factory) -> Iterator[Lab]:
    """JupyterLab over a private copy of the card store (the live flow runs into it)."""
    root = tmp_path_factory.mktemp("card-lab-store")
    shutil.copytree(card_store.root / ".metaflow", root / ".metaflow")
    server = Lab(root, tmp_path_factory.mktemp("card-lab"), metaflow_env(root, "anne"))
    server.store_root = root  # type: ignore[attr-defined]
    try:
        yield server
    finally:
        server.stop()


def train_tasks(store: DemoStore, run: str) -> list:
    run_dir = store.root / ".metaflow" / run / "train"
    ids = sorted(p.name for p in run_dir.iterdir() if p.is_dir() and p.name != "_meta")
    return [f"{run}/train/{i}" for i in ids]


def open_link(page, lab: Lab, pathspec: str, **query: str) -> None:
    page.goto(lab.url("lab", mfns=pathspec, **query))
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=90_000)


def test_a_task_tab_shows_its_cards_and_a_card_opens_in_its_own_tab(page, lab, e2e_store):
    """Given a train task that made a card, when anne opens the task and its "cards" tab, then
    the card shows in a frame that may only run scripts; "Open in a tab" gives it a tab of its
    own, in light and dark themes."""
    task = train_tasks(e2e_store, e2e_store.story.anne_prediction_runs[0])[0]
    panel = open_lab(page, lab)
    go_to(panel, task)
    tab = main_tab(page, "task", task)
    tab.get_by_role("tab", name="cards").click()
    strip = tab.locator(".jp-mfns-cardstrip [role=tab]")
    expect(strip).to_have_text(["model_report"])
    expect(strip.first).to_have_attribute("aria-selected", "true")
    frame_element = tab.locator("iframe.jp-mfns-card-frame")
    expect(frame_element).to_have_attribute("sandbox", "allow-scripts")
    expect(
        tab.frame_locator("iframe.jp-mfns-card-frame").get_by_text("Training error")
    ).to_be_visible(timeout=30_000)
    screenshot(page, "cards-task-tab")

    tab.get_by_role("button", name="Open in a tab").click()
    card_tab = page.locator(CARD_TAB)
    expect(card_tab).to_have_count(1)
    frame = card_tab.frame_locator("iframe.jp-mfns-card-frame")
    expect(frame.get_by_role("heading", name="Model")).to_be_visible(timeout=30_000)
    expect(card_tab.locator("iframe")).to_have_attribute("sandbox", "allow-scripts")
    expect(card_tab.locator(".jp-mfns-cardcolumn-head")).to_contain_text(task)
    screenshot(page, "card-tab-light")
    choose_theme(page, "JupyterLab Dark")
    expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "false")
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=30_000)
    expect(frame.get_by_role("heading", name="Model")).to_be_visible()
    background = card_tab.evaluate("node => getComputedStyle(node).backgroundColor")
    assert luminance(background) < 0.3, background  # the tab around the card is dark
    screenshot(page, "card-tab-dark")
    choose_theme(page, "JupyterLab Light")
    expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "true")


def test_the_same_card_of_two_runs_side_by_side(page, lab, e2e_store):
    """Given two runs' train tasks, when a link asks for their card side by side (as the
    comparison does with mfns:open {kind: 'card', tasks: [...]}), then both cards show in
    columns, each headed by its task."""
    runs = e2e_store.story.anne_prediction_runs
    tasks = [train_tasks(e2e_store, runs[0])[1], train_tasks(e2e_store, runs[1])[1]]
    open_lab(page, lab)
    page.goto(
        lab.url("lab", mfns=tasks[0], **{"mfns-view": "card"})
        + f"&mfns-tasks={tasks[0]}&mfns-tasks={tasks[1]}"
    )
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=90_000)
    card_tab = page.locator(CARD_TAB)
    columns = card_tab.locator(".jp-mfns-cardcolumn")
    expect(columns).to_have_count(2)
    for column, task in zip((columns.nth(0), columns.nth(1)), tasks):
        expect(column).to_have_attribute("data-pathspec", task)
        expect(column.locator(".jp-mfns-cardcolumn-what")).to_have_text('blank card "model_report"')
        heading = column.frame_locator("iframe").get_by_role("heading", name="Model")
        expect(heading).to_be_visible(timeout=30_000)
    left, right = (columns.nth(i).bounding_box() for i in (0, 1))
    assert left["x"] + left["width"] <= right["x"] + 1  # side by side, not stacked
    screenshot(page, "cards-side-by-side")


def test_a_hostile_card_reaches_neither_the_page_its_cookies_nor_the_api(
    page, card_lab, card_store
):
    """Given a card whose HTML tries to read the page around it, its cookies and storage and
    to call the REST API, when anne opens it, then every attempt fails inside the sandbox (the
    card writes what it managed into its own page), while the page does hold cookies."""
    task = card_store.task("done", "probe")
    open_lab(page, card_lab)
    open_link(page, card_lab, task, **{"mfns-view": "card"})
    card_tab = page.locator(CARD_TAB)
    report = card_tab.frame_locator("iframe").locator("#mfns-probe")
    expect(report).not_to_have_text("running", timeout=30_000)
    found = json.loads(report.inner_text())
    assert set(found) == {"parent_document", "top_cookie", "own_cookie", "storage", "api"}
    for attempt in ("parent_document", "top_cookie", "own_cookie", "storage"):
        assert found[attempt].startswith("blocked: SecurityError"), found
    assert found["api"].startswith("blocked:") or '"version"' not in found["api"], found
    assert '"version"' not in json.dumps(found)
    assert "_xsrf" in page.evaluate("document.cookie")  # there was something to steal
    screenshot(page, "card-hostile-probe")


def count_data_requests(page, seconds: float) -> int:
    """card/data requests the page sends during `seconds` (an observation window)."""
    seen = []

    def on_request(request) -> None:
        if "/mfns/api/card/data" in request.url:
            seen.append(request.url)

    page.on("request", on_request)
    page.wait_for_timeout(seconds * 1000)
    page.remove_listener("request", on_request)
    return len(seen)


def test_a_live_card_follows_its_task_while_visible_and_stops_when_it_ends(
    page, card_lab, tmp_path
):
    """Given a task refreshing its card, when anne opens the card while it runs, then each
    new tick shows without reloading the page (the data goes to the card's update function),
    nothing is asked while the tab is hidden, and once the task ends the final card shows
    and no more requests are sent."""
    gate = tmp_path / "gate"
    gate.mkdir()
    root = card_lab.store_root
    with start_flow(root, LIVE_CARD_FLOW, user="anne", extra_env={"MFNS_GATE": str(gate)}) as run:
        task = f"{run.wait_for_run()}/start/1"
        open_lab(page, card_lab)
        deadline = time.monotonic() + 60
        while not list(
            (root / ".metaflow" / "mf.cards").glob(f"{task.split('/')[0]}/**/cards/*.html")
        ):
            assert time.monotonic() < deadline, "the live card never appeared"
            time.sleep(0.1)
        open_link(page, card_lab, task, **{"mfns-view": "card"})
        card_tab = page.locator(CARD_TAB)
        frame = card_tab.frame_locator("iframe")
        expect(card_tab.locator(".jp-mfns-card-live")).to_be_visible(timeout=30_000)
        expect(frame.get_by_text("tick 0")).to_be_visible(timeout=30_000)
        page_before = card_tab.locator("iframe").get_attribute("srcdoc")

        (gate / "1").touch()
        expect(frame.get_by_text("tick 1")).to_be_visible(timeout=30_000)
        assert card_tab.locator("iframe").get_attribute("srcdoc") == page_before  # updated in place
        screenshot(page, "card-live-mid-run")

        # hidden behind another tab: nothing asked; shown again: updates resume
        panel = page.locator(PANEL)
        if not panel.is_visible():
            page.locator('.lm-TabBar-tab[data-id="jupyter-mfns-panel"]').click()
        go_to(panel, task)
        expect(main_tab(page, "task", task)).to_be_visible()
        expect(card_tab).to_have_count(0)
        assert count_data_requests(page, 5) == 0
        page.locator(".lm-TabBar-tab[data-mfns-kind=card]").click()
        (gate / "2").touch()
        expect(frame.get_by_text("tick 2")).to_be_visible(timeout=30_000)

        (gate / "done").touch()
        run.wait(timeout=120)
    expect(card_tab.locator(".jp-mfns-card-live")).to_have_count(0, timeout=30_000)
    expect(frame.get_by_text("tick 2")).to_be_visible()
    assert count_data_requests(page, 5) == 0
