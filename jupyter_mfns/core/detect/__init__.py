"""Change detection: how the run index learns that the store changed (see `base.Detector`).

- `scan`: rescan every flow's listing every refresh interval (the strategy before this room);
- `notify` (local store): inotify watches with a slow safety rescan (`notify.py`);
- `service` (metadata service): incremental reads, one request per interval at most, plus the
  `ui_backend`'s websocket as a change feed where one is configured (`service_poll.py`).

`make_detector(store, "auto")` picks the best one that works here, and says why it fell back.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Optional

from ..store.base import Store
from .base import Detector, Hints, ScanDetector

log = logging.getLogger(__name__)

#: the values of `change_detection` (a Catalog argument and an `MfnsExtension` setting)
STRATEGIES = ("auto", "scan", "watch")
#: environment variable naming the ui_backend websocket of a metadata service deployment
UI_BACKEND_WS_ENV = "MFNS_UI_BACKEND_WS"


def _notify_unavailable(path: str) -> Optional[str]:
    """Why inotify cannot be used for `path` (None when it can)."""
    try:
        from inotify_simple import INotify
    except (ImportError, OSError) as exc:  # not Linux, or no libc inotify
        return f"file system notifications are not available here ({exc})"
    try:
        INotify().close()
    except OSError as exc:  # the per-user instance limit, a seccomp profile, ...
        return f"inotify cannot be used ({exc})"
    return None


def make_detector(
    store: Store,
    strategy: str = "auto",
    *,
    safety_interval: Optional[float] = None,
    ui_backend_ws: Optional[str] = None,
) -> Detector:
    """The detector for `store`: `scan`, or `watch` (notifications or incremental reads), or
    `auto` (`watch` where it works, else `scan` with the reason in `describe()`)."""
    from ..store.local import LocalStore

    if strategy not in STRATEGIES:
        raise ValueError(f"change_detection must be one of {', '.join(STRATEGIES)}")
    if strategy == "scan":
        return ScanDetector("selected")
    if isinstance(store, LocalStore):
        return _local_detector(store, strategy, safety_interval)
    from ..store.service import ServiceStore

    if isinstance(store, ServiceStore):
        from .service_poll import ServiceDetector

        ws = ui_backend_ws if ui_backend_ws is not None else os.environ.get(UI_BACKEND_WS_ENV)
        return ServiceDetector(store, safety_interval=safety_interval, ui_backend_ws=ws or None)
    return ScanDetector(f"no incremental detection for {type(store).__name__}")


def _local_detector(store: Any, strategy: str, safety_interval: Optional[float]) -> Detector:
    from .fs_kind import network_fs
    from .notify import DEFAULT_SAFETY_INTERVAL, NotifyDetector

    sysroot = str(store.sysroot)
    why = _notify_unavailable(sysroot)
    if why is None and strategy == "auto":
        fstype = network_fs(sysroot)
        if fstype is not None:
            why = f"the store is on a {fstype} file system, whose remote writes raise no events"
    if why is not None:
        log.warning("jupyter_mfns: rescanning the store every interval: %s", why)
        return ScanDetector(why)
    interval = safety_interval if safety_interval is not None else DEFAULT_SAFETY_INTERVAL
    return NotifyDetector(sysroot, safety_interval=interval)


__all__ = ["STRATEGIES", "UI_BACKEND_WS_ENV", "Detector", "Hints", "ScanDetector", "make_detector"]
