"""A real `jupyter server` subprocess serving jupyter_mfns over one store, for the benchmark.

Token auth as in production; requests go over one keep-alive connection, as a browser's do.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any, Dict, Optional, Sequence, Tuple, Union

from jupyter_mfns.demo.runner import metaflow_env

PACKAGE_PARENT = str(Path(__file__).resolve().parents[1])
API = "mfns/api/"
Params = Union[Dict[str, Any], Sequence[Tuple[str, Any]]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """`python -m jupyter server` with only jupyter_mfns enabled, over `store_root` (or, with
    `env`, over whatever Metaflow's variables in it name: a metadata service), with extra
    `args` (`--MfnsExtension.change_detection=scan`, ...)."""

    def __init__(
        self,
        store_root: Optional[Path],
        cache_dir: Path,
        user: str = "anne",
        refresh_interval: float = 1.0,
        args: Sequence[str] = (),
        env: Optional[Dict[str, str]] = None,
    ) -> None:
        self.port = _free_port()
        self.token = "bench-" + os.urandom(8).hex()
        self.work = Path(tempfile.mkdtemp(prefix="mfns-bench-server-"))
        for sub in ("config", "runtime", "root"):
            (self.work / sub).mkdir()
        if env is None:
            assert store_root is not None
            env = metaflow_env(store_root, user)
        env = dict(env)
        env.update(
            JUPYTER_NO_CONFIG="1",
            JUPYTER_CONFIG_DIR=str(self.work / "config"),
            JUPYTER_RUNTIME_DIR=str(self.work / "runtime"),
            PYTHONPATH=os.pathsep.join(filter(None, [PACKAGE_PARENT, env.get("PYTHONPATH")])),
        )
        command = [
            sys.executable, "-m", "jupyter", "server", "--no-browser", "--allow-root",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.work / 'root'}",
            "--ServerApp.jpserver_extensions={'jupyter_mfns': True}",
            f"--MfnsExtension.cache_dir={cache_dir}",
            f"--MfnsExtension.refresh_interval={refresh_interval}",
            *args,
        ]  # fmt: skip
        if store_root is not None:
            command.append(f"--MfnsExtension.metaflow_root={store_root}")
        self.log_path = self.work / "server.log"
        self.started_at = time.time()
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        self._conn: Optional[http.client.HTTPConnection] = None

    # -- requests ------------------------------------------------------------------------------
    def get(self, route: str, params: Optional[Params] = None, timeout: float = 600) -> Any:
        """GET an API route: (status, JSON body). Reconnects once if the connection dropped."""
        query = urllib.parse.urlencode(params or {}, doseq=True)
        path = "/" + API + route + ("?" + query if query else "")
        headers = {"Authorization": f"token {self.token}"}
        for attempt in (0, 1):
            if self._conn is None:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            try:
                self._conn.request("GET", path, headers=headers)
                response = self._conn.getresponse()
                body = response.read()
                return response.status, json.loads(body) if body else None
            except (ConnectionError, http.client.HTTPException, OSError):
                self._conn.close()
                self._conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def wait_until_listening(self, timeout: float = 120) -> float:
        """Seconds from spawn until the server accepts connections."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter server exited early:\n{self.log()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return time.time() - self.started_at
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"jupyter server did not listen within {timeout} s")

    # -- process -------------------------------------------------------------------------------
    def peak_rss_mb(self) -> float:
        """The server process's peak resident memory so far (VmHWM)."""
        return _status_kb(self.process.pid, "VmHWM") / 1024

    def ws_url(self, route: str) -> str:
        return f"ws://127.0.0.1:{self.port}/{API}{route}"

    def rss_mb(self) -> float:
        return _status_kb(self.process.pid, "VmRSS") / 1024

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _status_kb(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")
