"""The change feed of a metadata service deployment: its `ui_backend`'s websocket.

Netflix's `ui_backend_service` pushes every insert and update of run rows (PostgreSQL triggers
plus `LISTEN`) to websocket subscribers of a resource; `/runs` covers every flow. Each message
carries the row as its REST API returns it, so a new run or a tag change costs no request to
the metadata service at all. Whether tag changes are pushed depends on the deployment's
triggers (an INSERT-only trigger on runs sends nothing for them), so the detector keeps slower
probes for those; and after a disconnect the subscription asks for the events it missed (the
backend keeps five minutes of them).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import deque
from typing import Any, Callable, Deque, Dict, List, Mapping, Optional

log = logging.getLogger(__name__)

#: seconds between reconnection attempts, doubling up to the last
BACKOFF = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
#: events kept until the detector takes them (a burst beyond this means: probe everything)
MAX_QUEUED = 10_000
#: seconds of missed events the backend can replay on resubscription
REPLAY_WINDOW = 300


class UIBackendFeed:
    """A background websocket subscription to `/runs` of one ui_backend."""

    def __init__(
        self,
        url: str,
        headers: Optional[Mapping[str, str]] = None,
        on_event: Optional[Callable[[], None]] = None,
    ) -> None:
        self.url = url
        self.headers = dict(headers or {})
        self.on_event = on_event  # called (from the feed's thread) after each event
        self._events: Deque[Dict[str, Any]] = deque()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._ws: Any = None
        self.connected = False
        self.overflowed = False  # events were dropped: the caller should probe everything
        self.reconnected = False  # a gap in the feed: the caller should probe everything
        self._last_event_at: Optional[float] = None  # wall-clock seconds
        self.events_received = 0
        self.last_error: Optional[str] = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="mfns-ui-feed", daemon=True)
            self._thread.start()

    def take(self) -> List[Dict[str, Any]]:
        """The events received since the last call, oldest first."""
        with self._lock:
            out = list(self._events)
            self._events.clear()
        return out

    def _run(self) -> None:
        from websockets.sync.client import connect

        failures = 0
        while not self._stop.is_set():
            try:
                with connect(
                    self.url,
                    additional_headers=self.headers,
                    open_timeout=10,
                    close_timeout=2,
                    max_size=2**22,
                ) as ws:
                    self._ws = ws
                    self._subscribe(ws)
                    self.connected, failures, self.last_error = True, 0, None
                    for message in ws:
                        self._receive(message)
                        if self._stop.is_set():
                            break
            except Exception as exc:  # refused, reset, a proxy's 502, invalid JSON ...
                self.last_error = f"{type(exc).__name__}: {exc}"
            finally:
                if self.connected:
                    self.reconnected = True
                    log.info("jupyter_mfns: the ui_backend feed %s disconnected", self.url)
                self.connected, self._ws = False, None
            if self._stop.wait(BACKOFF[min(failures, len(BACKOFF) - 1)]):
                return
            failures += 1

    def _subscribe(self, ws: Any) -> None:
        message: Dict[str, Any] = {
            "type": "SUBSCRIBE",
            "resource": "/runs",
            "uuid": str(uuid.uuid4()),
        }
        since = self._last_event_at
        if since is not None and time.time() - since < REPLAY_WINDOW:
            message["since"] = int(since) - 1  # replay what was missed while away
            self.reconnected = False
        ws.send(json.dumps(message))

    def _receive(self, message: Any) -> None:
        try:
            event = json.loads(message)
        except (TypeError, ValueError):
            return  # "__pong__" and the like
        if not isinstance(event, dict) or event.get("type") not in ("INSERT", "UPDATE", "DELETE"):
            return
        if not isinstance(event.get("data"), dict):
            return
        self._last_event_at = time.time()
        self.events_received += 1
        with self._lock:
            if len(self._events) >= MAX_QUEUED:
                self._events.clear()
                self.overflowed = True
            self._events.append(event)
        if self.on_event is not None:
            self.on_event()

    def close(self) -> None:
        self._stop.set()
        ws = self._ws
        if ws is not None:
            try:
                ws.close()
            except Exception:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)
