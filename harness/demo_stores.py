"""Demo stores for tests and benchmarks: the cached one (built once per source version) and
cheap private copies for tests that change tags or add runs, plus Metaflow client code run
against a store in a fresh process (the oracle's way of asking Metaflow).

The cache folder is ``$MFNS_TEST_STORE_CACHE``, else ``$XDG_CACHE_HOME/jupyter_mfns`` or
``~/.cache/jupyter_mfns``. The store itself is built by the shipped ``jupyter_mfns.demo``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional

from jupyter_mfns.demo.build import MARKER_NAME, build_demo_store, read_story, source_hash
from jupyter_mfns.demo.runner import FlowRunError, StrPath, metaflow_env
from jupyter_mfns.demo.story import DemoStory

#: Environment variable naming the folder that holds cached demo stores.
CACHE_ENV = "MFNS_TEST_STORE_CACHE"


@dataclass(frozen=True)
class DemoStore:
    """A demo store on disk: ``root/.metaflow`` plus the story of what it holds."""

    root: Path
    story: DemoStory

    def env(self, user: str, *, production_token: Optional[str] = None) -> Dict[str, str]:
        """Environment for a Metaflow (or Jupyter) process reading this store as ``user``."""
        return metaflow_env(self.root, user, production_token=production_token)

    def client_json(self, user: str, code: str, *, production_token: Optional[str] = None) -> Any:
        """Run Metaflow client code on this store in a fresh process (see :func:`client_json`)."""
        return client_json(self.root, user, code, production_token=production_token)


def default_cache_dir() -> Path:
    """``$MFNS_TEST_STORE_CACHE``, else ``$XDG_CACHE_HOME/jupyter_mfns`` or
    ``~/.cache/jupyter_mfns``."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "jupyter_mfns"


def cached_demo_store(cache_dir: Optional[StrPath] = None, *, quiet: bool = True) -> DemoStore:
    """The demo store in ``<cache_dir>/demo-<source hash>``, built there on first use.

    The hash covers the demo sources and library versions, so an outdated store is never
    served. Treat the result as read-only: use :func:`copy_demo_store` before mutating tags.
    """
    base = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    root = base / f"demo-{source_hash()}"
    return DemoStore(root.resolve(), build_demo_store(root, quiet=quiet))


def copy_store_files(source: StrPath, destination: StrPath) -> Path:
    """Copy the local store in `source` (its `.metaflow`) to `destination`, which must not hold
    one, and return the destination. The local store records absolute paths (the `ds-root`
    task metadata, artifact locations), so every JSON file naming the old root is rewritten."""
    origin = Path(source).resolve()
    target = Path(destination).resolve()
    if (target / ".metaflow").exists():
        raise FileExistsError(target / ".metaflow")
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(origin / ".metaflow", target / ".metaflow")
    old, new = str(origin), str(target)
    old_json, new_json = old.replace("/", "\\/"), new.replace("/", "\\/")  # json may escape "/"
    for path in (target / ".metaflow").rglob("*.json"):
        text = path.read_text(encoding="utf-8")
        if old in text or old_json in text:
            path.write_text(text.replace(old, new).replace(old_json, new_json), encoding="utf-8")
    return target


def copy_demo_store(source: DemoStore, destination: StrPath) -> DemoStore:
    """Copy a demo store to ``destination`` (which must not hold a ``.metaflow``) and return it.

    The local store records absolute paths (the ``ds-root`` task metadata, artifact locations),
    so every JSON file mentioning the old root is rewritten to the new one. Copying the demo
    store takes well under a second: use it for tests that add or remove tags.
    """
    target = copy_store_files(source.root, destination)
    shutil.copy2(source.root / MARKER_NAME, target / MARKER_NAME)
    story = read_story(target)
    if story is None:
        raise RuntimeError(f"copy of {source.root} in {target} is not a complete demo store")
    return DemoStore(target, story)


_RESULT_MARK = "\n--mfns-client-result--\n"
_CLIENT_WRAPPER = f"""
import json, sys
scope = {{}}
exec(compile(sys.argv[1], "<mfns-client>", "exec"), scope)
sys.stdout.write({_RESULT_MARK!r} + json.dumps(scope["result"], default=str))
"""


def client_json(
    root: StrPath,
    user: str,
    code: str,
    *,
    production_token: Optional[str] = None,
    timeout: float = 300.0,
) -> Any:
    """Run Metaflow client ``code`` in a fresh process as ``user`` against the store in ``root``
    and return the JSON value the code assigns to ``result``.

    Example: ``client_json(root, "anne", "from metaflow import Flow\\n"
    "result = [r.pathspec for r in Flow('PredictionFlow')]")``. The process starts in Metaflow's
    default namespace for that user (or ``production:<token>``); call ``namespace()`` to change it.
    """
    env = metaflow_env(root, user, production_token=production_token)
    proc = subprocess.run(
        [sys.executable, "-c", _CLIENT_WRAPPER, code],
        cwd=str(Path(root).resolve()),
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0 or _RESULT_MARK not in proc.stdout:
        tail = "\n".join(proc.stderr.splitlines()[-40:])
        raise FlowRunError(f"client code failed (status {proc.returncode}):\n{tail}")
    return json.loads(proc.stdout.rsplit(_RESULT_MARK, 1)[1])
