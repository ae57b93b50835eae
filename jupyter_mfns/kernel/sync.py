"""The kernel half of the namespace sync between a kernel and the JupyterLab sidebar.

The protocol is specified in docs/kernel-sync.md; in short: the kernel registers the comm target
`jupyter_mfns`; a linked sidebar opens a comm to it; the kernel answers with its namespace and
then sends a `namespace` message on every change (the magic, user code, a widget, another
sidebar); the sidebar asks for a change with a `namespace` message of its own.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional

from ..core.errors import MfnsError
from .session import KernelSession, NamespaceChange, get_session

log = logging.getLogger(__name__)

TARGET = "jupyter_mfns"
PROTOCOL = 1


def namespace_message(
    namespace: Optional[str], default: Optional[str], source: str, reply_to: Optional[str]
) -> Dict[str, Any]:
    """The kernel's state message (see docs/kernel-sync.md)."""
    return {
        "type": "namespace",
        "protocol": PROTOCOL,
        "namespace": namespace,
        "default": default,
        "source": source,
        "reply_to": reply_to,
    }


def error_message(reason: str, message: str, reply_to: Optional[str]) -> Dict[str, Any]:
    """A request the kernel refused; the namespace did not change."""
    return {
        "type": "error",
        "protocol": PROTOCOL,
        "reason": reason,
        "message": message,
        "reply_to": reply_to,
    }


def _request_id(data: Dict[str, Any]) -> Optional[str]:
    rid = data.get("id")
    return rid if isinstance(rid, str) else None


class SyncHub:
    """Every open sidebar comm, kept in step with the kernel's Metaflow namespace."""

    def __init__(self, session: Optional[KernelSession] = None) -> None:
        self.session = session or get_session()
        self.comms: Dict[str, Any] = {}
        self._unsubscribe = self.session.subscribe(self._on_change)
        self._manager: Any = None

    # -- registration ------------------------------------------------------------------------
    def register(self, manager: Any = None) -> bool:
        """Register the comm target; False outside a kernel that supports comms."""
        if manager is None:
            try:
                from comm import get_comm_manager

                manager = get_comm_manager()
            except Exception:  # pragma: no cover - no comm package / no kernel
                return False
        if manager is None or not hasattr(manager, "register_target"):
            return False
        manager.register_target(TARGET, self._open)
        self._manager = manager
        return True

    def close(self) -> None:
        """Close every link and unregister the target (extension unload)."""
        for comm in list(self.comms.values()):
            try:
                comm.close()
            except Exception:
                log.debug("jupyter_mfns: closing a sync comm failed", exc_info=True)
        self.comms.clear()
        if self._manager is not None:
            self._manager.targets.pop(TARGET, None)
            self._manager = None
        self._unsubscribe()

    @property
    def links(self) -> int:
        """How many sidebars are linked right now."""
        return len(self.comms)

    # -- comm events ---------------------------------------------------------------------------
    def _open(self, comm: Any, msg: Dict[str, Any]) -> None:
        self.comms[comm.comm_id] = comm
        comm.on_msg(lambda message: self._on_msg(comm, message))
        comm.on_close(lambda message: self.comms.pop(comm.comm_id, None))
        data = msg.get("content", {}).get("data") or {}
        self.handle(comm, data if isinstance(data, dict) else {"type": "hello"}, opening=True)

    def _on_msg(self, comm: Any, msg: Dict[str, Any]) -> None:
        data = msg.get("content", {}).get("data")
        self.handle(comm, data)

    def handle(self, comm: Any, data: Any, opening: bool = False) -> None:
        """Answer one message from a sidebar (also the data sent with comm_open)."""
        if not isinstance(data, dict):
            comm.send(error_message("bad_message", "Messages must be JSON objects.", None))
            return
        kind, rid = data.get("type"), _request_id(data)
        if kind == "hello" or (opening and kind is None):
            self._send_state(comm, rid)
        elif kind == "namespace":
            self._set(comm, data, rid)
        else:
            comm.send(error_message("bad_message", f"Unknown message type {kind!r}.", rid))
            if opening:
                self._send_state(comm, rid)

    def _set(self, comm: Any, data: Dict[str, Any], rid: Optional[str]) -> None:
        try:
            if data.get("default") is True:
                self.session.reset_namespace("sidebar", origin=comm, request_id=rid)
            elif "namespace" in data:
                self.session.set_namespace(
                    data["namespace"], "sidebar", origin=comm, request_id=rid
                )
            else:
                raise _BadMessage("A namespace message needs 'namespace' or 'default': true.")
        except (MfnsError, _BadMessage) as error:
            reason = getattr(error, "reason", "bad_message")
            comm.send(error_message(reason, str(error), rid))
            self._send_state(comm, rid)

    def _send_state(self, comm: Any, rid: Optional[str]) -> None:
        try:
            namespace = self.session.namespace
        except MfnsError as error:  # unknown user: say so, the sidebar keeps its own choice
            comm.send(error_message(getattr(error, "reason", "error"), str(error), rid))
            return
        comm.send(namespace_message(namespace, self.session.default, "kernel", rid))

    def _on_change(self, change: NamespaceChange) -> None:
        for comm in list(self.comms.values()):
            mine = change.origin is comm
            message = namespace_message(
                change.namespace, change.default, change.source, change.request_id if mine else None
            )
            try:
                comm.send(message)
            except Exception:
                log.debug("jupyter_mfns: a sync comm is gone", exc_info=True)
                self.comms.pop(comm.comm_id, None)


class _BadMessage(Exception):
    reason = "bad_message"


_hub: Optional[SyncHub] = None


def get_hub() -> SyncHub:
    """The kernel's SyncHub (created, not registered, on first use)."""
    global _hub
    if _hub is None:
        _hub = SyncHub()
    return _hub


def register_sync(manager: Any = None) -> bool:
    """Make the kernel answer sidebars: register the `jupyter_mfns` comm target."""
    return get_hub().register(manager)


def unregister_sync() -> None:
    """Close the links and drop the target."""
    global _hub
    if _hub is not None:
        _hub.close()
        _hub = None
