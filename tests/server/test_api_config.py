"""Configuration through traitlets: the store (root or Metaflow profile) and request limits."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from traitlets import TraitError

from harness.demo_stores import DemoStore
from jupyter_mfns.server.app import MfnsExtension

LIMITS = {"max_page_size": 5, "default_page_size": 2, "max_log_tail": 100, "max_body_size": 2048}


@pytest.mark.parametrize("mfns_traits", [LIMITS])
async def test_limits_are_configurable(api, mfns_store: DemoStore) -> None:
    story = mfns_store.story
    # the status route tells clients the limits in force
    status = await api.ok("status")
    assert {k: status["limits"][k] for k in LIMITS} == LIMITS
    # default page size and the largest page
    page = await api.ok("runs", {"flow": "PredictionFlow", "namespace": ""})
    assert len(page["runs"]) == 2 and page["next_cursor"] is not None
    too_big = await api.get("runs", {"flow": "PredictionFlow", "limit": 6}, check=False)
    assert too_big.status == 400 and "from 1 to 5" in too_big.body["message"]
    # log lines per request
    logs = await api.ok("logs", {"pathspec": story.long_stdout_task})
    assert len(logs["lines"]) == 100 and logs["truncated"] is True
    more = await api.get("logs", {"pathspec": story.long_stdout_task, "tail": 101}, check=False)
    assert more.status == 400 and "from 0 to 100" in more.body["message"]
    # request body size
    body = json.dumps({"pathspec": story.failed_run, "add": ["x" * 400] * 6}).encode()
    assert len(body) > 2048
    large = await api.post("tags", raw=body)
    assert large.status == 413 and "at most 2048" in large.body["message"]


def test_limits_are_validated() -> None:
    for trait, value in [
        ("max_page_size", 0),
        ("max_page_size", 1001),
        ("max_log_tail", 10**6),
        ("max_body_size", 10),
        ("refresh_interval", 0),
    ]:
        with pytest.raises(TraitError, match=trait):
            MfnsExtension(**{trait: value})


@pytest.mark.parametrize("mfns_traits", [{"metaflow_root": None}])
async def test_default_store_is_metaflows_own_configuration(api, mfns_store: DemoStore) -> None:
    # Given no metaflow_root: Metaflow's METAFLOW_DATASTORE_SYSROOT_LOCAL (set by the fixture)
    status = await api.ok("status")
    assert status["store"] == f"local:{mfns_store.root / '.metaflow'}"
    assert (await api.ok("flows", {"namespace": ""}))["flows"]


@pytest.mark.parametrize("mfns_traits", [{"metaflow_profile": "nowhere"}])
async def test_unreadable_store_answers_503_saying_why(api) -> None:
    # Given a server configured with a Metaflow profile that does not exist
    api.expect_unavailable = True
    # Then data routes answer 503 store_unavailable naming the problem, and status says so
    for route, params in [("namespaces", {}), ("runs", {"flow": "PredictionFlow"})]:
        reply = await api.get(route, params)
        assert reply.status == 503 and reply.reason == "store_unavailable"
        assert "'nowhere'" in reply.body["message"]
    status = await api.ok("status")
    assert status["available"] is False and "config_nowhere.json" in status["error"]
    # bad input is still a 400, not a 503
    assert (await api.get("runs", {"flow": "PredictionFlow", "limit": "x"})).status == 400


def test_metaflow_profile_selects_the_store_and_user(
    live_server_factory, demo_store: DemoStore, tmp_path: Path
) -> None:
    # Given a Metaflow profile naming the demo store and the user will, and nothing in the env
    home = tmp_path / "metaflow-home"
    home.mkdir()
    profile = {
        "METAFLOW_DEFAULT_METADATA": "local",
        "METAFLOW_DEFAULT_DATASTORE": "local",
        "METAFLOW_DATASTORE_SYSROOT_LOCAL": str(demo_store.root),
        "METAFLOW_USER": "will",
    }
    (home / "config_demo.json").write_text(json.dumps(profile))
    env = {k: v for k, v in os.environ.items() if not k.startswith("METAFLOW_")}
    env["METAFLOW_HOME"] = str(home)
    # When a real Jupyter server starts with --MfnsExtension.metaflow_profile=demo
    server = live_server_factory(
        env,
        [
            "--MfnsExtension.metaflow_profile=demo",
            f"--MfnsExtension.cache_dir={tmp_path / 'cache'}",
        ],
    )
    # Then it browses the profile's store as will
    status, body = server.get("status")
    assert status == 200 and body["store"] == f"local:{demo_store.root / '.metaflow'}", body
    assert body["default_namespace"] == "user:will"
    status, page = server.get("runs", {"flow": "PredictionFlow"})
    assert status == 200 and page["namespace"] == "user:will"
    assert [r["pathspec"] for r in page["runs"]] == demo_store.story.will_prediction_runs
