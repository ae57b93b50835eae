"""The compare tab over real CompareFlow runs (tests/compare_story.py): opened from the runs
explorer's multi-select and from a `lab?mfns-compare=` link, its parameters equal to Metaflow's
client's, "only differences" on by default, "Load both into notebook" running the server's cell,
the runs' cards side by side; light and dark."""

from __future__ import annotations

import json
import re
from typing import Dict, Iterator, List

import pytest
from compare_story import CompareStore
from e2e_lab import PANEL, Lab, choose_theme, luminance, open_lab, screenshot
from explorer_page import explorer_row, open_explorer
from playwright.sync_api import expect

from harness.demo_stores import client_json

pytestmark = pytest.mark.e2e

FLOW = "CompareFlow"
TAB = '#jp-main-dock-panel .jp-mfns-tabwidget[data-mfns-kind="compare"]'

_PARAMETERS = """
from metaflow import Run, namespace
namespace(None)
result = {}
for pathspec in %r:
    task = Run(pathspec)["_parameters"].task
    names = [p["name"] for p in task["_graph_info"].data["parameters"]]
    result[pathspec] = {n: task[n].data for n in names}
"""


@pytest.fixture(scope="module")
def compare_lab(compare_store: CompareStore, tmp_path_factory) -> Iterator[Lab]:
    """JupyterLab over the CompareFlow runs, as anne (its kernels read the same store)."""
    server = Lab(compare_store.root, tmp_path_factory.mktemp("compare-lab"), compare_store.env())
    try:
        yield server
    finally:
        server.stop()


def metaflow_parameters(store: CompareStore, runs: List[str]) -> Dict[str, Dict[str, object]]:
    """Each run's parameters as Metaflow's client gives them."""
    return client_json(store.root, "anne", _PARAMETERS % (runs,))


def shown(value: object) -> str:
    """A plain value as the tab writes it: strings as they are, others as compact JSON."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def row_names(tab, section: str) -> List[str]:
    return tab.locator(f'tbody[data-section="{section}"] tr[data-row]').evaluate_all(
        "rows => rows.map(r => r.dataset.row)"
    )


def run_heads(tab) -> List[str]:
    return tab.locator("th.jp-mfns-cmp-run").evaluate_all(
        "heads => heads.map(h => h.dataset.pathspec)"
    )


def cell_texts(tab, row: str) -> List[str]:
    return tab.locator(f'tr[data-row="{row}"] td.jp-mfns-cmp-cell').all_inner_texts()


def test_compare_from_the_explorer_shows_what_metaflow_says_differs(
    page, compare_lab, compare_store
):
    """Given anne's CompareFlow runs in the explorer, when she selects `base` and `rescaled`
    and clicks Compare, then a compare tab shows, with only differences, exactly the
    parameters whose values Metaflow's client says differ, with those values, the differing
    cells marked; unticking "Only differences" shows every parameter and more rows."""
    base, rescaled = compare_store["base"], compare_store["rescaled"]
    open_lab(page, compare_lab)
    explorer = open_explorer(page, FLOW)
    explorer_row(explorer, base).click()
    explorer_row(explorer, rescaled).click(modifiers=["ControlOrMeta"])
    explorer.get_by_role("button", name="Compare", exact=True).click()

    tab = page.locator(TAB)
    expect(tab.locator("th.jp-mfns-cmp-run")).to_have_count(2)
    runs = run_heads(tab)
    assert sorted(runs) == sorted([base, rescaled])
    toggle = tab.get_by_role("checkbox", name="Only differences")
    expect(toggle).to_be_checked()

    truth = metaflow_parameters(compare_store, runs)
    names = sorted(truth[runs[0]])
    assert names == sorted(truth[runs[1]])
    differing = [n for n in names if truth[runs[0]][n] != truth[runs[1]][n]]
    assert differing, "the story's runs differ in their parameters"
    expect(tab.locator('tbody[data-section="parameters"] tr[data-row]')).to_have_count(
        len(differing)
    )
    assert sorted(row_names(tab, "parameters")) == differing
    for name in differing:
        assert cell_texts(tab, name) == [shown(truth[r][name]) for r in runs]
        row = tab.locator(f'tr[data-row="{name}"]')
        expect(row).to_have_class(re.compile("jp-mod-differs"))
        expect(row.locator("td.jp-mod-changed")).to_have_count(1)  # the second run's
    rows_with_differences = tab.locator("tr[data-row]").count()
    screenshot(page, "compare-differences")

    toggle.uncheck()
    expect(tab.locator('tbody[data-section="parameters"] tr[data-row]')).to_have_count(len(names))
    assert sorted(row_names(tab, "parameters")) == names
    for name in set(names) - set(differing):
        assert cell_texts(tab, name) == [shown(truth[r][name]) for r in runs]
        expect(tab.locator(f'tr[data-row="{name}"]')).not_to_have_class(
            re.compile("jp-mod-differs")
        )
    assert tab.locator("tr[data-row]").count() > rows_with_differences
    screenshot(page, "compare-all-rows")


def test_a_compare_link_opens_the_tab_and_load_both_runs_the_servers_cell(
    page, compare_lab, compare_store
):
    """Given a link lab?mfns-compare=<base>,<widened>, when anne loads it, then the compare
    tab opens on those two runs (the query leaves the address bar); "Load both into notebook"
    on the changed `start.table` runs exactly the cell GET compare answers for it, showing the
    columns that differ; "Cards side by side" opens the two runs' start cards in a card tab."""
    runs = [compare_store["base"], compare_store["widened"]]
    open_lab(page, compare_lab)
    page.goto(compare_lab.url("lab", **{"mfns-compare": ",".join(runs)}))
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=90_000)

    tab = page.locator(TAB)
    expect(tab.locator("th.jp-mfns-cmp-run")).to_have_count(2)
    assert run_heads(tab) == runs
    expect(page).not_to_have_url(re.compile("mfns-compare="))

    status, answer = compare_lab.request(
        "GET", "compare", [("run", runs[0]), ("run", runs[1]), ("namespace", "user:anne")]
    )
    assert status == 200, answer
    (table,) = [a for a in answer["artifacts"] if a["step"] == "start" and a["name"] == "table"]
    assert table["differs"] and table["code"]
    row = tab.locator('tr[data-row="start.table"]')
    expect(row).to_have_class(re.compile("jp-mod-differs"))
    screenshot(page, "compare-link")

    row.get_by_role("button", name="Load both into notebook").click()
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    cell = notebook.locator(".jp-CodeCell").first
    expect(cell.locator(".jp-OutputArea-output").last).to_be_visible(timeout=90_000)
    source = cell.locator(".cm-content").inner_text()
    assert source.splitlines() == table["code"].splitlines()
    expect(cell.locator(".jp-OutputArea-output")).not_to_contain_text("Error")
    expect(cell.locator(".jp-OutputArea-output").last).to_contain_text("extra")

    # back to the comparison: every step row, the start step's cards side by side
    page.locator('.lm-TabBar-tab[data-mfns-kind="compare"]').click()
    tab.get_by_role("checkbox", name="Only differences").uncheck()
    cards = tab.locator('tr[data-row="step:start"]').get_by_role(
        "button", name="Cards side by side"
    )
    expect(cards).to_be_visible(timeout=30_000)
    cards.click()
    card_tab = page.locator('#jp-main-dock-panel .jp-mfns-tabwidget[data-mfns-kind="card"]')
    expect(card_tab).to_be_visible()
    for run in runs:
        expect(card_tab).to_contain_text(run)


def test_a_compare_link_to_another_users_run_asks_before_switching(
    page, compare_lab, compare_store
):
    """Given anne's namespace, when she loads a compare link naming will's run, then a dialog
    asks before switching; switching to the global namespace opens the comparison there."""
    runs = [compare_store["base"], compare_store["wills"]]
    panel = open_lab(page, compare_lab)
    expect(panel.locator("#jp-mfns-namespace")).to_have_value("user:anne")
    page.goto(compare_lab.url("lab", **{"mfns-compare": ",".join(runs)}))
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=90_000)

    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text(f"{runs[1]} is not in user:anne")
    expect(page.locator(TAB)).to_have_count(0)
    screenshot(page, "compare-ask-namespace")
    dialog.get_by_role("button", name=re.compile("Switch to (global|all)", re.I)).click()

    tab = page.locator(TAB)
    expect(tab.locator("th.jp-mfns-cmp-run")).to_have_count(2)
    assert run_heads(tab) == runs
    expect(page.locator(f"{PANEL} #jp-mfns-namespace")).to_have_value("")


def test_compare_tab_looks_right_in_light_and_dark(page, compare_lab, compare_store):
    """The comparison of three runs, every row, in the light and the dark theme: the heads and
    labels readable, the differing cells tinted (saved as screenshots and looked at)."""
    runs = [compare_store["base"], compare_store["rescaled"], compare_store["widened"]]
    open_lab(page, compare_lab)
    page.goto(compare_lab.url("lab", **{"mfns-compare": ",".join(runs)}))
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=90_000)
    tab = page.locator(TAB)
    expect(tab.locator("th.jp-mfns-cmp-run")).to_have_count(3)
    expect(tab.locator("td.jp-mod-changed").first).to_be_visible()
    screenshot(page, "compare-light")
    choose_theme(page, "JupyterLab Dark")
    expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "false")
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=60_000)
    expect(tab.locator("td.jp-mod-changed").first).to_be_visible()
    background = tab.evaluate("el => getComputedStyle(el).backgroundColor")
    label = tab.locator("th.jp-mfns-cmp-label").first.evaluate("el => getComputedStyle(el).color")
    assert luminance(background) < 0.3 < luminance(label), (background, label)
    screenshot(page, "compare-dark")
    choose_theme(page, "JupyterLab Light")
    expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "true")


def test_compare_with_on_a_run_tab_picks_other_runs_of_its_flow(page, compare_lab, compare_store):
    """Given `base` open in its run tab, when anne clicks "Compare with…", ticks `rescaled`
    among the flow's other runs (`base` itself not offered) and confirms, then the compare tab
    opens on `base` beside `rescaled`."""
    base, rescaled = compare_store["base"], compare_store["rescaled"]
    open_lab(page, compare_lab)
    page.goto(compare_lab.url("lab", mfns=base))
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=90_000)
    run_tab = page.locator(f'#jp-main-dock-panel .jp-mfns-tabwidget[data-mfns-key="run:{base}"]')
    run_tab.get_by_role("button", name="Compare with…").click()

    dialog = page.locator(".jp-Dialog")
    expect(dialog.locator(f'label[data-pathspec="{rescaled}"]')).to_be_visible()
    expect(dialog.locator(f'label[data-pathspec="{base}"]')).to_have_count(0)
    dialog.locator(f'label[data-pathspec="{rescaled}"] input').check()
    screenshot(page, "compare-with")
    dialog.get_by_role("button", name="Compare").click()

    tab = page.locator(TAB)
    expect(tab.locator("th.jp-mfns-cmp-run")).to_have_count(2)
    assert run_heads(tab) == [base, rescaled]
