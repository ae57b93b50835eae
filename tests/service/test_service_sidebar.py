"""The sidebar in a real JupyterLab configured only for the service + S3 deployment (as anne):
the runs table, a task's log and "Load into notebook" all work and match Metaflow's client."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest
from service_oracle import ask_service_metaflow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from e2e_lab import Lab, go_to, main_tab, open_lab, row_pathspecs, widen_sidebar  # noqa: E402
from oracle import q_runs  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

pytestmark = pytest.mark.e2e  # a browser test


@pytest.fixture(scope="module")
def service_lab(deployment, story, tmp_path_factory) -> Iterator[Lab]:
    home = tmp_path_factory.mktemp("service-lab")
    lab = Lab(deployment.workdir / "client", home, deployment.env("anne"))
    try:
        yield lab
    finally:
        lab.stop()


def test_sidebar_browses_the_service_and_loads_from_s3(page, service_lab, deployment, story):
    (talk_runs,) = ask_service_metaflow(deployment, [q_runs("TalkFlow", "user:anne")])
    panel = open_lab(page, service_lab)
    expect(panel.locator("#jp-mfns-namespace")).to_have_value("user:anne")
    widen_sidebar(page, 760)
    panel.locator('.jp-mfns-flow[data-flow="TalkFlow"] .jp-mfns-flow-open').click()
    expect(panel.locator(".jp-mfns-summary-count")).to_have_text(f"{len(talk_runs)} runs")
    assert row_pathspecs(panel) == talk_runs

    go_to(panel, story.talk_task)
    tab = main_tab(page, "task", story.talk_task)
    expect(tab.locator('.jp-mfns-log-row[data-n="3000"] .jp-mfns-log-text')).to_have_text(
        "line 03000: the quick brown fox jumps over the lazy dog"
    )
    tab.get_by_role("tab", name="artifacts").click()
    row = tab.locator('tr[data-artifact="frame"]')
    expect(row).to_contain_text("pandas.DataFrame")
    row.get_by_role("button", name="Load frame into notebook").click()
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    table = notebook.locator(".jp-CodeCell").first.locator(".jp-OutputArea-output table.dataframe")
    expect(table).to_be_visible(timeout=90_000)
    expect(table.locator("tbody tr")).to_have_count(50)
