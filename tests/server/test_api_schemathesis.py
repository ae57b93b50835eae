"""Schemathesis over the shipped OpenAPI document, against a real `jupyter server`: no 5xx, every
status documented, every answer matching its schema, invalid input rejected, auth not ignored.

Bounded: 15 examples per operation and a fixed seed (about 700 requests, 15-30 s). Real flow
names, pathspecs and namespaces from the demo story are offered as dictionaries so generated
requests also reach existing runs, not only 404s.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import List

from harness.demo_stores import DemoStore

OPENAPI = Path(__file__).resolve().parents[2] / "jupyter_mfns" / "server" / "openapi.yaml"


def _values(items: List[str]) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def schemathesis_config(store: DemoStore) -> str:
    """schemathesis.toml: dictionaries of real names, and one check tuned for an opaque cursor."""
    s = store.story
    step = s.artifact_task.rsplit("/", 1)[0]
    namespaces = ["user:anne", "user:will", "", f"production:{s.production_token}", "xyz_features"]
    objects = ["PredictionFlow", "FeatureFlow", s.showcase_run, s.failed_run, step, s.artifact_task]
    objects.append(s.will_prediction_runs[0])  # answers 409 in anne's namespace
    runs = [s.failed_run, s.will_prediction_runs[0], s.production_run, s.showcase_run]
    ns = '"query.namespace" = { dictionary = "namespaces", probability = 0.5 }'
    return f"""
[dictionaries.namespaces]
values = {_values(namespaces)}
[dictionaries.flows]
values = {_values(["PredictionFlow", "FeatureFlow", "ShowcaseFlow"])}
[dictionaries.objects]
values = {_values(objects)}
[dictionaries.tasks]
values = {_values([s.artifact_task, s.long_stdout_task])}
[dictionaries.runs]
values = {_values(runs)}

[[operations]]
include-operation-id = ["getLogs", "getArtifacts", "getCards", "getCard", "getCardData"]
parameters = {{ "query.pathspec" = {{ dictionary = "tasks", probability = 0.8 }}, {ns} }}

[[operations]]
include-operation-id = "getObject"
parameters = {{ "query.pathspec" = {{ dictionary = "objects", probability = 0.8 }}, {ns} }}

[[operations]]
include-operation-id = ["getLatestRun", "getTags", "getFlows"]
parameters = {{ "query.flow" = {{ dictionary = "flows", probability = 0.8 }}, {ns} }}

# A cursor is opaque: a schema-valid string the server never handed out is rightly a 400.
[[operations]]
include-operation-id = "getRuns"
checks.positive_data_acceptance.enabled = false
parameters = {{ "query.flow" = {{ dictionary = "flows", probability = 0.8 }}, {ns} }}

[[operations]]
include-operation-id = "mutateTags"
[operations.parameters]
"body.pathspec" = {{ dictionary = "runs", probability = 0.8 }}
"body.namespace" = {{ dictionary = "namespaces", probability = 0.5 }}
"""


def test_schemathesis_finds_no_server_error(
    live_server_factory, mutable_demo_store: DemoStore, tmp_path: Path
) -> None:
    # Given a real Jupyter server with jupyter_mfns over a private copy of the demo store
    server = live_server_factory(
        dict(os.environ),
        [
            f"--MfnsExtension.metaflow_root={mutable_demo_store.root}",
            f"--MfnsExtension.cache_dir={tmp_path / 'cache'}",
        ],
    )
    config = tmp_path / "schemathesis.toml"
    config.write_text(schemathesis_config(mutable_demo_store), encoding="utf-8")
    # When schemathesis runs every default check over the OpenAPI document
    cli = Path(sys.executable).with_name("schemathesis")
    # One worker: with two, hypothesis parses lambda sources (ast.parse) in two threads at once,
    # which CPython 3.11 sometimes fails with "AST constructor recursion depth mismatch".
    command = [
        str(cli), "--config-file", str(config), "--no-color", "run", str(OPENAPI),
        "--url", server.api_url, "--header", f"Authorization: token {server.token}",
        "--max-examples", "15", "--seed", "20261126", "--no-shrink", "--workers", "1",
        "--request-timeout", "20", "--suppress-health-check", "all",
    ]  # fmt: skip
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=240, cwd=tmp_path, check=False
    )
    output = result.stdout + result.stderr
    # Then it passes, having really exercised the API
    assert result.returncode == 0, output[-6000:]
    counts = re.search(r"(\d+) generated, (\d+) passed", output)
    assert counts, output[-3000:]
    assert int(counts.group(1)) >= 300 and counts.group(1) == counts.group(2), counts.group(0)
    assert "Tested: 14" in output
    # And the server logged no unexpected error
    log = server.log()
    assert "unexpected error" not in log
    assert not re.search(r"\] 5\d\d [A-Z]+ /", log), re.findall(r".*\] 5\d\d [A-Z]+ /.*", log)
