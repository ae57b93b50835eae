"""Run a slow call off the main thread and show progress when it takes longer than a moment.

Metaflow gives no byte-level progress for reading an artifact, so the display says what is
loading, how big it is (from metadata) and for how long it has been running, with an
indeterminate bar. It appears only after `after` seconds, so quick loads stay silent, and it uses
plain display updates (no widgets), which every frontend renders: JupyterLab, the classic
notebook, VS Code, and nbconvert outputs.
"""

from __future__ import annotations

import html
import sys
import threading
import time
from typing import Any, Callable, Optional, TypeVar

T = TypeVar("T")

#: Seconds a call may take before progress is shown (tests lower it).
SHOW_AFTER = 1.0
#: Seconds between two updates of the display.
UPDATE_EVERY = 0.25


def human_size(size: Optional[int]) -> str:
    """`1234567` -> `"1.2 MB"`; None -> `"size unknown"`."""
    if size is None:
        return "size unknown"
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"  # pragma: no cover - loop always returns


class _Display:
    """One updatable output: a display handle in a kernel, stderr lines elsewhere."""

    def __init__(self) -> None:
        self._handle: Any = None
        self._in_kernel = _in_kernel()
        self._started = False

    def show(self, text: str, running: bool) -> None:
        if not self._in_kernel:
            if not (running and self._started):  # a terminal gets the first and last line
                print(text, file=sys.stderr, flush=True)
            self._started = True
            return
        from IPython.display import display

        bar = '<progress style="width:12em;vertical-align:middle"></progress> ' if running else ""
        bundle = {
            "text/plain": text,
            "text/html": f'<div class="mfns-progress">{bar}{html.escape(text)}</div>',
        }
        if self._handle is None:
            self._handle = display(bundle, raw=True, display_id=True)
        else:
            self._handle.update(bundle, raw=True)


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


Show = Callable[[str, bool], None]


def run_with_progress(
    call: Callable[[], T],
    label: str,
    size: Optional[int],
    after: Optional[float] = None,
    show: Optional[Show] = None,
) -> T:
    """Return `call()`, run in a worker thread; show progress once it runs over `after` s.

    `show(text, running)` displays a progress line (default: a cell output that updates in
    place). Exceptions from `call` are re-raised here. On KeyboardInterrupt the wait stops (the
    worker finishes in the background and its result is dropped).
    """
    after = SHOW_AFTER if after is None else after
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:  # handed to the caller's thread
            outcome["error"] = error

    worker = threading.Thread(target=work, name="mfns-load", daemon=True)
    started = time.monotonic()
    worker.start()
    worker.join(after)
    shown: Optional[Show] = None
    what = f"{label} ({human_size(size)})"
    while worker.is_alive():
        if shown is None:
            shown = show or _Display().show
        shown(f"Loading {what}... {time.monotonic() - started:.1f} s", True)
        worker.join(UPDATE_EVERY)
    if shown is not None:
        verb = "Failed to load" if "error" in outcome else "Loaded"
        shown(f"{verb} {what} in {time.monotonic() - started:.1f} s", False)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]
