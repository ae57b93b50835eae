"""Fixtures for core tests: a small private store that tests may mutate."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, List

import pytest

from jupyter_mfns.core import Catalog
from jupyter_mfns.core.store import LocalStore
from jupyter_mfns.demo.runner import run_flow

if TYPE_CHECKING:
    from results_story import ParamsStory

TINY_FLOW = Path(__file__).parent / "flows" / "tiny_flow.py"


@dataclass
class TinyStore:
    root: Path
    anne_runs: List[str]  # newest first
    will_runs: List[str]

    def catalog(self, tmp_path: Path, **kwargs) -> Catalog:
        return Catalog(LocalStore(self.root), cache_dir=tmp_path / "cache", **kwargs)


@pytest.fixture(scope="session")
def tiny_store(tmp_path_factory) -> TinyStore:
    """Three TinyFlow runs: anne (tagged a, b), anne (tagged a), will (tagged a)."""
    root = tmp_path_factory.mktemp("tiny-store")
    r1 = run_flow(root, TINY_FLOW, user="anne", tags=["a", "b"]).pathspec
    r2 = run_flow(root, TINY_FLOW, user="anne", tags=["a"]).pathspec
    r3 = run_flow(root, TINY_FLOW, user="will", tags=["a"]).pathspec
    return TinyStore(root=root, anne_runs=[r2, r1], will_runs=[r3])


@pytest.fixture
def catalog(tiny_store: TinyStore, tmp_path: Path, monkeypatch) -> Catalog:
    monkeypatch.setenv("METAFLOW_USER", "anne")
    monkeypatch.delenv("METAFLOW_PRODUCTION_TOKEN", raising=False)
    cat = tiny_store.catalog(tmp_path)
    yield cat
    cat.close()


@dataclass
class ParamsStore:
    root: Path
    story: ParamsStory

    def catalog(self, tmp_path: Path, **kwargs) -> Catalog:
        return Catalog(LocalStore(self.root), cache_dir=tmp_path / "cache", **kwargs)

    def env(self) -> dict:
        from jupyter_mfns.demo.runner import metaflow_env

        return metaflow_env(self.root, "anne")


@pytest.fixture(scope="session")
def params_store(tmp_path_factory) -> ParamsStore:
    """ParamsFlow's five runs (tests/results_story.py) in a private local store (about 80 s),
    the `poisoned` run's `label` blob replaced by a pickle that would run code."""
    from results_story import PARAMS_FLOW, play_params_story, poison_local

    root = tmp_path_factory.mktemp("params-store")

    def start(args, command, extra_env):
        return run_flow(
            root, PARAMS_FLOW, user="anne", command=command, args=args, extra_env=extra_env,
            check=False,
        )  # fmt: skip

    story = play_params_story(start, root)
    poison_local(root, story["poisoned"], story.marker)
    return ParamsStore(root, story)
