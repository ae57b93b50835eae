"""(e) of the benchmark: how long after a change on disk the REST API shows it.

Changes are made the way users make them, from other processes: a real Metaflow run of a demo
flow, and a tag added with Metaflow's CLI (``python flow.py tag add``). The moment of the change
is the modification time of the run's ``_meta/_self.json`` (Metaflow writes it when the run
starts, and replaces it atomically on a tag change); the API is polled every 10 ms until the
change shows. Every change is undone afterwards, so the cached store stays as built.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from jupyter_mfns.demo import flow_file, metaflow_env, start_flow

from .live_server import LiveServer

POLL_S = 0.01


def _poll(check: Callable[[], Any], timeout: float) -> Tuple[float, Any]:
    """Call `check` until it returns something truthy; (wall time then, that value)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return time.time(), value
        time.sleep(POLL_S)
    raise TimeoutError(f"the change did not show within {timeout} s")


def _runs_tagged(server: LiveServer, flow: str, tag: str) -> List[Dict[str, Any]]:
    status, body = server.get("runs", {"flow": flow, "namespace": "", "tag": tag, "limit": 1})
    if status != 200:
        raise RuntimeError(f"runs answered {status}: {body}")
    return list(body["runs"])


def new_run_visibility(
    server: LiveServer, root: Path, user: str = "anne", record: Optional[Dict[str, Any]] = None
) -> float:
    """Seconds from a new real run's `_self.json` appearing to the API listing it (`record`
    gets the run's `pathspec` and the wall time it was `written`)."""
    flow, tag = "FeatureFlow", f"bench-new-{uuid.uuid4().hex[:8]}"
    run_dir = None
    try:
        with start_flow(root, flow_file(flow), user=user, tags=[tag]) as running:
            seen, runs = _poll(lambda: _runs_tagged(server, flow, tag), timeout=180)
            run_dir = root / ".metaflow" / flow / runs[0]["id"]
            written = os.stat(run_dir / "_meta" / "_self.json").st_mtime
            if record is not None:
                record.update(pathspec=f"{flow}/{runs[0]['id']}", written=written)
            running.wait(timeout=300, check=False)
        return seen - written
    finally:
        if run_dir is not None:
            shutil.rmtree(run_dir, ignore_errors=True)


def tag_change_visibility(
    server: LiveServer,
    root: Path,
    pathspec: str,
    user: str = "anne",
    record: Optional[Dict[str, Any]] = None,
) -> Tuple[float, float]:
    """Seconds until a tag added by Metaflow's CLI shows, and until its removal shows
    (`record` gets the wall times they were written: `added_at`, `removed_at`).

    The removal restores the run's original `_self.json` (Metaflow's tag CLI also rewrote the
    run's ts_epoch, a known defect), so the store is left exactly as it was.
    """
    flow, run_id = pathspec.split("/")
    path = root / ".metaflow" / flow / run_id / "_meta" / "_self.json"
    original = path.read_bytes()
    tag = f"bench-tag-{uuid.uuid4().hex[:8]}"
    command = [sys.executable, str(flow_file(flow)), "--no-pylint", "tag", "add"]
    command += ["--run-id", run_id, tag]
    try:
        proc = subprocess.Popen(
            command,
            env=metaflow_env(root, user),
            cwd=str(root),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        seen, _ = _poll(lambda: _runs_tagged(server, flow, tag), timeout=120)
        added_at = os.stat(path).st_mtime
        added = seen - added_at
        if record is not None:
            record["added_at"] = added_at
        proc.wait(timeout=120)
    finally:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".bench-", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(original)
        os.replace(tmp, path)
        restored = time.time()
        if record is not None:
            record["removed_at"] = restored
    seen, _ = _poll(lambda: not _runs_tagged(server, flow, tag), timeout=120)
    return added, seen - restored
