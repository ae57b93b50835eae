"""A task's log lines, as Metaflow's client merges them (`Task.loglines`)."""

from __future__ import annotations

from typing import Optional

from .errors import InvalidArgument
from .limits import MAX_TAIL
from .mflog import tail as log_tail
from .model import LogsJSON
from .objects import ObjectQueries
from .store.base import Store

STREAMS = ("stdout", "stderr")


class LogQueries:
    """Log lines of tasks, read by byte ranges from the store."""

    def __init__(self, store: Store, objects: ObjectQueries) -> None:
        self.store = store
        self.objects = objects

    def logs(
        self, pathspec: str, stream: str, ns: Optional[str], tail: Optional[int] = None
    ) -> LogsJSON:
        """A task's stdout/stderr lines with timestamps; `tail` reads only the end of the log."""
        if stream not in STREAMS:
            raise InvalidArgument("stream must be 'stdout' or 'stderr'.")
        if tail is not None and (
            not isinstance(tail, int) or isinstance(tail, bool) or not 0 <= tail <= MAX_TAIL
        ):
            raise InvalidArgument(f"tail must be an integer from 0 to {MAX_TAIL}.")
        ps = self.objects.task(pathspec, ns)
        parts = ps.task_parts()
        sources = self.store.log_sources(*parts, stream)
        lines, truncated = log_tail(list(sources), tail)
        task = self.store.task_record(*parts)
        finished = task is not None and task.status in ("succeeded", "failed", "unknown")
        return LogsJSON(
            pathspec=str(ps),
            stream=stream,  # type: ignore[typeddict-item]
            lines=[{"ts": ln.ts, "text": ln.text} for ln in lines],
            truncated=truncated,
            finished=finished,
        )
