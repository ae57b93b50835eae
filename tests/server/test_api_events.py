"""The `events` websocket: behind Jupyter's auth, it tells a connected client when a run's tags
change (through POST tags), when a real flow writes a new run, and when that run finishes."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest
import tornado.httpclient
import tornado.websocket

from harness.demo_stores import DemoStore
from jupyter_mfns.demo import flow_file, metaflow_env, start_flow

GATED_FLOW = Path(__file__).parent / "flows" / "gated_flow.py"
EVENTS = ("mfns", "api", "events")


async def next_event(
    ws: Any, wanted: Callable[[Dict[str, Any]], bool], seen: List[Dict[str, Any]], timeout=60
) -> Dict[str, Any]:
    """Read messages until one is `wanted` (all are kept in `seen`)."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        assert left > 0, f"no such event among {seen}"
        try:
            raw = await asyncio.wait_for(ws.read_message(), left)
        except asyncio.TimeoutError:
            continue
        assert raw is not None, "the server closed the events socket"
        event = json.loads(raw)
        assert set(event) in ({"type", "flow"}, {"type", "pathspec"}), event
        seen.append(event)
        if wanted(event):
            return event


async def test_tag_edits_new_runs_and_finishes_are_events(
    api, jp_ws_fetch, mutable_demo_store: DemoStore, tmp_path: Path
) -> None:
    # Given a client connected to the events socket of a server whose index is built
    await api.ok("runs", {"flow": "PredictionFlow", "namespace": ""})
    ws = await jp_ws_fetch(*EVENTS, params={"namespace": ""})
    seen: List[Dict[str, Any]] = []
    try:
        # When a run's tags change through POST tags
        run = mutable_demo_store.story.will_prediction_runs[0]
        edit = await api.post("tags", {"pathspec": run, "add": ["evented"], "namespace": ""})
        assert edit.status == 200
        # Then an event names that run
        await next_event(ws, lambda e: e == {"type": "run", "pathspec": run}, seen)

        # When a real flow (new to the store) writes a run
        gate = tmp_path / "gate"
        with start_flow(
            mutable_demo_store.root, GATED_FLOW, user="anne", extra_env={"MFNS_GATE": str(gate)}
        ) as running:
            run_ps = await asyncio.to_thread(running.wait_for_run, 60)
            # Then the flow's runs changed
            await next_event(ws, lambda e: e == {"type": "runs", "flow": "GatedFlow"}, seen)
            page = await api.ok("runs", {"flow": "GatedFlow"})
            assert [r["pathspec"] for r in page["runs"]] == [run_ps]
            assert page["runs"][0]["status"] == "running"
            # When it is released and finishes
            gate.write_text("go")
            # Then its status change is an event too
            await next_event(ws, lambda e: e == {"type": "run", "pathspec": run_ps}, seen)
            assert (await asyncio.to_thread(running.wait, 60)).succeeded
        assert (await api.ok("runs", {"flow": "GatedFlow"}))["runs"][0]["status"] == "succeeded"
    finally:
        ws.close()


@pytest.mark.parametrize(
    "mfns_traits", [{"change_detection": "watch", "safety_rescan_interval": 24 * 3600.0}]
)
async def test_notifications_alone_push_other_processes_changes(
    api, jp_ws_fetch, mutable_demo_store: DemoStore
) -> None:
    # Given a server watching the store by notifications, whose safety rescan never comes
    status = await api.ok("status")
    assert status["detection"]["strategy"] == "notify"
    await api.ok("runs", {"flow": "PredictionFlow", "namespace": ""})
    ws = await jp_ws_fetch(*EVENTS, params={"namespace": ""})
    seen: List[Dict[str, Any]] = []
    try:
        # When Metaflow's CLI, in another process, tags one of will's runs
        run = mutable_demo_store.story.will_prediction_runs[-1]
        flow, run_id = run.split("/")
        cmd = [sys.executable, str(flow_file(flow)), "--no-pylint", "tag", "add"]
        cmd += ["--run-id", run_id, "from-the-cli"]
        env = metaflow_env(mutable_demo_store.root, "will")
        await asyncio.to_thread(
            subprocess.run, cmd, env=env, cwd=mutable_demo_store.root, check=True,
            capture_output=True,
        )  # fmt: skip
        # Then the socket names that run, and the listing shows the tag
        await next_event(ws, lambda e: e == {"type": "run", "pathspec": run}, seen)
        page = await api.ok("runs", {"flow": flow, "namespace": "", "tag": "from-the-cli"})
        assert [r["pathspec"] for r in page["runs"]] == [run]
        assert (await api.ok("status"))["detection"]["strategy"] == "notify"
    finally:
        ws.close()


async def test_an_unauthenticated_upgrade_is_refused(jp_ws_fetch, jp_serverapp) -> None:
    # When a websocket is opened without the token (the auth header left empty)
    with pytest.raises(tornado.httpclient.HTTPClientError) as refused:
        await jp_ws_fetch(*EVENTS, headers={"Authorization": ""})
    # Then the upgrade is refused before anything is subscribed
    assert refused.value.code == 403


async def test_a_plain_get_and_a_bad_namespace_answer_json_400(api) -> None:
    plain = await api.get("events", check=False)
    assert plain.status == 400 and plain.reason == "invalid_argument"
    assert "websocket" in plain.body["message"]
    long = await api.get("events", {"namespace": "x" * 501}, check=False)
    assert long.status == 400 and long.reason == "invalid_argument"
    anonymous = await api.get("events", auth=False, check=False)
    assert anonymous.status == 403 and anonymous.reason == "not_authenticated"
