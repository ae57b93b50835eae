"""What runs hold, on the service deployment (metadata service + S3): parameters (an
IncludeFile uploaded to S3 too), where/sort, DAG, tasks and failures equal Metaflow's client in
service mode, and a poisoned parameter blob in S3 is never unpickled."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import pytest
from compare_checks import ask_story_oracle, check_compare
from real_service import RealDeployment
from results_checks import (
    ask_oracle,
    check_dag,
    check_failure,
    check_parameters,
    check_tasks,
    check_where_and_sort,
)
from results_story import (
    NOTES,
    PARAMS_FLOW,
    POISONED,
    ParamsStory,
    play_params_story,
    poison_pickle,
)
from service_deployment import BUCKET, PREFIX, Deployment

from jupyter_mfns.core import Catalog
from jupyter_mfns.demo.runner import start_flow

ROLES = ("full", "defaults", "failed", "resumed", "poisoned")


def _poison(dep: RealDeployment, pathspec: str, marker: str) -> None:
    """The `label` blob of the run's `_parameters` task, replaced where the service deployment
    keeps it: the artifact row's sha (the service's PostgreSQL) and the blob (S3)."""
    flow, run_id = pathspec.split("/")
    sha, blob = poison_pickle(marker)
    dep.s3_client().put_object(
        Bucket=BUCKET, Key=f"{PREFIX}/{flow}/data/{sha[:2]}/{sha}", Body=blob
    )
    assert flow.isidentifier() and run_id.isdigit() and POISONED.isidentifier()
    updated = dep.psql(
        f"UPDATE artifact_v3 SET sha = '{sha}' WHERE flow_id = '{flow}'"
        f" AND run_number = {int(run_id)} AND step_name = '_parameters'"
        f" AND name = '{POISONED}' RETURNING sha"
    )
    assert sha in updated, updated


@pytest.fixture(scope="module")
def params_story(deployment: Deployment, tmp_path_factory) -> ParamsStory:
    """The ParamsFlow story run for real against the deployment (a few minutes)."""
    workdir = tmp_path_factory.mktemp("service-params")
    extra = {**deployment.config(), "METAFLOW_S3_WORKER_COUNT": "1"}

    def start(args, command, env):
        with start_flow(
            deployment.workdir / "client", PARAMS_FLOW, user="anne", command=command,
            args=args, extra_env={**extra, **env},
        ) as running:  # fmt: skip
            return running.wait(timeout=600, check=False)

    story = play_params_story(start, workdir)
    assert isinstance(deployment, RealDeployment)
    _poison(deployment, story["poisoned"], story.marker)
    return story


@pytest.fixture(scope="module")
def oracle(deployment: Deployment, params_story: ParamsStory) -> Dict[str, Any]:
    env = deployment.env("anne")
    return ask_oracle(env, deployment.workdir / "client", params_story, ROLES)


def test_parameters_equal_metaflows_in_service_mode(service_catalog, params_story, oracle):
    check_parameters(service_catalog, params_story, oracle)
    # the IncludeFile's content was read from its S3 upload (`<root>/data/<flow>/<sha>`)
    assert service_catalog.run(params_story["full"], None)["parameters"]["notes"] == NOTES


def test_where_sort_dag_tasks_and_failures_equal_metaflows(
    service_catalog: Catalog, params_story: ParamsStory, oracle: Dict[str, Any]
) -> None:
    check_where_and_sort(service_catalog, params_story, oracle)
    check_dag(service_catalog, params_story, oracle)
    check_tasks(service_catalog, params_story, oracle)
    check_failure(service_catalog, params_story, oracle)


def test_a_poisoned_blob_in_s3_is_never_unpickled(service_catalog, params_story) -> None:
    run = service_catalog.run(params_story["poisoned"], None)
    service_catalog.runs("ParamsFlow", None, sort="param:label")
    service_catalog.dag(params_story["poisoned"], None)
    assert run["opaque_parameters"] == [POISONED]
    assert not Path(params_story.marker).exists()


def test_comparisons_equal_metaflows_client_in_service_mode(
    service_catalog, deployment: Deployment, params_story: ParamsStory
):
    """`compare` (tests/compare_checks.py) on the service + S3 deployment: parameters and
    every artifact's `DataArtifact.sha` as the client reads them there; a resume's cloned
    steps unchanged against its origin."""
    oracle = ask_story_oracle(deployment.env("anne"), deployment.workdir / "client", params_story)
    check_compare(service_catalog, params_story, oracle)
