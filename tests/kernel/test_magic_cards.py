"""`%mfns cards TASK` in a real kernel, and the widget's Cards tab: cards shown sandboxed, equal
to Metaflow's `card.get()`, without touching the kernel's Metaflow namespace (which Metaflow's
own `get_cards("F/R/S/T")` silently sets to global)."""

from __future__ import annotations

import html
import re

import pytest
from card_store import metaflow_cards, sha256

from jupyter_mfns.core import Catalog
from jupyter_mfns.core.store import LocalStore
from jupyter_mfns.kernel.session import KernelSession
from jupyter_mfns.kernel.widget import Browser

FRAME = re.compile(r'<iframe sandbox="([^"]*)" title="[^"]*" style="[^"]*" srcdoc="([^"]*)">')


def train_task(store, run: str) -> str:
    step = store.root / ".metaflow" / run / "train"
    task_id = sorted(p.name for p in step.iterdir() if p.is_dir() and p.name != "_meta")[0]
    return f"{run}/train/{task_id}"


def frames(page: str) -> list:
    """(sandbox, page) of every card frame in an output."""
    return [(sandbox, html.unescape(doc)) for sandbox, doc in FRAME.findall(page)]


def test_cards_render_sandboxed_and_equal_card_get(kernel, store):
    """Given anne's kernel in her namespace, when she runs %mfns cards on a train task, then
    the output holds each card in a frame that may only run scripts, its page exactly
    Metaflow's card.get(), and her Metaflow namespace is unchanged."""
    kernel.run("%mfns namespace --default")
    task = train_task(store, store.story.anne_prediction_runs[0])
    done = kernel.run(f"%mfns cards {task}")
    shown = frames(done.result["text/html"])
    theirs = metaflow_cards(store.root, [task])[task]["cards"]
    assert [sandbox for sandbox, _ in shown] == ["allow-scripts"] * len(theirs) and shown
    assert [sha256(page.encode("utf-8")) for _, page in shown] == [c["html_sha256"] for c in theirs]
    assert "allow-same-origin" not in done.result["text/html"]
    assert "blank card &quot;model_report&quot;" in done.result["text/html"]
    assert kernel.json("__import__('metaflow').get_namespace()") == "user:anne"


def test_metaflows_get_cards_changes_the_namespace_and_the_magic_does_not(kernel, store):
    """The defect avoided: Metaflow's get_cards with a pathspec leaves the kernel global."""
    kernel.run("%mfns namespace --default")
    task = train_task(store, store.story.anne_prediction_runs[0])
    kernel.run(f"%mfns cards {task} --id model_report")
    assert kernel.json("__import__('metaflow').get_namespace()") == "user:anne"
    kernel.run(f"from metaflow.cards import get_cards\n_ = get_cards({task!r})")
    assert kernel.json("__import__('metaflow').get_namespace()") is None
    kernel.run("%mfns namespace --default")


def test_a_resumed_tasks_cards_come_from_its_origin(kernel, store):
    story = store.story
    kernel.run("%mfns namespace user:will")
    task = train_task(store, story.resumed_run)
    done = kernel.run(f"%mfns cards {task}")
    kernel.run("%mfns namespace --default")
    assert f"made by {story.failed_run}/train/" in done.result["text/html"]
    ((_, page),) = frames(done.result["text/html"])
    theirs = metaflow_cards(store.root, [task])[task]["cards"]
    assert sha256(page.encode("utf-8")) == theirs[0]["html_sha256"]


def test_filters_and_bad_input_answer_in_one_line(kernel, store):
    kernel.run("%mfns namespace --default")
    task = train_task(store, store.story.anne_prediction_runs[0])
    none = kernel.run(f"%mfns cards {task} --type default")
    assert none.result is None and "has no matching card" in none.stdout
    bare = kernel.run(f"%mfns cards {store.story.artifact_task}")
    assert bare.result is None and "has no card" in bare.stdout
    for line in ("%mfns cards ../../etc/passwd", "%mfns cards PredictionFlow/1/train"):
        bad = kernel.execute(line)
        assert not bad.ok and bad.reply["content"]["ename"] == "UsageError"
        assert "\n" not in bad.stderr.strip()
    other = kernel.execute(f"%mfns cards {train_task(store, store.story.will_prediction_runs[0])}")
    assert not other.ok and "user:will" in other.stderr


@pytest.fixture
def browser(store, tmp_path):
    session = KernelSession(catalog=Catalog(LocalStore(store.root), cache_dir=tmp_path / "c"))
    b = Browser(namespace="user:anne", flow="PredictionFlow", session=session, user_ns={})
    yield b
    b.close()


def test_the_widget_lists_a_tasks_cards_and_shows_one_when_its_tab_opens(browser, store):
    """Given the browser on a train task, its Cards tab lists the task's cards; opening the
    tab shows the chosen one in a sandboxed frame (not before)."""
    run = store.story.anne_prediction_runs[0]
    task = train_task(store, run)
    browser.runs_select.value = run
    browser.tasks_select.value = task
    box = browser.cards_box
    theirs = metaflow_cards(store.root, [task])[task]["cards"]
    assert [v for _, v in box.card_select.options] == [c["hash"] for c in theirs]
    assert box.frame.value == ""  # nothing read while the tab is closed
    browser.tabs.selected_index = 2
    ((sandbox, page),) = frames(box.frame.value)
    assert sandbox == "allow-scripts"
    assert sha256(page.encode("utf-8")) == theirs[0]["html_sha256"]
    browser.tasks_select.value = next(v for _, v in browser.tasks_select.options if "/start/" in v)
    assert box.card_select.options == () and "made no card" in box.note.value
