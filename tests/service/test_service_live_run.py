"""A run made while the catalog watches: it appears within the refresh interval, shows as
running while its tasks run, then as succeeded with Metaflow's finish time."""

from __future__ import annotations

import time
from pathlib import Path

from service_oracle import ask_service_metaflow

from jupyter_mfns.core import Catalog
from jupyter_mfns.core.errors import NamespaceMismatch, NotFound
from jupyter_mfns.demo.runner import start_flow

LIVE_FLOW = Path(__file__).parent / "flows" / "live_flow.py"


def _live_runs(cat):
    try:
        return cat.runs("LiveFlow", tags=["live"])["runs"]
    except (NotFound, NamespaceMismatch):  # the flow (or its first run) is not listed yet
        return []


def test_a_new_run_appears_runs_and_finishes(deployment, story, tmp_path, monkeypatch):
    monkeypatch.setenv("METAFLOW_USER", "will")
    cat = Catalog(
        deployment.store(),
        cache_dir=tmp_path / "idx",
        refresh_interval=0.5,
        background_refresh=True,
    )
    env = {**deployment.config(), "METAFLOW_S3_WORKER_COUNT": "1"}
    try:
        assert "LiveFlow" not in {f["flow"] for f in cat.flows(None)["flows"]}
        with start_flow(
            deployment.workdir / "client",
            LIVE_FLOW,
            user="will",
            tags=["live"],
            args=("--lines", "20000"),
            extra_env=env,
        ) as running:
            pathspec = running.wait_for_run(timeout=120)
            # Then the new run is will's latest within the refresh interval (plus a scan)
            seen: set = set()
            deadline = time.monotonic() + 120
            while running.process.poll() is None and time.monotonic() < deadline:
                page = _live_runs(cat)
                if page and page[0]["pathspec"] == pathspec:
                    seen.add(page[0]["status"])
                time.sleep(0.2)
            result = running.wait(timeout=300)
        assert result.succeeded
        assert "running" in seen  # seen while its tasks ran
        # Once done, the catalog says succeeded, with the finish time Metaflow's client gives
        deadline = time.monotonic() + 10
        while cat.run(pathspec)["status"] != "succeeded" and time.monotonic() < deadline:
            time.sleep(0.2)
        ours = cat.run(pathspec)
        [mf] = ask_service_metaflow(
            deployment, [{"kind": "run", "pathspec": pathspec, "namespace": None}], user="will"
        )
        assert ours["status"] == "succeeded" and mf["successful"]
        assert ours["finished_at"] == mf["finished_at"]
        assert [r["pathspec"] for r in cat.runs("LiveFlow")["runs"]] == [pathspec]
    finally:
        cat.close()
