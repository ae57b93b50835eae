"""20 concurrent clients mixing namespace queries and tag edits on the same runs: every answer
belongs to the namespace it asked for, and no tag is lost."""

from __future__ import annotations

import asyncio
from typing import Dict, List, Optional, Set

from oracle import ask_metaflow

from harness.demo_stores import DemoStore

CLIENTS = 20
ROUNDS = 6


async def test_concurrent_clients_see_their_namespace_and_keep_every_tag(
    api, mutable_demo_store: DemoStore
) -> None:
    story = mutable_demo_store.story
    production = f"production:{story.production_token}"
    # Given three runs in three namespaces that every client edits
    shared = [story.anne_prediction_runs[1], story.will_prediction_runs[0], story.production_run]
    owner = {p: story.run(p).namespace for p in shared}
    before = {p: (await api.ok("object", {"pathspec": p, "namespace": ""}))["run"] for p in shared}
    namespaces: List[Optional[str]] = ["user:anne", "user:will", None, "xyz_features", production]
    added: Dict[str, Set[str]] = {p: set() for p in shared}
    removed: Dict[str, Set[str]] = {p: set() for p in shared}

    async def check_runs(flow: str, ns: Optional[str]) -> None:
        page = await api.ok("runs", {"flow": flow, "namespace": ns or ""})
        assert page["namespace"] == ns
        expected = story.runs_where(flow, ns) if flow != "ShowcaseFlow" else None
        if expected is not None:
            assert [r["pathspec"] for r in page["runs"]] == expected, (flow, ns)
        for run in page["runs"]:
            assert ns is None or ns in run["tags"] + run["system_tags"]

    async def client(i: int) -> None:
        for k in range(ROUNDS):
            target = shared[(i + k) % len(shared)]
            tag = f"client {i} edit {k}"
            # edit a shared run in its own namespace
            edit = await api.post(
                "tags", {"pathspec": target, "add": [tag], "namespace": owner[target]}
            )
            assert edit.status == 200, edit.body
            assert tag in edit.body["tags"]
            added[target].add(tag)
            if k % 2 == 1:
                earlier = shared[(i + k - 1) % len(shared)]
                old = f"client {i} edit {k - 1}"
                drop = await api.post(
                    "tags", {"pathspec": earlier, "remove": [old], "namespace": ""}
                )
                assert drop.status == 200 and old not in drop.body["tags"]
                removed[earlier].add(old)
            # query in a namespace of this round
            ns = namespaces[(i + k) % len(namespaces)]
            flow = "FeatureFlow" if ns == "xyz_features" else "PredictionFlow"
            await check_runs(flow, ns)
            flows = await api.ok("flows", {"namespace": ns or ""})
            assert flows["namespace"] == ns
            # opening a run of another namespace is refused with its owner
            other = next(p for p in shared if owner[p] != (ns or owner[target]))
            opened = await api.get("object", {"pathspec": other, "namespace": ns or ""})
            if ns is None or ns in (await _tags_of(api, other)):
                assert opened.status == 200 and opened.body["namespace"] == ns
            else:
                assert opened.status == 409 and opened.body["namespaces"] == [owner[other]]
                assert opened.body["namespace"] == ns

    # When 20 clients run at once
    await asyncio.gather(*(client(i) for i in range(CLIENTS)))

    # Then every run holds its tags plus every added tag not removed, and nothing else moved
    for p in shared:
        after = (await api.ok("object", {"pathspec": p, "namespace": ""}))["run"]
        want = sorted((set(before[p]["tags"]) | added[p]) - removed[p])
        assert after["tags"] == want, p
        assert after["created_at"] == before[p]["created_at"]
        assert after["user"] == before[p]["user"]
        assert after["system_tags"] == before[p]["system_tags"]
    # And the order of runs is still Metaflow's (tagging did not make an old run "latest")
    page = await api.ok("runs", {"flow": "PredictionFlow", "namespace": ""})
    assert [r["pathspec"] for r in page["runs"]] == story.runs_where("PredictionFlow")
    # And Metaflow's own client reads the same tags from the store
    answers = ask_metaflow(
        mutable_demo_store.root, [{"kind": "run", "pathspec": p, "namespace": None} for p in shared]
    )
    for p, answer in zip(shared, answers):
        assert answer["tags"] == sorted((set(before[p]["tags"]) | added[p]) - removed[p])


async def _tags_of(api, pathspec: str) -> List[str]:
    run = (await api.ok("object", {"pathspec": pathspec, "namespace": ""}))["run"]
    return run["tags"] + run["system_tags"]
