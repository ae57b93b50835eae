"""`GET cards`, `GET card` and `GET card/data` over the demo store, whose PredictionFlow `train`
tasks make a card each (and whose resumed run has its `train` cards on the failed origin).
Metaflow's `get_cards` in a subprocess is the oracle; the `api` fixture checks every answer
against the OpenAPI document."""

from __future__ import annotations

from typing import List

import pytest
from card_store import metaflow_cards, sha256

from harness.demo_stores import DemoStore


async def train_tasks(api, run: str) -> List[str]:
    step = await api.ok("object", {"pathspec": f"{run}/train", "namespace": ""})
    return [t["pathspec"] for t in step["children"]]


async def test_cards_card_and_data_answer_what_get_cards_gives(api, mfns_store: DemoStore):
    """Given a run whose two train tasks made a card each, when their cards are asked, then
    the list is get_cards(task)'s, each card's HTML is card.get() served as text/html in a
    sandbox, and its data is card.get_data()."""
    tasks = await train_tasks(api, mfns_store.story.anne_prediction_runs[0])
    theirs = metaflow_cards(mfns_store.root, tasks)
    for task in tasks:
        answer = await api.ok("cards", {"pathspec": task})
        assert answer["pathspec"] == task and answer["origin_task"] is None
        expected = [{k: c[k] for k in ("type", "id", "hash")} for c in theirs[task]["cards"]]
        assert [{k: c[k] for k in ("type", "id", "hash")} for c in answer["cards"]] == expected
        assert expected and expected[0]["id"] == "model_report"
        for card, their in zip(answer["cards"], theirs[task]["cards"]):
            reply = await api.get("card", {"pathspec": task, "hash": card["hash"]})
            assert reply.status == 200
            assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
            policy = reply.headers["Content-Security-Policy"]
            assert policy.endswith("sandbox allow-scripts")
            assert "allow-same-origin" not in policy and "default-src 'none'" not in policy
            assert reply.headers["X-Content-Type-Options"] == "nosniff"
            html = reply.body.encode("utf-8")
            assert sha256(html) == their["html_sha256"] and len(html) == card["size"]
            data = await api.ok("card/data", {"pathspec": task, "hash": card["hash"]})
            assert data["payload"] == their["data"]
            assert data["finished"] is True and data["status"] == "succeeded"


async def test_a_resumed_runs_cards_come_from_its_origin_in_the_owners_namespace(
    api, mfns_store: DemoStore
):
    """Given will's resume of anne's failed run (its train tasks cloned), when anne asks for
    a cloned task's cards in her namespace she is told whose run it is; in will's namespace
    the cards are the origin task's, as get_cards follows them."""
    story = mfns_store.story
    (task, *_) = await train_tasks(api, story.resumed_run)
    refused = await api.get("cards", {"pathspec": task})
    assert refused.status == 409 and refused.body["namespaces"] == ["user:will"]
    answer = await api.ok("cards", {"pathspec": task, "namespace": "user:will"})
    theirs = metaflow_cards(mfns_store.root, [task])[task]
    assert answer["origin_task"] == theirs["origin"]
    assert answer["origin_task"].startswith(story.failed_run + "/train/")
    assert [c["hash"] for c in answer["cards"]] == [c["hash"] for c in theirs["cards"]]
    card = answer["cards"][0]
    html = await api.get("card", {"pathspec": task, "hash": card["hash"], "namespace": "user:will"})
    assert sha256(html.body.encode("utf-8")) == theirs["cards"][0]["html_sha256"]


async def test_a_task_without_cards_lists_none(api, mfns_store: DemoStore):
    answer = await api.ok("cards", {"pathspec": mfns_store.story.artifact_task})
    assert answer["cards"] == [] and answer["origin_task"] is None


HOSTILE_HASHES = ["../../../etc/passwd", "..", "a/b", "a\\b", "x.html", "a-b", "x" * 129, "é"]


@pytest.mark.parametrize("card_hash", HOSTILE_HASHES)
async def test_hostile_hashes_are_refused(api, mfns_store: DemoStore, card_hash: str):
    (task, *_) = await train_tasks(api, mfns_store.story.anne_prediction_runs[0])
    for route in ("card", "card/data"):
        reply = await api.get(route, {"pathspec": task, "hash": card_hash})
        assert reply.status == 400 and reply.reason == "invalid_argument", (route, reply.body)
        assert "hash" in reply.body["message"]


@pytest.mark.parametrize(
    "pathspec", ["../../etc/passwd", "PredictionFlow/1/train", "PredictionFlow/../train/1", ""]
)
async def test_hostile_pathspecs_are_refused(api, pathspec: str):
    for route, extra in (("cards", {}), ("card", {"hash": "0" * 32}), ("card/data", {"hash": "a"})):
        reply = await api.get(route, {"pathspec": pathspec, **extra})
        assert reply.status == 400, (route, reply.body)
        assert reply.reason in ("invalid_pathspec", "invalid_argument")


async def test_unknown_cards_and_tasks_are_404_and_a_missing_hash_400(api, mfns_store: DemoStore):
    (task, *_) = await train_tasks(api, mfns_store.story.anne_prediction_runs[0])
    unknown = await api.get("card", {"pathspec": task, "hash": "0" * 32})
    assert unknown.status == 404 and unknown.reason == "not_found"
    assert unknown.headers["Content-Type"].startswith("application/json")
    run = mfns_store.story.anne_prediction_runs[0]
    missing_task = await api.get("cards", {"pathspec": f"{run}/train/99999"})
    assert missing_task.status == 404
    no_hash = await api.get("card", {"pathspec": task})
    assert no_hash.status == 400 and "hash" in no_hash.body["message"]


async def test_every_card_route_needs_jupyters_auth(api, mfns_store: DemoStore):
    (task, *_) = await train_tasks(api, mfns_store.story.anne_prediction_runs[0])
    card = (await api.ok("cards", {"pathspec": task}))["cards"][0]
    for route, params in (
        ("cards", {"pathspec": task}),
        ("card", {"pathspec": task, "hash": card["hash"]}),
        ("card/data", {"pathspec": task, "hash": card["hash"]}),
    ):
        reply = await api.get(route, params, auth=False)
        assert reply.status == 403 and reply.reason == "not_authenticated", route
