"""Metaflow's configuration alone points everything at the deployment: the store, the magic and
artifact loading in a kernel (a fresh IPython process with only the deployment's environment).
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any, Dict

_SCRIPT = r"""
import json, sys
from IPython.core.interactiveshell import InteractiveShell

task = sys.argv[1]
shell = InteractiveShell.instance()
shell.run_line_magic("load_ext", "jupyter_mfns")
shell.run_line_magic("mfns", f"load {task}/frame --as df")
df = shell.user_ns["df"]

from jupyter_mfns.kernel.session import get_session  # noqa: E402
store = get_session().catalog.store
import metaflow  # noqa: E402

shell.run_line_magic("mfns", "namespace user:will")
will_ns = metaflow.get_namespace()
latest = metaflow.Flow("TalkFlow").latest_run.pathspec
print("\n--result--\n" + json.dumps({
    "store": type(store).__name__,
    "identity": store.identity,
    "metadata_spec": store.metadata_spec,
    "frame_type": type(df).__module__ + "." + type(df).__name__,
    "shape": list(df.shape),
    "y_sum": int(df["y"].sum()),
    "will_ns": will_ns,
    "will_latest": latest,
}))
"""


def _run_kernel_script(deployment, user: str, *args: str) -> Dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT, *args],
        env=deployment.env(user),
        cwd=str(deployment.workdir / "client"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.rsplit("--result--", 1)[1])


def test_magic_loads_an_artifact_from_s3_with_only_metaflow_config(deployment, story):
    # Given a kernel whose only configuration is Metaflow's environment for the deployment
    result = _run_kernel_script(deployment, "anne", story.talk_task)
    # Then the store behind the magic is the service store of that deployment
    assert result["store"] == "ServiceStore"
    assert result["metadata_spec"] == f"service@{deployment.service_url}"
    assert deployment.sysroot_s3 in result["identity"]
    # and `%mfns load` brought the DataFrame from S3, through Metaflow's own client
    assert result["frame_type"] == "pandas.DataFrame"
    assert result["shape"] == [50, 2]
    assert result["y_sum"] == sum(i * i for i in range(50))
    # and `%mfns namespace` switched Metaflow's namespace in that kernel
    assert result["will_ns"] == "user:will"
    assert result["will_latest"] == story["will_talk"]
