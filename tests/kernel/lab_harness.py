"""A real JupyterLab server for browser tests, and Playwright helpers for notebooks in it.

The server runs in its own process with private config/runtime/settings folders; its kernels
inherit its environment (the demo store, as anne). Recipes: /work/shared/RECIPES.md.
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
from typing import Any, Dict, List, Mapping, Optional

REPO = Path(__file__).resolve().parents[2]
BUNDLE = REPO / "jupyter_mfns" / "labextension"


def chromium_path() -> Optional[str]:
    """MFNS_CHROMIUM, else Debian's chromium, else None (Playwright's own browser)."""
    for candidate in (os.environ.get("MFNS_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def notebook(path: Path, cells: List[str]) -> Path:
    """Write a notebook of code cells (no outputs) for the python3 kernel."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(
        cells=[new_code_cell(source) for source in cells],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}},
    )
    nbformat.write(nb, path)
    return path


class LabServer:
    """`jupyter lab` on a free port with a random token; `url(path)` opens pages in it."""

    def __init__(
        self,
        root_dir: Path,
        home: Path,
        env: Mapping[str, str],
        server_extension: bool,
        sidebar: bool,
    ) -> None:
        self.root_dir, self.port, self.token = root_dir, free_port(), secrets.token_hex(16)
        config, runtime = home / "config", home / "runtime"
        for folder in (config / "labconfig", runtime, home / "settings", home / "workspaces"):
            folder.mkdir(parents=True, exist_ok=True)
        (config / "labconfig" / "page_config.json").write_text(
            json.dumps(
                {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
            )
        )
        server_config: Dict[str, Any] = {
            "ServerApp": {
                "jpserver_extensions": {
                    "jupyter_mfns": server_extension,
                    "jupyter_lsp": False,  # not needed; saves start-up time on 2 cores
                    "jupyter_server_terminals": False,
                }
            }
        }
        if sidebar and not self.sidebar_installed():
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
        self.log = (home / "lab.log").open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyterlab",
                "--no-browser",
                "--allow-root",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={root_dir}",
                "--LabApp.news_url=None",
            ],
            env=full_env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    @staticmethod
    def sidebar_installed() -> bool:
        installed = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "jupyter-mfns"
        return installed.exists()

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited: see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("jupyter lab did not start")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}?token={self.token}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# -- Playwright helpers --------------------------------------------------------------------------
def open_notebook(page: Any, lab: LabServer, name: str) -> None:
    """Open a notebook in Lab and wait for its kernel to be idle."""
    page.goto(lab.url(f"lab/tree/{name}"))
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=60_000)
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    wait_kernel_idle(page)


def wait_kernel_idle(page: Any, timeout: float = 60_000) -> None:
    page.wait_for_selector(
        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator[data-status='idle']",
        timeout=timeout,
    )


def run_cell(page: Any, index: int, expect: str, timeout: float = 60_000) -> Any:
    """Run code cell `index` (never run before) and wait for `expect`, a selector inside it.

    Control+Enter is retried until the prompt leaves "[ ]:": right after the kernel becomes
    idle the first key press is sometimes dropped (RECIPES.md)."""
    cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").nth(index)
    prompt = cell.locator(".jp-InputPrompt").first
    for _ in range(5):
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Control+Enter")
        try:
            page.wait_for_function(
                "el => el.textContent.trim() !== '[ ]:'", arg=prompt.element_handle(), timeout=3000
            )
            break
        except Exception:
            continue
    cell.locator(expect).first.wait_for(timeout=timeout)
    return cell


def choose_option(select: Any, contains: str, timeout: float = 30) -> None:
    """Pick the option of a <select> whose text contains `contains` (spaces as NBSP or not),
    waiting for it to appear (options arrive from the kernel)."""
    deadline = time.monotonic() + timeout
    while True:
        index = select.evaluate(
            """(el, needle) => Array.from(el.options).findIndex(
                   o => o.textContent.replace(/\\u00a0/g, ' ').includes(needle))""",
            contains,
        )
        if index >= 0:
            select.select_option(index=index)
            return
        if time.monotonic() > deadline:
            options = select.evaluate("el => Array.from(el.options).map(o => o.textContent)")
            raise AssertionError(f"no option containing {contains!r} in {options}")
        time.sleep(0.2)
