"""Metaflow's side of a benchmark: a Python program in its own process over the same store,
handed a job (argv, stdin), answering one JSON line at the end of its stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any, Mapping, Optional, Sequence


def run_metaflow(
    args: Sequence[str],
    env: Mapping[str, str],
    *,
    cwd: Optional[str] = None,
    stdin: Optional[str] = None,
    timeout: Optional[float] = None,
) -> Any:
    """`python ARGS...` with `env`; its last stdout line as JSON (RuntimeError with its stderr's
    end when it fails)."""
    proc = subprocess.run(
        [sys.executable, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=dict(env),
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"Metaflow's side failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
