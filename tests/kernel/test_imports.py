"""Importing the package, or the kernel modules behind `load_artifact`, stays cheap."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["IPython", "ipywidgets", "tornado", "metaflow"]


def imported_after(statement: str) -> list:
    report = f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    code = f"import json, sys\n{statement}\n{report}"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_jupyter_mfns_and_its_load_artifact_path_is_light():
    assert imported_after("import jupyter_mfns") == []
    assert imported_after("from jupyter_mfns.kernel import loading, commands, sync, cli") == []
