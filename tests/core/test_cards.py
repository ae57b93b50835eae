"""Cards in the core: listed, read and followed live exactly as Metaflow's card client does
(tests/card_store.py runs real `@card` flows; `get_cards` in a subprocess is the oracle)."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, List, Optional, TypeVar

import pytest
from card_store import LIVE_CARD_FLOW, CardStore, listed, metaflow_cards, sha256

from jupyter_mfns.core import Catalog
from jupyter_mfns.core.errors import (
    InvalidArgument,
    InvalidPathspec,
    NamespaceMismatch,
    NotFound,
)
from jupyter_mfns.core.store import LocalStore
from jupyter_mfns.demo.runner import start_flow

T = TypeVar("T")


@pytest.fixture
def catalog(card_store: CardStore, tmp_path: Path, monkeypatch) -> Iterator[Catalog]:
    monkeypatch.setenv("METAFLOW_USER", "anne")
    cat = Catalog(LocalStore(card_store.root), cache_dir=tmp_path / "cache")
    yield cat
    cat.close()


def every_task(store: CardStore) -> List[str]:
    return [t for steps in store.tasks.values() for t in steps.values()]


def test_every_task_lists_the_cards_get_cards_lists(card_store: CardStore, catalog: Catalog):
    """Given real runs with cards (default, two on one task, an id, a resumed run whose card
    steps were cloned, a pre-2022 layout), when each task's cards are listed, then they are
    get_cards(task)'s, in its order, each HTML equal to card.get() and its size in bytes."""
    tasks = every_task(card_store)
    theirs = metaflow_cards(card_store.root, tasks)

    for task in tasks:
        ours = catalog.cards(task, None)
        assert listed(ours) == [
            {k: c[k] for k in ("type", "id", "hash")} for c in theirs[task]["cards"]
        ], task
        assert ours["origin_task"] == theirs[task]["origin"], task
        for card, their in zip(ours["cards"], theirs[task]["cards"]):
            html = catalog.card_html(task, card["hash"], None)
            assert sha256(html) == their["html_sha256"], (task, card)
            assert card["size"] == len(html)

    # the store holds what the test means to cover (so the equalities above are not vacuous)
    report = catalog.cards(card_store.task("done", "report"), None)["cards"]
    assert sorted((c["type"], c["id"]) for c in report) == [("blank", "summary"), ("default", None)]
    assert catalog.cards(card_store.old_layout_task, None)["cards"][0]["type"] == "default"
    resumed = catalog.cards(card_store.task("resumed", "report"), None)
    assert resumed["origin_task"] == card_store.task("failed", "report")
    assert catalog.cards(card_store.task("done", "end"), None)["cards"] == []


def test_card_data_is_get_data(card_store: CardStore, catalog: Catalog):
    """Given the finished cards, when their data is read, then it is Card.get_data() (the
    final update: reload token "final"), and the custom card's data holds its components."""
    tasks = [card_store.task("done", "report"), card_store.task("resumed", "report")]
    theirs = metaflow_cards(card_store.root, tasks)
    for task in tasks:
        for their in theirs[task]["cards"]:
            ours = catalog.card_data(task, their["hash"], None)
            assert ours["payload"] == their["data"]
            assert ours["finished"] and ours["status"] == "succeeded"
    summary = next(c for c in theirs[tasks[0]]["cards"] if c["id"] == "summary")
    data = catalog.card_data(tasks[0], summary["hash"], None)["payload"]
    assert data["reload_token"] == "final"
    updatable = sorted(component["type"] for component in data["data"].values())
    assert updatable == ["markdown", "table"]  # an Image is not updated live
    html = catalog.card_html(tasks[0], summary["hash"], None).decode("utf-8")
    assert {"markdown", "table", "image"} <= component_types(html)


def component_types(html: str) -> set:
    """Types of the components a Metaflow card page renders (its base64 `__MF_DATA__`)."""
    encoded = re.search(r'__MF_DATA__\["[^"]+"\] = "([^"]+)"', html).group(1)
    found = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("type"), str):
                found.add(node["type"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(base64.b64decode(encoded)))
    return found


def test_the_namespace_is_checked_and_the_origin_followed_in_any(
    card_store: CardStore, catalog: Catalog
):
    """Given will's resume of anne's run, when anne asks in her namespace, then it is refused
    with will's namespace; in will's the cards come from anne's origin run all the same."""
    task = card_store.task("resumed", "report")
    with pytest.raises(NamespaceMismatch) as refused:
        catalog.cards(task, "user:anne")
    assert refused.value.extra["namespaces"] == ["user:will"]
    answer = catalog.cards(task, "user:will")
    assert answer["origin_task"] == card_store.task("failed", "report")
    assert len(answer["cards"]) == 2


# -- hostile input ------------------------------------------------------------------------------
_opened: Optional[List[str]] = None


def _audit(event: str, args: tuple) -> None:
    if _opened is not None and event in ("open", "os.listdir", "os.scandir", "os.stat"):
        if args and isinstance(args[0], (str, bytes, os.PathLike)):
            _opened.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


@contextmanager
def files_touched() -> Iterator[List[str]]:
    """Every path this process opens, lists or stats inside the block (Python audit events)."""
    global _opened
    _opened = []
    try:
        yield _opened
    finally:
        _opened = None


HOSTILE_HASHES = [
    "../../../../secret",
    "..",
    "",
    "a/b",
    "a\\b",
    "abc.html",
    "abc-def",
    "x" * 129,
    "%2e%2e",
    "abc\0",
    "ca\u0301rd",
]
HOSTILE_PATHSPECS = [
    "../../secret",
    "CardFlow/../report/1",
    "CardFlow/1/report",
    "CardFlow/1/report/1/x",
    "/etc/passwd",
    "CardFlow/1/report/..",
    "",
]


def test_hostile_hashes_and_pathspecs_are_refused_and_read_nothing_outside(
    card_store: CardStore, catalog: Catalog, tmp_path: Path
):
    """Given a secret file beside the store, when cards are asked with hashes and pathspecs
    made to climb out, then each is refused (400, or 404 for a well-formed unknown one) and
    no file outside the store's `.metaflow` folder is touched."""
    secret = card_store.root / "secret.html"
    secret.write_text("secret")
    task = card_store.task("done", "report")
    store_root = str(card_store.root / ".metaflow")
    with files_touched() as touched:
        for bad in HOSTILE_HASHES:
            for read in (catalog.card_html, catalog.card_data):
                with pytest.raises(InvalidArgument):
                    read(task, bad, None)
        for bad in HOSTILE_PATHSPECS:
            for call in (
                lambda p: catalog.cards(p, None),
                lambda p: catalog.card_html(p, "0" * 32, None),
            ):
                with pytest.raises(InvalidPathspec):
                    call(bad)
        with pytest.raises(NotFound):
            catalog.card_html(task, "0" * 32, None)
        with pytest.raises(NotFound):
            catalog.cards(
                f"{card_store.done.split('/')[0]}/{card_store.done.split('/')[1]}/report/999", None
            )
    outside = [p for p in touched if not os.path.abspath(p).startswith(store_root + os.sep)]
    assert outside == [], outside
    assert any("mf.cards" in p for p in touched)  # the audit saw the reads that did happen
    assert not any("secret" in p for p in touched)


def test_hostile_names_in_the_card_folder_and_origins_in_metadata_are_not_followed(
    card_store: CardStore, tmp_path: Path, monkeypatch
):
    """Given a copy of the store where someone planted card files with odd names and a task
    whose metadata names an origin task '../../../secret', when its cards are listed and read,
    then odd names are not cards, the origin is not followed, and nothing outside is read."""
    monkeypatch.setenv("METAFLOW_USER", "anne")
    copy = tmp_path / "copy"
    shutil.copytree(card_store.root / ".metaflow", copy / ".metaflow")
    flow, run, step, task_id = card_store.task("done", "report").split("/")
    cards_dir = copy / ".metaflow" / "mf.cards" / flow / "runs" / run / "steps" / step / "tasks"
    planted = cards_dir / task_id / "cards"
    for name in ("default-a-b-c-d.html", "x-..html", "default-abc.txt", "-abc.html"):
        (planted / name).write_text("<p>planted</p>")
    (planted / "sub-folder1.html").mkdir()
    meta = copy / ".metaflow" / flow / run / step / task_id / "_meta"
    for field, value in (("origin-run-id", run), ("origin-task-id", "../../../secret")):
        (meta / f"sysmeta_{field}_9.json").write_text(
            json.dumps({"field_name": field, "value": value, "type": field})
        )
    cat = Catalog(LocalStore(copy), cache_dir=tmp_path / "cache")
    try:
        with files_touched() as touched:
            answer = cat.cards(f"{flow}/{run}/{step}/{task_id}", None)
            for card in answer["cards"]:
                cat.card_html(answer["pathspec"], card["hash"], None)
    finally:
        cat.close()
    assert answer["origin_task"] is None
    assert sorted((c["type"], c["id"]) for c in answer["cards"]) == [
        ("blank", "summary"),
        ("default", None),
    ]
    root = str(copy / ".metaflow") + os.sep
    assert any(p.endswith(".html") for p in touched)
    assert [p for p in touched if not os.path.abspath(p).startswith(root)] == []


# -- live cards -----------------------------------------------------------------------------------
def wait_for(what: str, probe: Callable[[], Optional[T]], timeout: float = 90) -> T:
    """Poll `probe` until it returns something truthy (a deadline, never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_live_card_updates_while_its_task_runs(tmp_path: Path, monkeypatch):
    """Given a task refreshing its card while it runs, when the test moves it on a tick at a
    time, then `card_data` shows each tick while the task runs (not finished), and once the
    task ends the final data (token "final"), as Metaflow's get_data() gives it."""
    monkeypatch.setenv("METAFLOW_USER", "anne")
    root, gate = tmp_path / "store", tmp_path / "gate"
    gate.mkdir()
    cat = Catalog(LocalStore(root), cache_dir=tmp_path / "cache")
    with start_flow(root, LIVE_CARD_FLOW, user="anne", extra_env={"MFNS_GATE": str(gate)}) as run:
        pathspec = run.wait_for_run()
        task = f"{pathspec}/start/1"

        def live_card():
            try:
                return cat.cards(task, None)["cards"]
            except NotFound:
                return None

        (card,) = wait_for("the live card", live_card)

        def data_saying(text: str):
            answer = cat.card_data(task, card["hash"], None)
            return answer if text in json.dumps(answer["payload"]) else None

        first = wait_for("tick 0", lambda: data_saying("tick 0"))
        assert first["status"] == "running" and not first["finished"]
        assert first["payload"]["reload_token"] != "final"
        running_html = cat.card_html(task, card["hash"], None)
        assert b"METAFLOW_RELOAD_TOKEN" in running_html
        for tick in (1, 2):
            (gate / str(tick)).touch()
            later = wait_for(f"tick {tick}", lambda t=tick: data_saying(f"tick {t}"))
            assert not later["finished"]
            assert later["payload"]["created_on"] > first["payload"]["created_on"]
        (gate / "done").touch()
        run.wait(timeout=120)
    final = wait_for(
        "the final card", lambda: (a := cat.card_data(task, card["hash"], None))["finished"] and a
    )
    assert final["status"] == "succeeded"
    assert final["payload"]["reload_token"] == "final"
    theirs = metaflow_cards(root, [task])[task]["cards"]
    assert [c["hash"] for c in theirs] == [card["hash"]]
    assert final["payload"] == theirs[0]["data"]
    assert sha256(cat.card_html(task, card["hash"], None)) == theirs[0]["html_sha256"]
    cat.close()
