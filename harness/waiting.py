"""Waiting on conditions, never on sleeps: a poll with a deadline, and a change-feed recorder.

`ChangeRecorder` subscribes to a Catalog's change feed (`Catalog.subscribe`) and lets a test
wait for one change; it only keeps what it is told, so it does not import jupyter_mfns.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, List


def wait_until(
    condition: Callable[[], Any], timeout: float = 120.0, what: str = "it", step: float = 0.02
) -> Any:
    """Poll `condition()` until it is truthy (and return that value), at most `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"{what} did not happen within {timeout} s")


class ChangeRecorder:
    """A change-feed subscriber that keeps what it is told (and from which thread)."""

    def __init__(self) -> None:
        self.changes: List[Any] = []
        self.threads: List[str] = []
        self._cond = threading.Condition()

    def __call__(self, change: Any) -> None:
        with self._cond:
            self.changes.append(change)
            self.threads.append(threading.current_thread().name)
            self._cond.notify_all()

    def wait_for(self, wanted: Callable[[Any], bool], after: int = 0, timeout: float = 120) -> Any:
        """The first change from the `after`-th on that is `wanted`, once it came."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = next((c for c in self.changes[after:] if wanted(c)), None)
                if found is not None:
                    return found
                left = deadline - time.monotonic()
                assert left > 0, f"no such change among {self.changes[after:]}"
                self._cond.wait(left)
