"""The log view in the main area, over the demo store's 3,000-line stdout and a failed task's
stderr: search over the whole log on the server, next / previous, jump to a line, earlier
lines on demand, the whole log downloaded, a failed task opened on its traceback; every number
checked against Metaflow's client (tests/oracle.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from e2e_lab import choose_theme, main_tab, no_text_outside, open_lab, open_link, screenshot
from oracle import ask_metaflow
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

TRACEBACK = "Traceback (most recent call last):"


def metaflow_lines(store, pathspec: str, stream: str) -> list:
    """The texts of Metaflow's `Task.loglines(stream)`, line 1 first."""
    (lines,) = ask_metaflow(
        store.root,
        [{"kind": "loglines", "pathspec": pathspec, "stream": stream, "namespace": None}],
    )
    return [text for _, text in lines]


def failed_task(store) -> str:
    """The failed run's task that raised, as Metaflow's client finds it (ended, unsuccessful)."""
    run = store.story.failed_run
    (steps,) = ask_metaflow(store.root, [{"kind": "steps", "pathspec": run, "namespace": None}])
    (found,) = [
        f"{run}/{step}/{task}"
        for step, tasks in steps
        for task, ended, ok in tasks
        if ended and not ok
    ]
    return found


def open_log(page, lab, task: str, stream: str = "stdout"):
    """The task's tab (opened from a deep link), on `stream`, once its lines are drawn."""
    open_link(page, lab, task)
    tab = main_tab(page, "task", task)
    tab.get_by_role("tab", name=stream).click()
    log = tab.get_by_role("tabpanel", name=stream)
    expect(log.locator(".jp-mfns-log-row").first).to_be_visible(timeout=30_000)
    return log


def row(log, n: int):
    return log.locator(f'.jp-mfns-log-row[data-n="{n}"]')


def in_view(log, n: int) -> bool:
    """Line `n` is drawn inside the visible part of the scroller."""
    return log.locator(".jp-mfns-log-lines").evaluate(
        """(box, n) => {
            const r = box.querySelector(`.jp-mfns-log-row[data-n="${n}"]`);
            if (!r) return false;
            const a = r.getBoundingClientRect(), b = box.getBoundingClientRect();
            return a.top >= b.top && a.bottom <= b.bottom;
        }""",
        n,
    )


def current_match(log) -> int:
    return int(log.locator(".jp-mfns-log-row.jp-mod-current").get_attribute("data-n"))


def test_grep_finds_line_1234_of_3000_and_scrolls_there(page, lab, e2e_store):
    """Given the 3,000-line stdout open at its end, when anne searches for "line 1234 of",
    then the server's search over the whole log finds Metaflow's line 1234 (never loaded
    before), says "1 of 1", and the view scrolls to it; no line wraps over several rows."""
    task = e2e_store.story.long_stdout_task
    theirs = metaflow_lines(e2e_store, task, "stdout")
    expected = next(i for i, t in enumerate(theirs, 1) if t.startswith("line 1234 of"))
    page.set_viewport_size({"width": 900, "height": 800})  # a narrow main area
    log = open_log(page, lab, task)
    expect(row(log, len(theirs))).to_be_visible()  # opens at the end
    assert row(log, expected).count() == 0

    log.get_by_role("searchbox", name="Search the whole stdout").fill("line 1234 of")

    expect(log.locator(".jp-mfns-log-count")).to_have_text("1 of 1")
    expect(row(log, expected)).to_have_class(re.compile("jp-mod-current"))
    assert in_view(log, expected)
    assert row(log, expected).locator(".jp-mfns-log-text").inner_text() == theirs[expected - 1]
    assert row(log, expected).locator("mark").inner_text() == "line 1234 of"
    # one row per line: the demo's lines are wider than this view, yet none wraps
    heights = log.locator(".jp-mfns-log-row").evaluate_all(
        "rows => rows.map(r => r.getBoundingClientRect().height)"
    )
    line_height = log.locator(".jp-mfns-log-lines").evaluate(
        "el => parseFloat(getComputedStyle(el).lineHeight)"
    )
    assert max(heights) < 1.5 * line_height, (max(heights), line_height)
    scroll = log.locator(".jp-mfns-log-lines").evaluate("el => el.scrollWidth > el.clientWidth")
    assert scroll, "long lines scroll sideways instead of wrapping"
    # only the visible rows are in the page (virtualized)
    assert log.locator(".jp-mfns-log-row").count() < 200
    screenshot(page, "log-search-1234")


def test_next_and_previous_walk_the_matches_of_the_whole_log(page, lab, e2e_store):
    task = e2e_store.story.long_stdout_task
    theirs = metaflow_lines(e2e_store, task, "stdout")
    matches = [i for i, t in enumerate(theirs, 1) if "line 12" in t.lower()]
    log = open_log(page, lab, task)
    search = log.get_by_role("searchbox", name="Search the whole stdout")
    search.fill("LINE 12")  # case-insensitive by default
    count = log.locator(".jp-mfns-log-count")
    expect(count).to_have_text(re.compile(rf"^\d+ of {len(matches)}$"))
    k = int(count.inner_text().split()[0])
    assert current_match(log) == matches[k - 1]

    search.press("Enter")  # next
    expect(count).to_have_text(f"{k % len(matches) + 1} of {len(matches)}")
    assert current_match(log) == matches[k % len(matches)]
    assert in_view(log, current_match(log))
    log.get_by_role("button", name="Previous match").click()
    log.get_by_role("button", name="Previous match").click()
    previous = (k - 2) % len(matches)
    expect(count).to_have_text(f"{previous + 1} of {len(matches)}")
    assert current_match(log) == matches[previous]
    assert in_view(log, matches[previous])
    # Match case: "LINE 12" is not in the log as such
    log.get_by_role("button", name="Match case").click()
    expect(count).to_have_text("No match")


def test_jump_to_a_line_and_load_earlier_lines_with_their_counts(page, lab, e2e_store):
    task = e2e_store.story.long_stdout_task
    theirs = metaflow_lines(e2e_store, task, "stdout")
    total = len(theirs)
    log = open_log(page, lab, task)
    window = log.locator(".jp-mfns-log-window")
    # Given the end of the log: "Lines F–3,000 of 3,000", F-1 earlier lines not loaded
    expect(window.locator(".jp-mfns-log-range")).to_have_text(
        re.compile(rf"^Lines [\d,]+–{total:,} of {total:,}$")
    )
    first = int(
        window.locator(".jp-mfns-log-range").inner_text().split()[1].split("–")[0].replace(",", "")
    )
    remain = window.locator(".jp-mfns-log-remain")
    expect(remain).to_have_text(f"{first - 1:,} earlier lines not loaded")
    # When she loads earlier lines until none remain, the counts follow
    while first > 1:
        button = window.get_by_role("button", name=re.compile("^Load [\\d,]+ earlier$"))
        step = int(button.inner_text().split()[1].replace(",", ""))
        button.click()
        first -= step
        if first > 1:
            expect(remain).to_have_text(f"{first - 1:,} earlier lines not loaded")
    expect(window.locator(".jp-mfns-log-range")).to_have_text(f"{total:,} lines")
    expect(remain).to_have_count(0)

    # And a jump to line 17 shows Metaflow's line 17 in view, marked
    page.reload()
    log = open_log(page, lab, task)
    log.get_by_role("spinbutton", name="Go to line").fill("17")
    log.get_by_role("spinbutton", name="Go to line").press("Enter")
    expect(row(log, 17)).to_have_class(re.compile("jp-mfns-log-target"))
    assert in_view(log, 17)
    assert row(log, 17).locator(".jp-mfns-log-text").inner_text() == theirs[16]
    assert row(log, 17).locator(".jp-mfns-log-n").inner_text() == "17"


def test_download_gives_metaflows_whole_log(page, lab, e2e_store, tmp_path: Path):
    """The Download link saves the whole log (not the loaded window) through the browser's
    own download, equal to Metaflow's `Task.stdout`."""
    task = e2e_store.story.long_stdout_task
    (text,) = ask_metaflow(
        e2e_store.root, [{"kind": "log", "pathspec": task, "stream": "stdout", "namespace": None}]
    )
    log = open_log(page, lab, task)
    with page.expect_download() as info:
        log.get_by_role("link", name="Download").click()
    download = info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_text(encoding="utf-8") == text
    assert download.suggested_filename == task.replace("/", "-") + "-stdout.log"
    # the same link without its _xsrf value, cookie only, is refused (no forged downloads)
    href = log.get_by_role("link", name="Download").get_attribute("href")
    bare = re.sub(r"&_xsrf=[^&]*", "", href)
    status = page.evaluate(
        "url => fetch(url, {credentials: 'include', referrerPolicy: 'no-referrer'})"
        ".then(r => r.status)",
        bare,
    )
    assert status == 403


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_failed_task_opens_on_its_traceback(page, lab, e2e_store, theme):
    """Given the task that raised, when anne opens it, then its tab shows stderr at the last
    traceback, which is where Metaflow's loglines have it."""
    task = failed_task(e2e_store)
    theirs = metaflow_lines(e2e_store, task, "stderr")
    expected = max(i for i, t in enumerate(theirs, 1) if t.startswith(TRACEBACK))
    open_lab(page, lab)
    if theme == "dark":
        choose_theme(page, "JupyterLab Dark")
        expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "false")
    try:
        open_link(page, lab, task)
        tab = main_tab(page, "task", task)
        expect(tab.get_by_role("tab", name=re.compile("^stderr"))).to_have_attribute(
            "aria-selected", "true"
        )
        log = tab.get_by_role("tabpanel", name="stderr")
        target = log.locator(".jp-mfns-log-row.jp-mfns-log-target")
        expect(target).to_have_attribute("data-n", str(expected))
        assert target.locator(".jp-mfns-log-text").inner_text() == TRACEBACK
        assert in_view(log, expected)
        log.get_by_role("checkbox", name="Timestamps").check()
        expect(log.locator(".jp-mfns-log-ts").first).to_have_text(
            re.compile(r"^\d\d:\d\d:\d\d\.\d{3}$")
        )
        assert no_text_outside(page, ".jp-mfns-tabwidget:not(.lm-mod-hidden)") == []
        screenshot(page, f"log-traceback-{theme}")
    finally:
        if theme == "dark":
            choose_theme(page, "JupyterLab Light")
