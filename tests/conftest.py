"""Shared pytest fixtures.

Demo store (owned by the demo part; helpers live in ``jupyter_mfns.demo`` so benchmarks and other
test folders can import them):

- ``demo_store`` (session): the demo Metaflow store, built once per source version into
  ``$MFNS_TEST_STORE_CACHE/demo-<hash>`` (default ``~/.cache/jupyter_mfns/demo-<hash>``) and
  reused across sessions. READ-ONLY: never add or remove tags or runs in it.
- ``mutable_demo_store`` (function): a private copy of it under ``tmp_path`` (about 0.3 s), for
  tests that mutate tags or add runs (``jupyter_mfns.demo.run_flow(store.root, ...)``).
- ``fresh_demo_store`` (session): built from scratch without cache (about 30 s); only for tests
  of the builder itself.
"""

from __future__ import annotations

from typing import Any, Dict

import pytest

from harness.jupyter import chromium_launch_args
from jupyter_mfns.demo import DemoStore, build_demo_store, cached_demo_store, copy_demo_store


@pytest.fixture(scope="session")
def demo_store() -> DemoStore:
    """The cached, read-only demo store (``.root`` holds ``.metaflow``; ``.story`` names runs)."""
    return cached_demo_store()


@pytest.fixture
def mutable_demo_store(demo_store: DemoStore, tmp_path) -> DemoStore:
    """A private copy of the demo store that this test may change."""
    return copy_demo_store(demo_store, tmp_path / "demo-store")


@pytest.fixture(scope="session")
def fresh_demo_store(tmp_path_factory) -> DemoStore:
    """A demo store built from scratch in a temporary folder (no cache)."""
    root = tmp_path_factory.mktemp("fresh-demo-store")
    return DemoStore(root, build_demo_store(root))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: Dict[str, Any]) -> Dict[str, Any]:
    """Every browser test's chromium (pytest-playwright's fixture, made to work here)."""
    return chromium_launch_args(browser_type_launch_args)
