"""Fixtures for the sidebar's end-to-end tests: one real JupyterLab over a private copy of the
demo store (as anne), and Debian chromium driven by Playwright's sync API."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

from harness.demo_stores import DemoStore, copy_demo_store

sys.path.insert(0, str(Path(__file__).parent))

from e2e_lab import Lab  # noqa: E402


@pytest.fixture(scope="session")
def e2e_store(demo_store: DemoStore, tmp_path_factory: pytest.TempPathFactory) -> DemoStore:
    """A private copy of the demo store: the tag test writes to it."""
    return copy_demo_store(demo_store, tmp_path_factory.mktemp("e2e-store"))


@pytest.fixture(scope="session")
def lab(e2e_store: DemoStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab with jupyter_mfns, reading `e2e_store` as anne."""
    server = Lab(e2e_store.root, tmp_path_factory.mktemp("e2e-lab"), e2e_store.env("anne"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: Dict[str, Any]) -> Dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 900}}
