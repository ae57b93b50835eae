"""Shared pytest fixtures, for one pytest session over every folder (browser tests included).

In-process Jupyter server (pytest-jupyter, loaded here as the JupyterLab extension template does:
pytest accepts ``pytest_plugins`` only in this top-level conftest): ``jp_fetch``, ``jp_serverapp``
and its runner for ``async def`` tests. Its two autouse fixtures (the per-test event loop and the
server cleanup) act only in the tests that use that server. Playwright's sync API (the browser
tests) runs its own event loop in the main thread from its first use to the end of the session,
so those tests run last, and never see pytest-jupyter's loop.

Demo store (built by the shipped ``jupyter_mfns.demo``; cached and copied by
``harness.demo_stores``, which the benchmarks share):

- ``demo_store`` (session): the demo Metaflow store, built once per source version into
  ``$MFNS_TEST_STORE_CACHE/demo-<hash>`` (default ``~/.cache/jupyter_mfns/demo-<hash>``) and
  reused across sessions. READ-ONLY: never add or remove tags or runs in it.
- ``mutable_demo_store`` (function): a private copy of it under ``tmp_path`` (about 0.3 s), for
  tests that mutate tags or add runs (``jupyter_mfns.demo.run_flow(store.root, ...)``).
- ``fresh_demo_store`` (session): built from scratch without cache (about 30 s); only for tests
  of the builder itself.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any, Dict, Iterator, List, Optional

import pytest
from card_store import CardStore, build_card_store
from compare_story import CompareStore, copy_compare_store

from harness.demo_stores import DemoStore, cached_demo_store, copy_demo_store
from harness.jupyter import chromium_launch_args
from jupyter_mfns.demo import build_demo_store

pytest_plugins = ("pytest_jupyter.jupyter_server",)


def pytest_collection_modifyitems(items: List[pytest.Item]) -> None:
    """Browser tests (marked e2e) last, in their collected order: once Playwright has started,
    its event loop stays marked as running in this thread, where pytest-jupyter's cannot run."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


def _uses_jupyter_server(request: pytest.FixtureRequest) -> bool:
    """Does this test run pytest-jupyter's in-process server (`async def`, jp_fetch, ...)?"""
    return inspect.iscoroutinefunction(request.function) or not {
        "jp_serverapp",
        "io_loop",
    }.isdisjoint(request.fixturenames)


@pytest.fixture
def jp_asyncio_loop(
    request: pytest.FixtureRequest,
) -> Iterator[Optional[asyncio.AbstractEventLoop]]:
    """pytest-jupyter's per-test event loop, for the tests that use its server; None elsewhere
    (its own version would adopt a browser test's Playwright loop, then close it)."""
    if not _uses_jupyter_server(request):
        yield None
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        yield request.getfixturevalue("jp_asyncio_loop")  # pytest-jupyter's
        return
    pytest.fail("an in-process Jupyter server test runs after a browser test (see conftest.py)")


@pytest.fixture
def jp_server_cleanup(request: pytest.FixtureRequest) -> None:
    """pytest-jupyter's cleanup of its in-process server, after the tests that use it."""
    if _uses_jupyter_server(request):
        request.getfixturevalue("jp_server_cleanup")  # pytest-jupyter's: cleans up at teardown


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


@pytest.fixture(scope="session")
def card_store(tmp_path_factory) -> CardStore:
    """Real `@card` runs (tests/card_store.py: a default card, two cards on one task, a card
    with an id built from components, a hostile probe card, a resumed run, a pre-2022 card
    layout), built once per session (about 15 s). READ-ONLY."""
    return build_card_store(tmp_path_factory.mktemp("card-store"))


@pytest.fixture(scope="session")
def compare_store(tmp_path_factory) -> CompareStore:
    """Five CompareFlow runs that differ in known ways (tests/compare_story.py): a private copy
    of the cached runs (made once per source version, a minute or two)."""
    return copy_compare_store(tmp_path_factory.mktemp("compare-store"))
