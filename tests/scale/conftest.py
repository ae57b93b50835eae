"""Fixtures for scale tests: a cached 10k-run store multiplied from the real demo runs, and a
slow real flow for tests that watch runs while they are written."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.scaled_store import ScaledStore, scaled_store

SLOW_FLOW = Path(__file__).parent / "flows" / "slow_flow.py"


@pytest.fixture(scope="session")
def store_10k() -> ScaledStore:
    """10,000 runs (built once into the user's cache, about a minute; then reused). Read-only."""
    return scaled_store(10_000)
