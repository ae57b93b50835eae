"""Real `jupyter server` and `jupyter lab` processes for tests and benchmarks, and the browser.

Each process gets a free port, a random token, private config, runtime and cache folders (so no
index lands in the user's cache), this checkout first on its PYTHONPATH, and its output in a log
file beside them. `JupyterServer` is configured by its command line and environment alone
(JUPYTER_NO_CONFIG); `JupyterLab` adds what a browser test needs (no news toast, this checkout's
sidebar bundle). This module does not import jupyter_mfns.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

REPO = Path(__file__).resolve().parents[1]
#: this checkout's built sidebar (`npm run build:prod` in labextension/)
BUNDLE = REPO / "jupyter_mfns" / "labextension"
API = "mfns/api"

Params = Union[Mapping[str, Any], Sequence[Tuple[str, Any]]]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_http(
    url: str, process: subprocess.Popen[bytes], log_path: Path, timeout: float = 60
) -> None:
    """Poll `url` until it answers anything over HTTP; fail early if `process` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited:\n{_tail(log_path)}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers, if only to refuse
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s:\n{_tail(log_path)}")


class JupyterServer:
    """`python -m jupyter server` with only jupyter_mfns enabled, started in `home`.

    `env` is the whole environment of the server (and of its kernels); `args` are extra command
    line options (e.g. `--MfnsExtension.cache_dir=...`). With `wait=False` the constructor returns
    as soon as the process is spawned (the benchmarks time the start themselves).
    """

    app = "server"
    #: seconds an API request may take
    request_timeout: float = 60

    def __init__(
        self,
        home: Path,
        env: Mapping[str, str],
        *,
        args: Sequence[str] = (),
        base_url: str = "/",
        root_dir: Optional[Path] = None,
        cwd: Optional[Path] = None,
        wait: bool = True,
        timeout: float = 90,
    ) -> None:
        self.home = Path(home)
        self.port, self.token, self.base_url = free_port(), secrets.token_hex(16), base_url
        self.root_dir = root_dir if root_dir is not None else self.home / "root"
        for folder in (self.home / "config", self.home / "runtime", self.root_dir):
            folder.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "jupyter", self.app, "--no-browser", "--allow-root",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0", f"--ServerApp.base_url={base_url}",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root_dir}",
            *self._options(), *args,
        ]  # fmt: skip
        self.log_path = self.home / f"jupyter-{self.app}.log"
        self.started_at = time.monotonic()
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command,
                env=self._environment(env),
                cwd=str(cwd) if cwd else None,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        if wait:
            try:
                self.wait_ready(timeout)
            except BaseException:
                self.stop()
                raise

    # -- how it starts (JupyterLab changes these) ----------------------------------------------
    def _options(self) -> List[str]:
        return ["--ServerApp.jpserver_extensions={'jupyter_mfns': True}"]

    def _environment(self, env: Mapping[str, str]) -> Dict[str, str]:
        pythonpath = [str(REPO), *filter(None, [env.get("PYTHONPATH")])]
        return {
            "XDG_CACHE_HOME": str(self.home / "cache"),  # unless `env` names one
            **env,
            "JUPYTER_NO_CONFIG": "1",
            "JUPYTER_CONFIG_DIR": str(self.home / "config"),
            "JUPYTER_RUNTIME_DIR": str(self.home / "runtime"),
            "PYTHONPATH": os.pathsep.join(pythonpath),
        }

    # -- addresses and requests ----------------------------------------------------------------
    def url(self, path: str = "", **query: str) -> str:
        """A page of the server, with the token in the query (what a browser opens)."""
        return f"http://127.0.0.1:{self.port}{self.base_url}{path}?" + urllib.parse.urlencode(
            {"token": self.token, **query}
        )

    @property
    def api_url(self) -> str:
        """`http://127.0.0.1:<port>/<base_url>/mfns/api`, without a trailing slash."""
        return f"http://127.0.0.1:{self.port}{self.base_url}{API}"

    def request(
        self,
        method: str,
        route: str,
        params: Optional[Params] = None,
        body: Any = None,
        *,
        token: bool = True,
        timeout: Optional[float] = None,
    ) -> Tuple[int, Any]:
        """`METHOD mfns/api/<route>` (JSON `body`): the status and the decoded JSON answer."""
        query = urllib.parse.urlencode(params or {}, doseq=True)
        path = f"{self.base_url}{API}/{route}" + (f"?{query}" if query else "")
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"token {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        status, answer = self._send(method, path, data, headers, timeout or self.request_timeout)
        return status, json.loads(answer or b"null")

    def _send(
        self, method: str, path: str, data: Optional[bytes], headers: Dict[str, str], timeout: float
    ) -> Tuple[int, bytes]:
        """One HTTP exchange on a new connection: (status, body)."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", method=method, data=data, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def get(self, route: str, params: Optional[Params] = None, **kwargs: Any) -> Tuple[int, Any]:
        return self.request("GET", route, params, **kwargs)

    def ok(self, route: str, params: Optional[Params] = None, **query: Any) -> Any:
        """GET that must answer 200 (`params` and/or keyword `query`); returns the JSON body."""
        merged = [*_pairs(params), *query.items()]
        status, body = self.get(route, merged)
        assert status == 200, (route, merged, status, body)
        return body

    # -- process -------------------------------------------------------------------------------
    def wait_ready(self, timeout: float = 90) -> float:
        """Wait until the server answers HTTP; seconds since it was spawned."""
        wait_for_http(self.url("api/status"), self.process, self.log_path, timeout)
        return time.monotonic() - self.started_at

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> JupyterServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class JupyterLab(JupyterServer):
    """`python -m jupyter lab` for browser tests, configured by files in `home/config`.

    The news toast is off; the sidebar is this checkout's bundle when it is built (`sidebar`),
    and the jupyter_mfns server extension is on or off (`server_extension`). Settings and
    workspaces are private too.
    """

    app = "lab"

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
        home = Path(home)
        config = home / "config"
        for folder in (config / "labconfig", home / "settings", home / "workspaces"):
            folder.mkdir(parents=True, exist_ok=True)
        # The news toast still appears with news_url=None; disabling the plugin removes it.
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
        super().__init__(home, env, root_dir=root_dir, cwd=cwd, timeout=timeout)

    def _options(self) -> List[str]:
        return ["--LabApp.news_url=None"]

    def _environment(self, env: Mapping[str, str]) -> Dict[str, str]:
        full = super()._environment(env)
        del full["JUPYTER_NO_CONFIG"]  # Lab reads the files written above (and the installed ones)
        full["JUPYTERLAB_SETTINGS_DIR"] = str(self.home / "settings")
        full["JUPYTERLAB_WORKSPACES_DIR"] = str(self.home / "workspaces")
        return full


# -- the browser -----------------------------------------------------------------------------------
#: headless chromium as root on a machine without a network or a GPU
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> Optional[str]:
    """MFNS_CHROMIUM, else Debian's chromium, else None (Playwright's own browser)."""
    for candidate in (os.environ.get("MFNS_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def chromium_launch_args(base: Mapping[str, Any]) -> Dict[str, Any]:
    """pytest-playwright's launch args with Debian's chromium when there is one (never
    `playwright install` on a closed machine) and the flags it needs there."""
    path = chromium_path()
    return {**base, **({"executable_path": path} if path else {}), "args": CHROMIUM_ARGS}


def _pairs(params: Optional[Params]) -> List[Tuple[str, Any]]:
    if params is None:
        return []
    return list(params.items()) if isinstance(params, Mapping) else list(params)


def _tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-chars:]
    except OSError:
        return "(no log)"
