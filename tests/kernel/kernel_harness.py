"""A real IPython kernel (ipykernel over ZMQ, as Jupyter starts it) driven by jupyter_client.

Tests execute cells, read what the kernel sent back (streams, results, displays, comm messages)
and act as a frontend: open a comm to the kernel, send messages, ask for completions.
"""

from __future__ import annotations

import json
import os
import queue
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

from jupyter_client.manager import KernelManager

REPO = Path(__file__).resolve().parents[2]


def kernel_env(store_env: Mapping[str, str], cache_dir: Path) -> Dict[str, str]:
    """The environment of a test kernel: the store's Metaflow settings, this checkout importable,
    and a private cache for the Catalog's run index."""
    env = dict(store_env)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO), store_env.get("PYTHONPATH", "")) if p
    )
    env["XDG_CACHE_HOME"] = str(cache_dir)
    env.pop("MPLBACKEND", None)
    return env


@dataclass
class Execution:
    """What one execute request produced."""

    reply: Dict[str, Any]
    messages: List[Dict[str, Any]] = field(default_factory=list)

    def _of(self, msg_type: str) -> List[Dict[str, Any]]:
        return [m["content"] for m in self.messages if m["msg_type"] == msg_type]

    def stream(self, name: str) -> str:
        return "".join(c["text"] for c in self._of("stream") if c["name"] == name)

    @property
    def stdout(self) -> str:
        return self.stream("stdout")

    @property
    def stderr(self) -> str:
        return self.stream("stderr")

    @property
    def ok(self) -> bool:
        return self.reply["content"]["status"] == "ok"

    @property
    def error(self) -> Optional[Dict[str, Any]]:
        errors = self._of("error")
        return errors[0] if errors else None

    @property
    def result(self) -> Optional[Dict[str, Any]]:
        """The execute_result's mime bundle (the cell's Out)."""
        results = self._of("execute_result")
        return results[0]["data"] if results else None

    @property
    def displays(self) -> List[Dict[str, Any]]:
        return self._of("display_data") + self._of("update_display_data")

    @property
    def comm_messages(self) -> List[Dict[str, Any]]:
        """Data of the comm messages the kernel sent while executing."""
        return [c["data"] for c in self._of("comm_msg")]


class RealKernel:
    """One ipykernel process with a blocking client."""

    def __init__(self, env: Mapping[str, str], cwd: Path) -> None:
        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(env=dict(env), cwd=str(cwd))
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)

    def shutdown(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)

    # -- execution -----------------------------------------------------------------------------
    def execute(self, code: str, timeout: float = 60) -> Execution:
        """Run a cell; returns the reply and every iopub message it caused."""
        messages: List[Dict[str, Any]] = []
        reply = self.client.execute_interactive(
            code, output_hook=messages.append, timeout=timeout, allow_stdin=False
        )
        return Execution(reply, messages)

    def run(self, code: str, timeout: float = 60) -> Execution:
        """Like execute, but fail the test with the kernel's traceback on error."""
        done = self.execute(code, timeout)
        if not done.ok:
            err = done.error or {}
            trace = "\n".join(err.get("traceback", []))
            raise AssertionError(f"cell failed: {err.get('ename')}: {err.get('evalue')}\n{trace}")
        return done

    def json(self, expression: str) -> Any:
        """The value of a JSON-serialisable Python expression evaluated in the kernel."""
        marker = "@@mfns-json@@"
        done = self.run(f"import json as _j\nprint({marker!r} + _j.dumps({expression}))")
        line = next(ln for ln in done.stdout.splitlines() if ln.startswith(marker))
        return json.loads(line[len(marker) :])

    # -- acting as a frontend --------------------------------------------------------------------
    def _send_shell(self, msg_type: str, content: Dict[str, Any]) -> str:
        msg = self.client.session.msg(msg_type, content)
        self.client.shell_channel.send(msg)
        return str(msg["header"]["msg_id"])

    def _iopub_for(self, msg_id: str, timeout: float = 30) -> List[Dict[str, Any]]:
        """iopub messages caused by one request, up to the kernel going idle."""
        out: List[Dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                msg = self.client.get_iopub_msg(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                break
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return out
            out.append(msg)
        raise AssertionError(f"kernel did not go idle after {msg_id} within {timeout} s")

    def comm_open(self, target: str, data: Dict[str, Any]) -> tuple[str, List[Dict[str, Any]]]:
        """Open a comm to `target`; returns its id and the messages the kernel answered with."""
        comm_id = uuid.uuid4().hex
        msg_id = self._send_shell(
            "comm_open", {"comm_id": comm_id, "target_name": target, "data": data}
        )
        return comm_id, self._comm_replies(msg_id, comm_id)

    def comm_send(self, comm_id: str, data: Dict[str, Any]) -> List[Dict[str, Any]]:
        """Send a comm message; returns the data of the kernel's comm messages in response."""
        msg_id = self._send_shell("comm_msg", {"comm_id": comm_id, "data": data})
        return self._comm_replies(msg_id, comm_id)

    def comm_close(self, comm_id: str) -> None:
        msg_id = self._send_shell("comm_close", {"comm_id": comm_id, "data": {}})
        self._iopub_for(msg_id)

    def _comm_replies(self, msg_id: str, comm_id: str) -> List[Dict[str, Any]]:
        replies = []
        for msg in self._iopub_for(msg_id):
            if msg["msg_type"] == "comm_close" and msg["content"]["comm_id"] == comm_id:
                replies.append({"closed": True})
            elif msg["msg_type"] == "comm_msg" and msg["content"]["comm_id"] == comm_id:
                replies.append(msg["content"]["data"])
        return replies

    def complete(self, code: str, cursor: Optional[int] = None) -> Dict[str, Any]:
        """The kernel's complete_reply content for `code` with the cursor at `cursor`."""
        self.client.complete(code, len(code) if cursor is None else cursor)
        reply = self.client.get_shell_msg(timeout=30)
        assert reply["msg_type"] == "complete_reply", reply["msg_type"]
        return dict(reply["content"])
