"""Run Metaflow flows against one local store, in subprocesses.

Metaflow reads its configuration (datastore root, user, profile) once, at import time, so every
flow run here is a fresh ``sys.executable`` process with an explicit, clean environment: nothing
from the caller's ``METAFLOW_*`` variables or ``~/.metaflowconfig`` leaks in. This module imports
only the standard library.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

StrPath = Union[str, "os.PathLike[str]"]

#: Empty folder inside each store used as METAFLOW_HOME (so no user profile is ever read).
METAFLOW_HOME_DIRNAME = ".mfns-metaflow-home"

# Makes `jupyter_mfns` importable in flow and client subprocesses even when it is not installed
# (the showcase flow pickles a namedtuple defined in jupyter_mfns.demo.records).
_PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])


class FlowRunError(RuntimeError):
    """A flow or client subprocess failed when it was expected to succeed."""


def metaflow_env(
    root: StrPath,
    user: str,
    *,
    production_token: Optional[str] = None,
    base: Optional[Mapping[str, str]] = None,
) -> dict[str, str]:
    """Environment for a flow or Metaflow client process using the local store ``root/.metaflow``.

    Starts from ``base`` (default ``os.environ``) without any ``METAFLOW_*`` variable, then sets
    local metadata + datastore rooted at ``root`` (Metaflow appends ``.metaflow`` to
    ``METAFLOW_DATASTORE_SYSROOT_LOCAL``), ``METAFLOW_USER=user``, ``METAFLOW_HOME`` pointing at an
    empty folder in ``root`` (created here, as is ``root/.metaflow``), and
    ``METAFLOW_PRODUCTION_TOKEN`` if given (then the default namespace, and the namespace of new
    runs, is ``production:<token>``).
    """
    if not user or user == "root":
        raise ValueError(f"Metaflow needs a user other than 'root', got {user!r}")
    root_path = Path(root).resolve()
    home = root_path / METAFLOW_HOME_DIRNAME
    home.mkdir(parents=True, exist_ok=True)
    # Metaflow looks for a local config in the nearest .metaflow folder above the working
    # directory; with root/.metaflow present, processes started in root never find a parent's.
    (root_path / ".metaflow").mkdir(exist_ok=True)
    source = os.environ if base is None else base
    env = {k: v for k, v in source.items() if not k.startswith("METAFLOW_")}
    env.update(
        METAFLOW_DEFAULT_METADATA="local",
        METAFLOW_DEFAULT_DATASTORE="local",
        METAFLOW_DATASTORE_SYSROOT_LOCAL=str(root_path),
        METAFLOW_HOME=str(home),
        METAFLOW_USER=user,
    )
    if production_token:
        env["METAFLOW_PRODUCTION_TOKEN"] = production_token
    pythonpath = env.get("PYTHONPATH")
    env["PYTHONPATH"] = _PACKAGE_PARENT + os.pathsep + pythonpath if pythonpath else _PACKAGE_PARENT
    return env


@dataclass(frozen=True)
class FlowRun:
    """A finished flow subprocess."""

    flow: str
    run_id: str
    returncode: int
    output: str  # combined stdout + stderr when captured, else ""

    @property
    def pathspec(self) -> str:
        """``Flow/run_id``."""
        return f"{self.flow}/{self.run_id}"

    @property
    def succeeded(self) -> bool:
        """True when the flow process exited with status 0."""
        return self.returncode == 0


class RunningFlow:
    """A flow subprocess started by :func:`start_flow`; use it as a context manager so the
    process is always reaped (terminated if still running) and its temp files removed."""

    def __init__(self, process: subprocess.Popen[bytes], workdir: Path, quiet: bool) -> None:
        self.process = process
        self._workdir = workdir
        self._quiet = quiet
        self._flow: Optional[str] = None
        self._run_id: Optional[str] = None

    @property
    def output(self) -> str:
        """Output captured so far (quiet mode; written to a file, so a chatty flow never blocks
        on a full pipe)."""
        try:
            return (self._workdir / "output.log").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def wait_for_run(self, timeout: float = 60.0) -> str:
        """Block until Metaflow has registered the run (its tasks may still be executing) and
        return its pathspec ``Flow/run_id``."""
        deadline = time.monotonic() + timeout
        while self._run_id is None:
            attributes = _read_attributes(self._workdir / "attributes.json")
            if attributes is not None:
                self._flow, self._run_id = attributes
                break
            if self.process.poll() is not None:
                raise FlowRunError(
                    f"flow exited (status {self.process.returncode}) before starting a run:\n"
                    + _tail(self.output)
                )
            if time.monotonic() > deadline:
                raise FlowRunError(f"no run started within {timeout:.0f} s")
            time.sleep(0.05)
        return f"{self._flow}/{self._run_id}"

    def wait(self, timeout: float = 300.0, check: bool = True) -> FlowRun:
        """Wait for the process to end and describe the run."""
        pathspec = self.wait_for_run(timeout=timeout)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise FlowRunError(f"flow {pathspec} did not finish within {timeout} s") from None
        flow, run_id = pathspec.split("/")
        result = FlowRun(flow, run_id, self.process.returncode, self.output)
        if check and not result.succeeded:
            raise FlowRunError(
                f"flow run {pathspec} failed (status {result.returncode}):\n{_tail(result.output)}"
            )
        return result

    def stop(self) -> None:
        """Terminate the process if it still runs, then reap it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> RunningFlow:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        shutil.rmtree(self._workdir, ignore_errors=True)


def start_flow(
    root: StrPath,
    flow_file: StrPath,
    *,
    user: str,
    command: str = "run",
    args: Sequence[str] = (),
    tags: Sequence[str] = (),
    production_token: Optional[str] = None,
    extra_env: Optional[Mapping[str, str]] = None,
    quiet: bool = True,
) -> RunningFlow:
    """Start ``python flow_file --no-pylint <command> [--tag T ...] <args>`` against the store in
    ``root`` and return at once. ``command`` is ``run`` or ``resume``; ``args`` are the command's
    options (``--alpha 3``, ``--origin-run-id 12``...). With ``quiet`` the output is captured
    (``RunningFlow.output``, ``FlowRun.output``), otherwise it goes to this process's stdout and
    stderr."""
    env = metaflow_env(root, user, production_token=production_token)
    if extra_env:
        env.update(extra_env)
    workdir = Path(tempfile.mkdtemp(prefix="mfns-run-"))
    cmd = [sys.executable, str(Path(flow_file).resolve()), "--no-pylint", command]
    for tag in tags:
        cmd += ["--tag", tag]
    cmd += ["--runner-attribute-file", str(workdir / "attributes.json"), *args]
    output = open(workdir / "output.log", "wb") if quiet else None  # noqa: SIM115
    try:
        process = subprocess.Popen(
            cmd,
            cwd=str(Path(root).resolve()),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT if quiet else None,
        )
    finally:
        if output is not None:
            output.close()  # the child keeps its own descriptor
    return RunningFlow(process, workdir, quiet)


def run_flow(
    root: StrPath,
    flow_file: StrPath,
    *,
    user: str,
    command: str = "run",
    args: Sequence[str] = (),
    tags: Sequence[str] = (),
    production_token: Optional[str] = None,
    extra_env: Optional[Mapping[str, str]] = None,
    check: bool = True,
    quiet: bool = True,
    timeout: float = 300.0,
) -> FlowRun:
    """Run a flow file to completion against the store in ``root`` (see :func:`start_flow`).

    Raises :class:`FlowRunError` if no run was created, or if the run failed and ``check``.
    """
    with start_flow(
        root,
        flow_file,
        user=user,
        command=command,
        args=args,
        tags=tags,
        production_token=production_token,
        extra_env=extra_env,
        quiet=quiet,
    ) as running:
        return running.wait(timeout=timeout, check=check)


def resume_flow(
    root: StrPath,
    flow_file: StrPath,
    origin_run_id: str,
    *,
    user: str,
    tags: Sequence[str] = (),
    extra_env: Optional[Mapping[str, str]] = None,
    check: bool = True,
    quiet: bool = True,
) -> FlowRun:
    """``resume --origin-run-id <origin_run_id>`` as ``user`` (parameters come from the origin)."""
    return run_flow(
        root,
        flow_file,
        user=user,
        command="resume",
        args=("--origin-run-id", str(origin_run_id)),
        tags=tags,
        extra_env=extra_env,
        check=check,
        quiet=quiet,
    )


def _read_attributes(path: Path) -> Optional[tuple[str, str]]:
    """(flow, run_id) from Metaflow's runner attribute file, once it is completely written."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return str(data["flow_name"]), str(data["run_id"])


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])
