"""Demo Metaflow store for jupyter_mfns: real runs of small flows telling the Metaflow docs'
"Organizing Results" story (anne, will, a production token, a failed run and its resume, an
artifact zoo and a chatty task), plus helpers to run flows and Metaflow client code against any
local store in clean subprocesses.

Only the standard library is imported here; Metaflow runs in subprocesses.
"""

from .build import ARTIFACT_KINDS, DemoStoreError, build_demo_store, flow_file, source_hash
from .runner import (
    FlowRun,
    FlowRunError,
    RunningFlow,
    client_json,
    metaflow_env,
    resume_flow,
    run_flow,
    start_flow,
)
from .stores import DemoStore, cached_demo_store, copy_demo_store, default_cache_dir
from .story import DemoRun, DemoStory, select_runs

__all__ = [
    "ARTIFACT_KINDS",
    "DemoRun",
    "DemoStore",
    "DemoStoreError",
    "DemoStory",
    "FlowRun",
    "FlowRunError",
    "RunningFlow",
    "build_demo_store",
    "cached_demo_store",
    "client_json",
    "copy_demo_store",
    "default_cache_dir",
    "flow_file",
    "metaflow_env",
    "resume_flow",
    "run_flow",
    "select_runs",
    "source_hash",
    "start_flow",
]
