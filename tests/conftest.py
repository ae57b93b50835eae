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

import pytest
from card_store import CardStore, build_card_store

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
def card_store(tmp_path_factory) -> CardStore:
    """Real `@card` runs (tests/card_store.py: a default card, two cards on one task, a card
    with an id built from components, a hostile probe card, a resumed run, a pre-2022 card
    layout), built once per session (about 15 s). READ-ONLY."""
    return build_card_store(tmp_path_factory.mktemp("card-store"))
