"""A flow running while it is queried shows up as `running`, then `succeeded`; nothing errors."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, Callable, Dict

from harness.demo_stores import DemoStore
from jupyter_mfns.demo import start_flow

GATED_FLOW = Path(__file__).parent / "flows" / "gated_flow.py"
ORDER = ["running", "succeeded"]  # the only statuses, in the only order, this run may show


async def poll(check: Callable[[], Any], what: str, timeout: float = 90) -> Any:
    """Call the async `check` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = await check()
        if result:
            return result
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def test_running_flow_is_running_then_succeeded(
    api, mutable_demo_store: DemoStore, tmp_path: Path
) -> None:
    gate = tmp_path / "gate"
    seen: Dict[str, set] = {"run": set(), "task": set()}

    async def browse(run_ps: str) -> Dict[str, Any]:
        """What the sidebar asks while the run goes on; every answer must be a 200."""
        page = await api.ok("runs", {"flow": "GatedFlow"})
        run = next(r for r in page["runs"] if r["pathspec"] == run_ps)
        seen["run"].add(run["status"])
        obj = await api.ok("object", {"pathspec": run_ps})
        # read later, so it may have moved on, never back
        assert ORDER.index(obj["run"]["status"]) >= ORDER.index(run["status"]), (run, obj)
        latest = await api.ok("runs/latest", {"flow": "GatedFlow"})
        assert latest["pathspec"] == run_ps
        await api.ok("flows")
        steps = {s["name"]: s for s in obj["children"]}
        if "wait" in steps:
            step = await api.ok("object", {"pathspec": steps["wait"]["pathspec"]})
            for task in step["children"]:
                seen["task"].add(task["status"])
                logs = await api.ok("logs", {"pathspec": task["pathspec"]})
                # read after the status: a finished task's log is finished
                assert logs["finished"] or task["status"] == "running", (task, logs)
                await api.ok("logs", {"pathspec": task["pathspec"], "stream": "stderr"})
                await api.ok("artifacts", {"pathspec": task["pathspec"]})
        return {"run": run, "object": obj}

    # Given GatedFlow started by anne, held in its `wait` step
    with start_flow(
        mutable_demo_store.root, GATED_FLOW, user="anne", extra_env={"MFNS_GATE": str(gate)}
    ) as running:
        run_ps = await asyncio.to_thread(running.wait_for_run, 60)

        # When the browser queries it while it runs
        async def waiting() -> Any:
            state = await browse(run_ps)
            steps = [s["name"] for s in state["object"]["children"]]
            return state if state["run"]["status"] == "running" and "wait" in steps else None

        state = await poll(waiting, "the run to be running in its wait step")
        # Then it is running, unfinished, and not a successful run yet
        assert state["run"]["finished_at"] is None
        assert "running" in seen["task"]
        none = await api.get("runs/latest", {"flow": "GatedFlow", "successful": 1})
        assert none.status == 404 and none.reason == "no_run"

        # When it is released and finishes, while still being queried
        gate.write_text("go")

        async def done() -> Any:
            state = await browse(run_ps)
            return state if state["run"]["status"] == "succeeded" else None

        state = await poll(done, "the run to succeed")
        result = await asyncio.to_thread(running.wait, 60)
        assert result.succeeded

    # Then it is succeeded, with an end time, its logs finished, and the latest successful run
    assert state["run"]["finished_at"] >= state["run"]["created_at"]
    assert seen["run"] <= {"running", "succeeded"}, seen
    assert seen["task"] <= {"running", "succeeded"}, seen
    latest = await api.ok("runs/latest", {"flow": "GatedFlow", "successful": 1})
    assert latest["pathspec"] == run_ps and latest["status"] == "succeeded"
    wait_step = await api.ok("object", {"pathspec": run_ps + "/wait"})
    task = wait_step["children"][0]
    logs = await api.ok("logs", {"pathspec": task["pathspec"]})
    assert logs["finished"] is True
    assert [line["text"] for line in logs["lines"]] == ["waiting for the gate", "released"]
