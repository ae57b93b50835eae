"""The benchmark's `jupyter server` over one store (harness.jupyter's, as the tests start it).

Token auth as in production; requests go over one keep-alive connection, as a browser's do, and
the start is timed by the caller (`wait_until_listening`, then the first answer).
"""

from __future__ import annotations

import http.client
import socket
import tempfile
import time
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple

from harness.jupyter import JupyterServer
from jupyter_mfns.demo.runner import metaflow_env


class LiveServer(JupyterServer):
    """`python -m jupyter server` with only jupyter_mfns enabled, over `store_root` (or, with
    `env`, over whatever Metaflow's variables in it name: a metadata service), with extra
    `args` (`--MfnsExtension.change_detection=scan`, ...)."""

    request_timeout = 600.0  # a cold start over 100k runs

    def __init__(
        self,
        store_root: Optional[Path],
        cache_dir: Path,
        user: str = "anne",
        refresh_interval: float = 1.0,
        args: Sequence[str] = (),
        env: Optional[Dict[str, str]] = None,
    ) -> None:
        options = [
            f"--MfnsExtension.cache_dir={cache_dir}",
            f"--MfnsExtension.refresh_interval={refresh_interval}",
            *args,
        ]
        if store_root is not None:
            options.append(f"--MfnsExtension.metaflow_root={store_root}")
        if env is None:
            assert store_root is not None
            env = metaflow_env(store_root, user)
        home = Path(tempfile.mkdtemp(prefix="mfns-bench-server-"))
        super().__init__(home, env, args=options, wait=False)
        self._conn: Optional[http.client.HTTPConnection] = None

    def _send(
        self, method: str, path: str, data: Optional[bytes], headers: Dict[str, str], timeout: float
    ) -> Tuple[int, bytes]:
        """Over the kept-alive connection; reconnects once if it dropped."""
        for attempt in (0, 1):
            if self._conn is None:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            try:
                self._conn.request(method, path, body=data, headers=headers)
                response = self._conn.getresponse()
                return response.status, response.read()
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
                    return time.monotonic() - self.started_at
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"jupyter server did not listen within {timeout} s")

    def peak_rss_mb(self) -> float:
        """The server process's peak resident memory so far (VmHWM)."""
        return _status_kb(self.process.pid, "VmHWM") / 1024

    def ws_url(self, route: str) -> str:
        return f"ws://127.0.0.1:{self.port}/mfns/api/{route}"

    def rss_mb(self) -> float:
        return _status_kb(self.process.pid, "VmRSS") / 1024

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        super().stop()


def _status_kb(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")
