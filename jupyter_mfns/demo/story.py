"""The demo story: which runs the demo store holds, so tests never hard-code run ids.

Every list of run pathspecs is **newest first**, the order Metaflow's ``Flow(F).runs()`` uses.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Optional


@dataclass(frozen=True)
class DemoRun:
    """One run the builder created."""

    pathspec: str
    flow: str
    user: str
    namespace: str  # "user:<user>" or "production:<token>"
    tags: list[str]  # user tags given with --tag, sorted
    successful: bool
    created_at: int  # epoch ms, from the run's _meta/_self.json
    origin_run: Optional[str] = None  # "Flow/run" this run resumed, if any


@dataclass(frozen=True)
class DemoStory:
    """What the demo store contains; serialised in ``<root>/.mfns-demo.json``."""

    source_hash: str
    metaflow_version: str
    users: list[str]
    production_token: str
    date_tags: list[str]
    runs: list[DemoRun]  # every run, in creation order (oldest first)
    feature_runs: list[str]
    xyz_features_runs: list[str]
    anne_prediction_runs: list[str]  # PredictionFlow runs in namespace user:anne
    will_prediction_runs: list[str]  # PredictionFlow runs in namespace user:will
    production_run: str
    failed_run: str  # anne's PredictionFlow run whose score step raised
    resumed_run: str  # will's resume of failed_run
    resumed_from: str  # == failed_run
    showcase_run: str
    artifact_task: str
    artifacts: dict[str, str]  # kind (e.g. "pandas_dataframe") -> artifact name
    long_stdout_task: str
    long_stdout_lines: int
    long_stderr_lines: int

    def runs_where(
        self,
        flow: Optional[str] = None,
        namespace: Optional[str] = None,
        tags: tuple[str, ...] = (),
    ) -> list[str]:
        """See :func:`select_runs`."""
        return select_runs(self.runs, flow, namespace, tags)

    def run(self, pathspec: str) -> DemoRun:
        """The recorded run with this pathspec."""
        for run in self.runs:
            if run.pathspec == pathspec:
                return run
        raise KeyError(pathspec)

    def to_json(self) -> str:
        """JSON text of the whole story."""
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> DemoStory:
        """Inverse of :meth:`to_json`."""
        data = json.loads(text)
        data["runs"] = [DemoRun(**run) for run in data["runs"]]
        return cls(**data)


def select_runs(
    runs: list[DemoRun],
    flow: Optional[str] = None,
    namespace: Optional[str] = None,
    tags: tuple[str, ...] = (),
) -> list[str]:
    """Pathspecs of the runs of ``flow`` in ``namespace`` (a ``user:``/``production:`` namespace
    or a user tag; None = global) carrying all ``tags``, newest first: what
    ``Flow(flow).runs(*tags)`` lists in that namespace (system tags other than the run's
    namespace are not recorded)."""
    found = []
    for run in sorted(runs, key=lambda r: r.created_at, reverse=True):
        every_tag = set(run.tags) | {run.namespace}
        if flow is not None and run.flow != flow:
            continue
        if namespace is not None and namespace not in every_tag:
            continue
        if set(tags) <= every_tag:
            found.append(run.pathspec)
    return found
