"""Demo Metaflow store for jupyter_mfns: real runs of small flows telling the Metaflow docs'
"Organizing Results" story (anne, will, a production token, a failed run and its resume, an
artifact zoo and a chatty task), built by ``python -m jupyter_mfns.demo DIR``, plus the helpers
that run flows against a local store in clean subprocesses.

Only the standard library is imported here; Metaflow runs in subprocesses. (The test store
cache lives in harness/, the benchmarks' store multiplier in benchmarks/.)
"""

from .build import ARTIFACT_KINDS, DemoStoreError, build_demo_store, flow_file, source_hash
from .runner import (
    FlowRun,
    FlowRunError,
    RunningFlow,
    metaflow_env,
    resume_flow,
    run_flow,
    start_flow,
)
from .story import DemoRun, DemoStory, select_runs

__all__ = [
    "ARTIFACT_KINDS",
    "DemoRun",
    "DemoStoreError",
    "DemoStory",
    "FlowRun",
    "FlowRunError",
    "RunningFlow",
    "build_demo_store",
    "flow_file",
    "metaflow_env",
    "resume_flow",
    "run_flow",
    "select_runs",
    "source_hash",
    "start_flow",
]
