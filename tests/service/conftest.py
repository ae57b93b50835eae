"""Fixtures for the service + S3 tests: real servers, real flows, Metaflow's client as oracle.

- `deployment` (session): a metadata service (metaflow-local-service completed to the
  metaflow-service API, see standin_service.py) and moto in server mode as S3, holding the
  story's runs. The runs are made once and replayed from a snapshot in later sessions.
- `story` (session): six real flow runs made against it by anne and will (about 90 s):
  shared and unicode tags, a production token, a failed run and its resume by another user, a
  task with a long log and a DataFrame artifact, and a run reserved for tag mutations.
- `service_store` / `service_catalog` (function): a ServiceStore (and a Catalog over it with a
  private index) built from the deployment's URLs, nothing global.

Every test here is marked `service`.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence

import pytest
from service_deployment import Deployment, save_snapshot, start_deployment

from harness.demo_stores import default_cache_dir
from jupyter_mfns.core import Catalog
from jupyter_mfns.core.store.service import ServiceStore
from jupyter_mfns.demo.build import FIX_ENV, flow_file
from jupyter_mfns.demo.runner import FlowRun, RunningFlow, start_flow

TALK_FLOW = Path(__file__).parent / "flows" / "talk_flow.py"
PRODUCTION_TOKEN = "mfns-prod-1"
D20, D22 = "2026-11-20", "2026-11-22"


def pytest_collection_modifyitems(items: List[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.service)


@dataclass
class ServiceStory:
    """Which runs the deployment holds (pathspecs), so tests never hard-code ids."""

    runs: Dict[str, str]  # role -> pathspec
    created_at: Dict[str, int]  # role -> ts_epoch
    talk_task: str  # TalkFlow start task with the long log and the DataFrame
    production_token: str = PRODUCTION_TOKEN

    def __getitem__(self, role: str) -> str:
        return self.runs[role]


def _story_hash() -> str:
    """Covers everything that decides what the story's deployment holds."""
    from importlib import metadata

    digest = hashlib.sha256()
    for fn in (_play_story, _start):
        digest.update(inspect.getsource(fn).encode())
    for path in (
        TALK_FLOW,
        flow_file("PredictionFlow"),
        Path(__file__).with_name("standin_service.py"),
    ):
        digest.update(path.read_bytes())
    for dist in ("metaflow", "metaflow-local-service", "moto"):
        digest.update(metadata.version(dist).encode())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def deployment(tmp_path_factory) -> Iterator[Deployment]:
    """The deployment, with the story's runs: replayed from a snapshot made by an earlier
    session when one matches (``$MFNS_TEST_STORE_CACHE/service-<hash>``), else made now."""
    cache = default_cache_dir() / f"service-{_story_hash()}"
    fresh = not (cache / "story.json").is_file() or os.environ.get("MFNS_SERVICE_NO_CACHE")
    dep = start_deployment(tmp_path_factory.mktemp("deployment"), snapshot=None if fresh else cache)
    try:
        if fresh:
            story = _play_story(dep)
            _save(dep, story, cache)
        else:
            story = ServiceStory(**json.loads((cache / "story.json").read_text("utf-8")))
        dep.story = story  # type: ignore[attr-defined]
        yield dep
    finally:
        dep.stop()


def _save(dep: Deployment, story: ServiceStory, cache: Path) -> None:
    tmp = cache.with_name(cache.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    save_snapshot(dep, tmp)
    (tmp / "story.json").write_text(json.dumps(asdict(story)), "utf-8")
    try:
        tmp.rename(cache)
    except OSError:  # another session saved it first
        shutil.rmtree(tmp, ignore_errors=True)


def _start(
    dep: Deployment,
    flow: Path,
    user: str,
    tags: Sequence[str] = (),
    args: Sequence[str] = (),
    production: bool = False,
    resume_of: Optional[str] = None,
) -> RunningFlow:
    # one S3 worker process per transfer: Metaflow's default (64) costs seconds per task here
    extra = {**dep.config(), "METAFLOW_S3_WORKER_COUNT": "1"}
    command = "run"
    if resume_of is not None:
        extra[FIX_ENV] = "1"
        command, args = "resume", ("--origin-run-id", resume_of)
    return start_flow(
        dep.workdir / "client",
        flow,
        user=user,
        command=command,
        args=args,
        tags=tags,
        production_token=PRODUCTION_TOKEN if production else None,
        extra_env=extra,
    )


def _finish(running: RunningFlow, expect_success: bool = True) -> FlowRun:
    with running:
        result = running.wait(timeout=300, check=False)
    if result.succeeded != expect_success:
        raise RuntimeError(
            f"{result.pathspec}: unexpected exit {result.returncode}:\n" + result.output[-3000:]
        )
    return result


@pytest.fixture(scope="session")
def story(deployment: Deployment) -> ServiceStory:
    return deployment.story  # type: ignore[attr-defined,no-any-return]


def _play_story(dep: Deployment) -> ServiceStory:
    """Six real runs, two at a time (2 cores), in about a minute and a half."""
    prediction = flow_file("PredictionFlow")
    runs: Dict[str, FlowRun] = {}
    a1 = _start(dep, TALK_FLOW, "anne", ("xyz_features", D20, "ünïcode ✓", "note: best so far"))
    a2 = _start(dep, TALK_FLOW, "will", ("xyz_features", D20), ("--lines", "5"))
    runs["talk"], runs["will_talk"] = _finish(a1), _finish(a2)
    b1 = _start(dep, prediction, "anne", ("crazy_test",), ("--break_scoring", "true"))
    b2 = _start(dep, TALK_FLOW, "anne", (D22,), ("--lines", "5"), production=True)
    runs["failed"], runs["production"] = _finish(b1, expect_success=False), _finish(b2)
    c1 = _start(dep, prediction, "will", (D22,), resume_of=runs["failed"].run_id)
    c2 = _start(dep, TALK_FLOW, "anne", ("mutable", "crazy_test"), ("--lines", "5"))
    runs["resumed"], runs["mutable"] = _finish(c1), _finish(c2)
    store = dep.store()
    try:
        created = {role: store.read_run(r.flow, r.run_id).created_at for role, r in runs.items()}
        talk = runs["talk"]
        start_task = store.steps(talk.flow, talk.run_id)[0].task_ids[0]
    finally:
        store.close()
    return ServiceStory(
        runs={role: r.pathspec for role, r in runs.items()},
        created_at=created,
        talk_task=f"{talk.pathspec}/start/{start_task}",
    )


@pytest.fixture
def service_store(deployment: Deployment, story: ServiceStory) -> Iterator[ServiceStore]:
    store = deployment.store()
    yield store
    store.close()


@pytest.fixture
def service_catalog(service_store: ServiceStore, tmp_path: Path, monkeypatch) -> Iterator[Catalog]:
    monkeypatch.setenv("METAFLOW_USER", "anne")
    monkeypatch.delenv("METAFLOW_PRODUCTION_TOKEN", raising=False)
    cat = Catalog(service_store, cache_dir=tmp_path / "cache")
    yield cat
    cat.close()
