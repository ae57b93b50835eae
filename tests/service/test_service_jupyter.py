"""Two Jupyter servers, as two users, against one metadata service + S3: the REST API works
with nothing configured but Metaflow's environment, each user defaults to their own namespace,
and a tag added through one server is seen through the other within the refresh interval.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, Iterator

import pytest
from service_deployment import Deployment

from harness.jupyter import JupyterServer

REFRESH = 1.0


@pytest.fixture(scope="module")
def servers(deployment: Deployment, story, tmp_path_factory) -> Iterator[Dict[str, JupyterServer]]:
    tmp = tmp_path_factory.mktemp("jupyter")
    with ThreadPoolExecutor(2) as pool:
        futures = {u: pool.submit(_start, tmp / u, deployment.env(u)) for u in ("anne", "will")}
        started = {u: f.result() for u, f in futures.items()}
    try:
        yield started
    finally:
        for server in started.values():
            server.stop()


def test_each_user_defaults_to_their_own_namespace(servers, story):
    anne, will = servers["anne"], servers["will"]
    assert anne.ok("namespaces")["default"] == "user:anne"
    assert will.ok("namespaces")["default"] == "user:will"
    # the default namespace decides what each one sees first
    anne_runs = anne.ok("runs", flow="TalkFlow")
    will_runs = will.ok("runs", flow="TalkFlow")
    assert anne_runs["namespace"] == "user:anne" and will_runs["namespace"] == "user:will"
    assert {r["user"] for r in anne_runs["runs"]} == {"anne"}
    assert [r["pathspec"] for r in will_runs["runs"]] == [story["will_talk"]]
    assert (
        anne.ok("runs/latest", flow="PredictionFlow", namespace="")["pathspec"]
        == (story["resumed"])
    )
    # opening will's run from anne's default namespace says whose it is
    status, body = anne.request("GET", "object", {"pathspec": story["will_talk"]})
    assert status == 409 and body["namespaces"] == ["user:will"]


def test_every_route_answers_from_the_service(servers, story):
    anne = servers["anne"]
    assert anne.ok("status")
    flows = {f["flow"] for f in anne.ok("flows", namespace="")["flows"]}
    assert {"TalkFlow", "PredictionFlow"} <= flows
    run = anne.ok("object", pathspec=story["talk"])
    assert run["type"] == "run" and run["run"]["status"] == "succeeded"
    assert [s["name"] for s in run["children"]] == ["start", "end"]
    task = anne.ok("object", pathspec=story.talk_task)
    assert task["task"]["status"] == "succeeded"
    logs = anne.ok("logs", pathspec=story.talk_task, stream="stdout", tail=5)
    assert len(logs["lines"]) == 5 and logs["lines"][-1]["text"].startswith("line 03000")
    arts = anne.ok("artifacts", pathspec=story.talk_task)["artifacts"]
    assert {"frame": "pandas.DataFrame"}.items() <= {a["name"]: a["type"] for a in arts}.items()
    tags = anne.ok("tags", flow="TalkFlow")["tags"]
    assert "xyz_features" in {t["tag"] for t in tags}
    failed = anne.ok("object", pathspec=story["failed"])["run"]
    assert failed["status"] == "failed"
    resumed = anne.ok("object", pathspec=story["resumed"], namespace="")["run"]
    assert resumed["origin_run"] == story["failed"]


def test_a_tag_added_by_anne_is_seen_by_will(servers, story):
    anne, will = servers["anne"], servers["will"]
    run = story["mutable"]
    query = {"flow": "TalkFlow", "namespace": "", "tag": "shared-with-will"}
    assert will.ok("runs", **query)["runs"] == []
    try:
        # When anne tags her run through her server
        status, body = anne.request(
            "POST", "tags", body={"pathspec": run, "add": ["shared-with-will"]}
        )
        assert status == 200 and "shared-with-will" in body["tags"]
        tagged = time.monotonic()
        # Then will's server lists it within the refresh interval (plus a scan, under load)
        while not will.ok("runs", **query)["runs"]:
            assert time.monotonic() - tagged < REFRESH + 5, "will's server never saw the tag"
            time.sleep(0.1)
        seen_after = time.monotonic() - tagged
        assert [r["pathspec"] for r in will.ok("runs", **query)["runs"]] == [run]
        assert seen_after < REFRESH + 5
    finally:
        anne.request("POST", "tags", body={"pathspec": run, "remove": ["shared-with-will"]})


def _start(home: Path, env: Dict[str, str]) -> JupyterServer:
    """`jupyter server` with jupyter_mfns, configured by nothing but `env`."""
    return JupyterServer(home, env, args=[f"--MfnsExtension.refresh_interval={REFRESH}"])


def test_a_metaflow_profile_is_enough(deployment, story, tmp_path):
    # Given the deployment's settings in a Metaflow profile, not in the environment
    env = deployment.env("will")
    profile = {
        k: env.pop(k) for k in list(env) if k.startswith("METAFLOW_") and k in deployment.config()
    }
    home = Path(env["METAFLOW_HOME"])
    (home / "config_team.json").write_text(json.dumps(profile), "utf-8")
    env["METAFLOW_PROFILE"] = "team"
    server = _start(tmp_path / "profile", env)
    try:
        # Then the server browses the service + S3 deployment as will
        status = server.ok("status")
        assert status["store"] == f"service:{deployment.service_url}|{deployment.sysroot_s3}"
        runs = server.ok("runs", flow="TalkFlow")["runs"]
        assert [r["pathspec"] for r in runs] == [story["will_talk"]]
    finally:
        server.stop()


def test_an_incomplete_configuration_says_what_is_missing(deployment, tmp_path):
    env = deployment.env("anne")
    del env["METAFLOW_SERVICE_URL"]
    server = _start(tmp_path / "broken", env)
    try:
        status = server.ok("status")
        assert status["available"] is False and "METAFLOW_SERVICE_URL" in status["error"]
        code, body = server.request("GET", "namespaces")
        assert code == 503 and "METAFLOW_SERVICE_URL" in body["message"]
    finally:
        server.stop()
