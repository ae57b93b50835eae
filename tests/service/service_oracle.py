"""Metaflow's own client, configured for the service deployment, as the oracle.

Same questions and answer format as tests/oracle.py (it reuses that script), but the client
process gets the deployment's environment: service metadata provider + S3 datastore.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any, Dict, List, Sequence

from oracle import _SCRIPT
from service_deployment import Deployment


def ask_service_metaflow(
    dep: Deployment, queries: Sequence[Dict[str, Any]], user: str = "anne"
) -> List[Any]:
    """Answers of Metaflow's client (service mode) to `queries`, in order."""
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        input=json.dumps(list(queries)),
        capture_output=True,
        text=True,
        env=dep.env(user),
        cwd=str(dep.workdir / "client"),
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"Metaflow oracle failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
