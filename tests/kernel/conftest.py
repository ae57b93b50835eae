"""Fixtures for the kernel side: real kernels over a private copy of the demo store.

`store` is one copy of the demo store per test module (tests here add and remove tags), and
`kernel` a real ipykernel reading it as anne, with `%load_ext jupyter_mfns` done.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

from harness.demo_stores import DemoStore, copy_demo_store

sys.path.insert(0, str(Path(__file__).parent))

from kernel_harness import RealKernel, kernel_env  # noqa: E402


@pytest.fixture(scope="module")
def store(demo_store: DemoStore, tmp_path_factory: pytest.TempPathFactory) -> DemoStore:
    """A private copy of the demo store that this module's tests may tag."""
    copy = copy_demo_store(demo_store, tmp_path_factory.mktemp("kernel-store"))
    missing = [
        run.pathspec
        for run in copy.story.runs
        if not (copy.root / ".metaflow" / run.pathspec / "_meta" / "_self.json").is_file()
    ]
    assert not missing, f"the copy of the demo store lacks runs {missing}"
    return copy


@pytest.fixture(scope="module")
def kernel(store: DemoStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealKernel]:
    """A real kernel as anne over `store`, with the extension loaded."""
    cache = tmp_path_factory.mktemp("kernel-cache")
    k = RealKernel(kernel_env(store.env("anne"), cache), cwd=store.root)
    try:
        k.run("%load_ext jupyter_mfns")
        yield k
    finally:
        k.shutdown()
