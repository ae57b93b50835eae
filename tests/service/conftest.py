"""Fixtures for the service + S3 tests: real servers, real flows, Metaflow's client as oracle.

- `deployment` (session): Netflix's metaflow-service with its ui_backend (on PostgreSQL, from
  shared/metaflow-service, see real_service.py) and moto in server mode as S3, holding the
  story's runs. The runs are made once and replayed from a dump in later sessions.
- `standin_deployment` (session): the same story on the stand-in (metaflow-local-service
  completed to the metaflow-service API, see standin_service.py), kept for the comparison with
  a bare metaflow-local-service, whose records it shares.
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
from real_service import RealDeployment, restore_db, save_db, start_real_deployment
from service_deployment import (
    Deployment,
    load_s3_objects,
    save_s3_objects,
    save_snapshot,
    start_deployment,
)

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


def _story_hash(kind: str) -> str:
    """Covers everything that decides what the story's deployment holds."""
    from importlib import metadata

    digest = hashlib.sha256(kind.encode())
    if kind == "real":
        from real_service import _source_id, fixture_dir

        digest.update(_source_id(fixture_dir()).encode())
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


def _cached_story(kind: str) -> tuple[Path, bool]:
    cache = default_cache_dir() / f"service-{kind}-{_story_hash(kind)}"
    fresh = not (cache / "story.json").is_file() or bool(os.environ.get("MFNS_SERVICE_NO_CACHE"))
    return cache, fresh


@pytest.fixture(scope="session")
def deployment(tmp_path_factory) -> Iterator[RealDeployment]:
    """Netflix's metaflow-service (with ui_backend) holding the story's runs: loaded from a
    dump made by an earlier session when one matches (``<cache>/service-real-<hash>``), else
    played now."""
    cache, fresh = _cached_story("real")
    dep = start_real_deployment(tmp_path_factory.mktemp("deployment"), ui=True)
    try:
        if fresh:
            story = _play_story(dep)
            _save(
                dep,
                story,
                cache,
                lambda tmp: (save_db(dep, tmp / "db.sql"), save_s3_objects(dep, tmp / "s3")),
            )
        else:
            restore_db(dep, cache / "db.sql")
            load_s3_objects(dep, cache / "s3")
            story = ServiceStory(**json.loads((cache / "story.json").read_text("utf-8")))
        dep.story = story  # type: ignore[attr-defined]
        yield dep
    finally:
        dep.stop()


def _dump_real(dep: RealDeployment, dest: Path) -> None:
    save_db(dep, dest / "db.sql")
    save_s3_objects(dep, dest / "s3")


@pytest.fixture(scope="session")
def standin_deployment(tmp_path_factory) -> Iterator[Deployment]:
    """The stand-in service with the story's runs (snapshot in ``<cache>/service-standin-*``)."""
    cache, fresh = _cached_story("standin")
    dep = start_deployment(tmp_path_factory.mktemp("standin"), snapshot=None if fresh else cache)
    try:
        if fresh:
            story = _play_story(dep)
            _save(dep, story, cache, lambda tmp: save_snapshot(dep, tmp))
        else:
            story = ServiceStory(**json.loads((cache / "story.json").read_text("utf-8")))
        dep.story = story  # type: ignore[attr-defined]
        yield dep
    finally:
        dep.stop()


def _save(dep: Deployment, story: ServiceStory, cache: Path, snapshot) -> None:
    tmp = cache.with_name(cache.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    snapshot(tmp)
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
