"""The runs table's tag filter: several tags combine with AND, as `Flow(F).runs(*tags)` does."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from e2e_lab import open_lab, row_pathspecs, screenshot, widen_sidebar
from oracle import ask_metaflow, q_runs
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

FLOW = "PredictionFlow"
TAGS = ("crazy_test", "2026-11-21")
SETTINGS_SCHEMA = Path(__file__).resolve().parents[2] / "labextension" / "schema" / "plugin.json"


def test_two_tags_show_exactly_the_runs_carrying_both(page, lab, e2e_store):
    """Given anne's PredictionFlow runs, when she filters by two tags (the first picked from the
    autocomplete), then the table lists exactly the runs carrying both, in Metaflow's order; and
    removing one chip widens the filter again."""
    both, first_only, unfiltered = ask_metaflow(
        e2e_store.root,
        [
            q_runs(FLOW, "user:anne", TAGS),
            q_runs(FLOW, "user:anne", TAGS[:1]),
            q_runs(FLOW, "user:anne"),
        ],
    )
    assert 0 < len(both) < len(first_only) <= len(unfiltered)  # AND must make a difference
    panel = open_lab(page, lab)
    widen_sidebar(page, 760)
    panel.locator('.jp-mfns-flow[data-flow="PredictionFlow"] .jp-mfns-flow-open').click()
    expect(panel.locator(".jp-mfns-summary-count")).to_have_text(f"{len(unfiltered)} runs")

    box = panel.get_by_role("combobox", name="Filter runs by tag")
    box.fill("crazy")
    suggestion = panel.get_by_role("listbox").get_by_role("option").filter(has_text=TAGS[0])
    expect(suggestion).to_be_visible()
    box.press("ArrowDown")
    box.press("Enter")
    expect(panel.locator(".jp-mfns-tagfilter .jp-mfns-chip")).to_have_count(1)
    expect(panel.locator(".jp-mfns-summary-count")).to_contain_text(f"{len(first_only)} run")
    box.fill(TAGS[1])
    box.press("Enter")

    expect(panel.locator(".jp-mfns-tagfilter .jp-mfns-chip")).to_have_count(2)
    expect(panel.locator(".jp-mfns-summary-count")).to_contain_text(f"{len(both)} run")
    assert row_pathspecs(panel) == both
    for row in panel.locator(".jp-mfns-runrow[data-pathspec]").all():
        for tag in TAGS:
            expect(row.locator(f'.jp-mfns-chip[data-tag="{tag}"]')).to_have_count(1)
    screenshot(page, "runs-two-tags")

    panel.get_by_role("button", name=f"Remove tag {TAGS[1]}").click()

    expect(panel.locator(".jp-mfns-summary-count")).to_contain_text(f"{len(first_only)} run")
    assert row_pathspecs(panel) == first_only


def put_settings(lab, raw: str) -> None:
    """Save the extension's user settings on the server (as the Settings Editor does)."""
    body = json.dumps({"raw": raw}).encode()
    request = urllib.request.Request(
        lab.url("lab/api/settings/jupyter-mfns:plugin"), data=body, method="PUT"
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def test_the_largest_page_size_setting_works_against_the_server_limits(page, lab, e2e_store):
    """Given the page size setting at its maximum (the settings schema's) and a server with
    its default limits, when anne opens a flow's runs, then every request asks for at most the
    server's max_page_size (GET status) and the runs are listed as Metaflow lists them."""
    with urllib.request.urlopen(lab.url("mfns/api/status"), timeout=10) as answer:
        limits = json.load(answer)["limits"]
    largest = json.loads(SETTINGS_SCHEMA.read_text())["properties"]["pageSize"]["maximum"]
    (runs,) = ask_metaflow(e2e_store.root, [q_runs(FLOW, "user:anne")])
    asked = []
    page.on(
        "request",
        lambda r: (
            asked.append(parse_qs(urlparse(r.url).query).get("limit", [None])[0])
            if "/mfns/api/runs" in r.url
            else None
        ),
    )
    put_settings(lab, json.dumps({"pageSize": largest}))
    try:
        panel = open_lab(page, lab)
        panel.locator('.jp-mfns-flow[data-flow="PredictionFlow"] .jp-mfns-flow-open').click()
        expect(panel.locator(".jp-mfns-summary-count")).to_have_text(f"{len(runs)} runs")
        assert row_pathspecs(panel) == runs
        expect(panel.locator(".jp-mfns-problem")).to_have_count(0)
        sizes = [int(size) for size in asked if size is not None]
        assert sizes and max(sizes) == min(largest, limits["max_page_size"])
    finally:
        put_settings(lab, "{}")
