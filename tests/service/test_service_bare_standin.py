"""The service store also reads an unmodified metaflow-local-service (PyPI) correctly.

That stand-in lacks `GET /flows` (flows then come from the S3 datastore's top-level folders,
each confirmed with `GET /flows/{name}`), returns every attempt's artifact rows (the store
keeps the latest attempt's) and decorates run listings with UI fields (ignored). Given the
story's records served by it, the Catalog gives the same answers as over the completed one
(the stand-in of `standin_service.py`: the real metaflow-service keeps its records in
PostgreSQL, which metaflow-local-service cannot read).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from typing import Iterator

import pytest
from service_deployment import Deployment

from harness.jupyter import free_port, wait_for_http
from jupyter_mfns.core import Catalog
from jupyter_mfns.core.store.s3 import S3Reader
from jupyter_mfns.core.store.service import ServiceStore

_SERVE = (
    "import sys, uvicorn\n"
    "from metaflow_local_service.server import create_app\n"
    "uvicorn.run(create_app(sys.argv[1]), host='127.0.0.1', port=int(sys.argv[2]),"
    " log_level='warning')\n"
)


@pytest.fixture(scope="module")
def bare_url(standin_deployment: Deployment, tmp_path_factory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("bare")
    deployment = standin_deployment
    shutil.copytree(deployment.service_root / ".metaflow", root / ".metaflow")
    port = free_port()
    log = root / "bare.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", _SERVE, str(root), str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**deployment.env("mfns-service")},
        )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/ping", proc, log, timeout=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_bare_standin_gives_the_same_answers(standin_deployment, bare_url, tmp_path, monkeypatch):
    deployment, story = standin_deployment, standin_deployment.story
    monkeypatch.setenv("METAFLOW_USER", "anne")
    bare_store = ServiceStore(
        bare_url, S3Reader(deployment.sysroot_s3, client=deployment.s3_client())
    )
    bare = Catalog(bare_store, cache_dir=tmp_path / "bare")
    full = Catalog(deployment.store(), cache_dir=tmp_path / "full")
    try:
        assert bare_store.api.get("/flows") is None  # the stand-in has no flow listing...
        assert bare.flows(None) == full.flows(None)  # ...yet the flows are the same
        for flow in ("TalkFlow", "PredictionFlow"):
            for ns in (None, "user:will", "crazy_test"):
                assert list(bare.iter_runs(flow, ns)) == list(full.iter_runs(flow, ns))
        assert bare.artifacts(story.talk_task, None) == full.artifacts(story.talk_task, None)
        tail = bare.logs(story.talk_task, "stdout", None, tail=3)
        assert tail == full.logs(story.talk_task, "stdout", None, tail=3)
        assert bare.run(story["resumed"], None)["origin_run"] == story["failed"]
    finally:
        bare.close()
        full.close()
