"""A real `jupyter server` with jupyter_mfns, configured by nothing but an environment."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from service_deployment import free_port


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    token: str
    log_path: Path

    def call(
        self, method: str, route: str, params: Optional[Dict[str, Any]] = None, body: Any = None
    ) -> Tuple[int, Any]:
        query = urllib.parse.urlencode(params or {}, doseq=True)
        request = urllib.request.Request(
            f"{self.url}mfns/api/{route}" + (f"?{query}" if query else ""),
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def get(self, route: str, **params: Any) -> Any:
        status, body = self.call("GET", route, params)
        assert status == 200, (route, params, status, body)
        return body

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(
    tmp: Path, env: Dict[str, str], *, refresh: float = 1.0, timeout: float = 90
) -> Server:
    """`jupyter server` with only jupyter_mfns, configured by nothing but `env`."""
    port, token = free_port(), "service-test-token"
    for sub in ("config", "runtime", "root", "cache"):
        (tmp / sub).mkdir(parents=True, exist_ok=True)
    full_env = {
        **env,
        "JUPYTER_NO_CONFIG": "1",
        "JUPYTER_CONFIG_DIR": str(tmp / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "XDG_CACHE_HOME": str(tmp / "cache"),
    }
    command = [
        sys.executable, "-m", "jupyter", "server", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp / 'root'}",
        "--ServerApp.jpserver_extensions={'jupyter_mfns': True}",
        f"--MfnsExtension.refresh_interval={refresh}",
    ]  # fmt: skip
    log_path = tmp / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, env=full_env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    server = Server(process, f"http://127.0.0.1:{port}/", token, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(log_path.read_text(errors="replace")[-3000:])
        try:
            status, _ = server.call("GET", "status")
            if status < 500:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"jupyter server did not start:\n{log_path.read_text()[-3000:]}")
