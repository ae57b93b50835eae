"""A real JupyterLab with jupyter_mfns for the sidebar's end-to-end tests, and Playwright helpers.

The server runs in its own process with private config/runtime/settings/workspace folders, over
a private copy of the demo store, as anne; its kernels inherit that environment. The sidebar is
served from this checkout's bundle (``jupyter_mfns/labextension``) when it is built, else from the
installed package. Recipes: /work/shared/RECIPES.md.
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

REPO = Path(__file__).resolve().parents[2]
BUNDLE = REPO / "jupyter_mfns" / "labextension"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
PANEL = "#jupyter-mfns-panel"


def chromium_path() -> Optional[str]:
    """MFNS_CHROMIUM, else Debian's chromium, else None (Playwright's own browser)."""
    for candidate in (os.environ.get("MFNS_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Lab:
    """`jupyter lab` on a free port with a random token, browsing `store_root` as the env says."""

    def __init__(self, store_root: Path, home: Path, env: Mapping[str, str]) -> None:
        self.port, self.token = _free_port(), secrets.token_hex(16)
        config, runtime = home / "config", home / "runtime"
        notebooks = home / "notebooks"
        for folder in (config / "labconfig", runtime, home / "settings", home / "workspaces"):
            folder.mkdir(parents=True, exist_ok=True)
        notebooks.mkdir(exist_ok=True)
        page_config = {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
        (config / "labconfig" / "page_config.json").write_text(json.dumps(page_config))
        server_config: Dict[str, Any] = {
            "ServerApp": {
                "jpserver_extensions": {
                    "jupyter_mfns": True,
                    "jupyter_lsp": False,  # not needed; saves start-up time on 2 cores
                    "jupyter_server_terminals": False,
                }
            }
        }
        if (BUNDLE / "package.json").exists():
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
                f"--ServerApp.root_dir={notebooks}",
                "--LabApp.news_url=None",
            ],
            env=full_env,
            cwd=str(store_root),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 90) -> None:
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


# -- Playwright helpers ------------------------------------------------------------------------
def open_lab(page: Any, lab: Lab, reset: bool = True) -> Any:
    """Load JupyterLab (a fresh workspace unless `reset=False`) and show the Metaflow panel."""
    page.goto(lab.url("lab", reset="") if reset else lab.url("lab"))
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=90_000)
    panel = page.locator(PANEL)
    tab = page.locator('.lm-TabBar-tab[data-id="jupyter-mfns-panel"]')
    tab.wait_for(timeout=30_000)
    # The layout may still be restoring: click the tab only while the panel stays hidden.
    page.wait_for_timeout(500)
    if not panel.is_visible():
        tab.click()
    panel.wait_for(state="visible", timeout=30_000)
    page.wait_for_selector(f"{PANEL} #jp-mfns-namespace:not([disabled])", timeout=60_000)
    return panel


def widen_sidebar(page: Any, width: int) -> None:
    """Drag the handle between the left sidebar and the main area to `width` pixels."""
    handle = page.locator("#jp-main-split-panel > .lm-SplitPanel-handle:not(.lm-mod-hidden)")
    box = handle.first.bounding_box()
    assert box, "no sidebar handle"
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(width, y, steps=6)
    page.mouse.up()


def go_to(panel: Any, pathspec: str) -> None:
    """Type a pathspec in the "Go to" box and press Enter."""
    box = panel.locator(".jp-mfns-goto-input")
    box.fill(pathspec)
    box.press("Enter")


def run_rows(panel: Any) -> Any:
    """The rendered rows of the runs table."""
    return panel.locator(".jp-mfns-runs-scroller .jp-mfns-runrow[data-pathspec]")


def row_pathspecs(panel: Any) -> list:
    """Pathspecs of the runs table rows, top to bottom (the table is small in these tests)."""
    return run_rows(panel).evaluate_all("rows => rows.map(r => r.dataset.pathspec)")


def screenshot(page: Any, name: str) -> Path:
    """Save a screenshot in test-artifacts/screenshots/ (look at it!)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
