"""What an open sidebar costs a server: the events websocket held open and a page re-fetched
every `poll` seconds, as the labextension does; and CPU time of processes, with psutil."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import urlencode

import psutil

from .live_server import LiveServer


class Panel:
    """An open panel on `server`: listens to `events`, re-fetches `query` every `poll` s."""

    def __init__(
        self, server: LiveServer, query: Tuple[str, Any], poll: float = 10.0, namespace: str = ""
    ) -> None:
        self.server = server
        self.query = query
        self.poll = poll
        self.events: List[Tuple[float, Dict[str, Any]]] = []  # (wall time, message)
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._url = server.ws_url(f"events?namespace={namespace}")
        self._threads = [
            threading.Thread(target=self._listen, daemon=True),
            threading.Thread(target=self._poll, daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        if not self._connected.wait(60):
            raise RuntimeError("the events socket did not open")

    def _listen(self) -> None:
        from websockets.sync.client import connect

        headers = {"Authorization": f"token {self.server.token}"}
        with connect(self._url, additional_headers=headers, open_timeout=30) as ws:
            self._connected.set()
            while not self._stop.is_set():
                try:
                    message = ws.recv(timeout=0.5)
                except TimeoutError:
                    continue
                self.events.append((time.time(), json.loads(message)))

    def _poll(self) -> None:
        # its own connection: the benchmark uses the server's meanwhile
        route, params = self.query
        url = f"http://127.0.0.1:{self.server.port}/mfns/api/{route}?" + urlencode(
            params, doseq=True
        )
        request = urllib.request.Request(
            url, headers={"Authorization": f"token {self.server.token}"}
        )
        while not self._stop.wait(self.poll):
            with urllib.request.urlopen(request, timeout=600) as response:
                response.read()

    def event_after(
        self, since: float, wanted: Callable[[Dict[str, Any]], bool], timeout: float = 120
    ) -> float:
        """Wall time of the first `wanted` event received after `since`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, event in list(self.events):
                if at >= since and wanted(event):
                    return at
            time.sleep(0.005)
        raise TimeoutError("no such event")

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=15)


def cpu_seconds(pids: Iterable[int], children: bool = False) -> float:
    """User + system CPU seconds used so far by these processes (and their children)."""
    total = 0.0
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            procs = [proc, *(proc.children(recursive=True) if children else [])]
            for p in procs:
                times = p.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


def cpu_share(pids: Iterable[int], seconds: float, children: bool = False) -> float:
    """Percent of one core these processes used over the next `seconds`."""
    pids = list(pids)
    before, started = cpu_seconds(pids, children), time.monotonic()
    time.sleep(seconds)
    used = cpu_seconds(pids, children) - before
    return 100.0 * used / (time.monotonic() - started)


def median(values: List[float]) -> Optional[float]:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[len(ordered) // 2]
