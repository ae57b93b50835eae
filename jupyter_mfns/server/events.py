"""`WS {base_url}mfns/api/events?namespace=`: what changed in the store, as it happens.

A websocket behind Jupyter's auth (token or login cookie, checked before the upgrade; the
origin checked as for Jupyter's own websockets) that pushes one JSON message per change the
Catalog's change feed reports:

    {"type": "runs", "flow": "F"}        runs of F appeared or went: re-fetch its listings
    {"type": "run", "pathspec": "F/R"}   a run's tags or status changed: re-fetch it

Clients re-fetch what they show; the socket carries no data. Changes arriving together are
sent together, each once. `namespace` is checked like everywhere else; every change is sent
whatever the namespace (a run that leaves a namespace is a change for its readers too).
"""

from __future__ import annotations

import json
import threading
from typing import Any, Callable, Dict, List, Optional, Tuple

from jupyter_server.auth.decorator import authorized, ws_authenticated
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.base.websocket import WebSocketMixin
from tornado import web
from tornado.ioloop import IOLoop
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from ..core.changes import Change
from ..core.errors import InvalidArgument, MfnsError
from ..core.model import EventJSON
from .base import AUTH_RESOURCE, settings_catalog
from .errors import error_reply
from .params import Query


def event_json(change: Change) -> EventJSON:
    if change.kind == "runs":
        return EventJSON(type="runs", flow=change.flow)
    return EventJSON(type="run", pathspec=change.pathspec or change.flow)


class EventsHandler(WebSocketMixin, WebSocketHandler, JupyterHandler):  # type: ignore[misc]
    """One subscriber of the Catalog's change feed per open socket."""

    auth_resource = AUTH_RESOURCE
    route = "events"
    accepted = ("namespace",)

    def initialize(self) -> None:
        self._loop: Optional[IOLoop] = None
        self._unsubscribe: Optional[Callable[[], None]] = None
        self._pending: Dict[Tuple[str, str], EventJSON] = {}
        self._pending_lock = threading.Lock()

    def set_default_headers(self) -> None:
        """No JSON/CSP defaults of JupyterHandler: this answers an upgrade."""

    @ws_authenticated
    @authorized
    async def get(self, *args: Any, **kwargs: Any) -> None:
        Query(self.request.query_arguments, self.accepted).namespace()
        settings_catalog(self.settings)  # 503 before the upgrade when there is no store
        if self.request.headers.get("Upgrade", "").lower() != "websocket":
            raise InvalidArgument(
                "This route is a websocket: connect with `Upgrade: websocket` (e.g. new "
                "WebSocket(url) in a browser)."
            )
        await super().get(*args, **kwargs)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        status, body = error_reply(
            status_code,
            exc_info[1] if exc_info else None,
            authenticated=bool(getattr(self, "_jupyter_current_user", None)),
        )
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, (MfnsError, web.HTTPError)):
            self.log.info("jupyter_mfns events: %s", value)
            return
        super().log_exception(typ, value, tb)

    # -- the open socket ---------------------------------------------------------------------
    def open(self, *args: Any, **kwargs: Any) -> None:
        super().open(*args, **kwargs)  # Jupyter's ping loop
        self._loop = IOLoop.current()
        self._unsubscribe = settings_catalog(self.settings).subscribe(self._on_change)

    def _on_change(self, change: Change) -> None:
        """From the Catalog's thread: queue the message, wake the event loop once."""
        message = event_json(change)
        key = (message["type"], change.pathspec or change.flow)
        with self._pending_lock:
            first = not self._pending
            self._pending[key] = message
        if first and self._loop is not None:
            self._loop.add_callback(self._flush)

    def _flush(self) -> None:
        with self._pending_lock:
            messages: List[EventJSON] = list(self._pending.values())
            self._pending.clear()
        for message in messages:
            try:
                self.write_message(json.dumps(message))
            except WebSocketClosedError:
                self.on_close()
                return

    def on_message(self, message: Any) -> None:
        """Clients have nothing to say on this socket."""

    def on_close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
