"""Real CompareFlow runs (tests/flows/compare_flow.py) that differ in known ways, for the
comparison tests of every layer (core, server, kernel, browser):

- `base`: items [1, 2, 3], scale 2 (anne);
- `reordered`: items [3, 2, 1]: the foreach's tasks hold the same values in another order, the
  table's rows and the join's list differ;
- `rescaled`: items [1, 2, 4], scale 3: one foreach value and the table's values differ;
- `widened`: `extra`: the table gains a column (its shape no longer lines up);
- `wills`: will's run, as `base` (another user's namespace).

The runs are made once per version of the flow, this file and Metaflow, in the test store
cache (`cached_compare_store`); each session works on a copy (`copy_compare_store`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Dict

from harness.demo_stores import copy_store_files, default_cache_dir
from jupyter_mfns.demo.runner import metaflow_env, run_flow

COMPARE_FLOW = Path(__file__).parent / "flows" / "compare_flow.py"
ARGS = {
    "base": ["--items", "[1, 2, 3]"],
    "reordered": ["--items", "[3, 2, 1]"],
    "rescaled": ["--items", "[1, 2, 4]", "--scale", "3"],
    "widened": ["--extra", "true"],
    "wills": ["--items", "[1, 2, 3]"],
}


@dataclass(frozen=True)
class CompareStore:
    root: Path
    runs: Dict[str, str]  # role -> pathspec

    def __getitem__(self, role: str) -> str:
        return self.runs[role]

    def env(self, user: str = "anne") -> Dict[str, str]:
        return metaflow_env(self.root, user)


STORY_FILE = "compare-story.json"


def build_compare_store(root: Path) -> CompareStore:
    """The five runs, oldest first in the roles' order (a minute or two)."""
    runs = {}
    for role, args in ARGS.items():
        user = "will" if role == "wills" else "anne"
        runs[role] = run_flow(root, COMPARE_FLOW, user=user, args=args).pathspec
    (root / STORY_FILE).write_text(json.dumps(runs), encoding="utf-8")
    return CompareStore(root, runs)


def _source_hash() -> str:
    digest = hashlib.sha256(COMPARE_FLOW.read_bytes() + Path(__file__).read_bytes())
    digest.update(metadata.version("metaflow").encode())
    return digest.hexdigest()[:12]


def cached_compare_store() -> CompareStore:
    """The runs in the test store cache, made there (then renamed in place) on first use."""
    root = default_cache_dir() / f"compare-{_source_hash()}"
    if not (root / STORY_FILE).is_file():
        building = root.with_name(f"{root.name}.building-{os.getpid()}")
        shutil.rmtree(building, ignore_errors=True)
        build_compare_store(building)
        shutil.rmtree(root, ignore_errors=True)  # an earlier session's half-made copy
        copy_store_files(building, root)  # rewrites the paths the runs recorded
        shutil.copy2(building / STORY_FILE, root / STORY_FILE)  # last: the store is complete
        shutil.rmtree(building, ignore_errors=True)
    return CompareStore(root, json.loads((root / STORY_FILE).read_text(encoding="utf-8")))


def copy_compare_store(destination: Path) -> CompareStore:
    """A private copy of the cached runs (tests may tag it)."""
    cached = cached_compare_store()
    root = copy_store_files(cached.root, destination)
    return CompareStore(root, dict(cached.runs))
