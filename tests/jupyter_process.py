"""A real JupyterLab in its own process, for browser tests (RECIPES.md's proven recipe).

Private config, runtime, settings and workspace folders; a free port and a random token; the
news toast disabled; this checkout's sidebar bundle served first when it is built. Its kernels
inherit `env` (the Metaflow store and user of the test).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

REPO = Path(__file__).resolve().parents[1]
BUNDLE = REPO / "jupyter_mfns" / "labextension"


def chromium_path() -> Optional[str]:
    """MFNS_CHROMIUM, else Debian's chromium, else None (Playwright's own browser)."""
    for candidate in (os.environ.get("MFNS_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


#: RECIPES.md: headless chromium as root on a closed network
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_launch_args(base: Mapping[str, Any]) -> Dict[str, Any]:
    """pytest-playwright's launch args with Debian's chromium when there is one (never
    `playwright install` here) and the flags it needs on these machines."""
    path = chromium_path()
    return {**base, **({"executable_path": path} if path else {}), "args": CHROMIUM_ARGS}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class JupyterLab:
    """`jupyter lab` on a free port with a random token; `url(path)` opens pages in it."""

    def __init__(
        self,
        home: Path,
        env: Mapping[str, str],
        *,
        root_dir: Path,
        cwd: Optional[Path] = None,
        server_extension: bool = True,
        sidebar: bool = True,
        timeout: float = 90,
    ) -> None:
        self.root_dir, self.port, self.token = root_dir, free_port(), secrets.token_hex(16)
        config, runtime = home / "config", home / "runtime"
        for folder in (config / "labconfig", runtime, home / "settings", home / "workspaces"):
            folder.mkdir(parents=True, exist_ok=True)
        root_dir.mkdir(parents=True, exist_ok=True)
        page_config = {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
        (config / "labconfig" / "page_config.json").write_text(json.dumps(page_config))
        server_config: Dict[str, Any] = {
            "ServerApp": {
                "jpserver_extensions": {
                    "jupyter_mfns": server_extension,
                    "jupyter_lsp": False,  # not needed; saves start-up time on 2 cores
                    "jupyter_server_terminals": False,
                }
            }
        }
        if sidebar and (BUNDLE / "package.json").exists():
            # Extra paths come first, so this checkout's bundle wins over an installed copy.
            extensions = home / "labextensions"
            extensions.mkdir(exist_ok=True)
            (extensions / "jupyter-mfns").symlink_to(BUNDLE, target_is_directory=True)
            server_config["LabServerApp"] = {"extra_labextensions_path": [str(extensions)]}
        (config / "jupyter_server_config.json").write_text(json.dumps(server_config))
        full_env = {
            **env,
            "JUPYTER_CONFIG_DIR": str(config),
            "JUPYTER_RUNTIME_DIR": str(runtime),
            "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        }
        self.log_path = home / "lab.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyter",
                "lab",
                "--no-browser",
                "--allow-root",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={root_dir}",
                "--LabApp.news_url=None",
            ],
            env=full_env,
            cwd=str(cwd) if cwd else None,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited: see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"jupyter lab did not start: see {self.log_path}")

    def url(self, path: str, **query: str) -> str:
        extra = "".join(f"&{k}={v}" for k, v in query.items())
        return f"http://127.0.0.1:{self.port}/{path}?token={self.token}{extra}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()
