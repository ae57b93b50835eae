"""A task's log lines, as Metaflow's client merges them (`Task.loglines`), with line numbers.

Every line carries `n`, its 1-based number in the whole log. What is answered:
- by default the whole log, or its last `tail` lines (reading backwards a few blocks);
- with `grep`, `start` or `count`, a selection made while the whole log is read a block at a
  time: the lines containing `grep` (all lines without it) numbered `start` or later; of
  those the last `tail`, then the first `count`. So `start` and `count` make a window (to
  load earlier lines), `grep` searches, `grep` and `tail` give the last matches.

`export` writes the whole log as text, as Metaflow's `Task.stdout` / `Task.stderr` give it
(each line's text and a newline), for downloads.

A tail knows its line numbers once the log's line count is known: always for local files
(counting is cheap), for remote ones once the file was read whole (counts are kept by file and
size: logs only grow).
"""

from __future__ import annotations

import threading
from collections import deque
from typing import IO, Deque, Dict, Iterator, List, Optional, Sequence, Tuple

from .errors import InvalidArgument
from .limits import MAX_GREP_LENGTH, MAX_TAIL
from .mflog import LogLine, LogSource, count_lines, scan, tail, tail_counted
from .model import LogLineJSON, LogsJSON
from .objects import ObjectQueries
from .pathspec import Pathspec
from .store.base import Store

STREAMS = ("stdout", "stderr")
#: line counts kept (by file and size)
COUNT_CACHE = 4096
#: lines encoded together when a log is exported
EXPORT_BATCH = 2048

Numbered = List[Tuple[int, LogLine]]


def _check_stream(stream: str) -> None:
    if stream not in STREAMS:
        raise InvalidArgument("stream must be 'stdout' or 'stderr'.")


def _check_count(name: str, value: Optional[int], minimum: int) -> None:
    if value is not None and (
        not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= MAX_TAIL
    ):
        raise InvalidArgument(f"{name} must be an integer from {minimum} to {MAX_TAIL}.")


def _line_json(n: Optional[int], line: LogLine) -> LogLineJSON:
    return LogLineJSON(n=n, ts=line.ts, text=line.text)


class LogQueries:
    """Log lines of tasks, read by byte ranges from the store."""

    def __init__(self, store: Store, objects: ObjectQueries) -> None:
        self.store = store
        self.objects = objects
        self._counts: Dict[Tuple[str, int], int] = {}
        self._counts_lock = threading.Lock()

    def logs(
        self,
        pathspec: str,
        stream: str,
        ns: Optional[str],
        tail: Optional[int] = None,
        *,
        start: Optional[int] = None,
        count: Optional[int] = None,
        grep: Optional[str] = None,
        grep_case: bool = True,
    ) -> LogsJSON:
        """A task's stdout/stderr lines (see the module docstring for the selection)."""
        _check_stream(stream)
        _check_count("tail", tail, 0)
        _check_count("count", count, 1)
        if start is not None and (
            not isinstance(start, int) or isinstance(start, bool) or start < 1
        ):
            raise InvalidArgument("start (a line number) must be an integer from 1.")
        if grep is not None and (
            not isinstance(grep, str) or not 1 <= len(grep) <= MAX_GREP_LENGTH
        ):
            raise InvalidArgument(f"grep must be a text of 1 to {MAX_GREP_LENGTH} characters.")
        ps, sources = self._sources(pathspec, stream, ns)
        parts = ps.task_parts()
        matches: Optional[int] = None
        total: Optional[int]
        if grep is None and start is None and count is None:
            lines, truncated, total = self._tail(sources, tail)
        else:
            if tail is None and count is None:
                count = MAX_TAIL
            lines, truncated, total, matches = self._select(
                sources, start or 1, tail, count, grep, grep_case
            )
        task = self.store.task_record(*parts)
        finished = task is not None and task.status in ("succeeded", "failed", "unknown")
        return LogsJSON(
            pathspec=str(ps),
            stream=stream,  # type: ignore[typeddict-item]
            lines=lines,
            truncated=truncated,
            finished=finished,
            total_lines=total,
            matches=matches,
        )

    def export(self, pathspec: str, stream: str, ns: Optional[str], out: IO[bytes]) -> int:
        """Write the whole log into `out` (from its start) as UTF-8 text equal to Metaflow's
        `Task.stdout` / `Task.stderr`: each line's text and a newline. Returns the line count.

        The log is read a block at a time; `out` (a spooled file, say) holds the text, so a
        restarted walk (see `mflog.scan`) starts the text again instead of sending it twice."""
        _, sources = self._sources(pathspec, stream, ns)

        def write(lines: Iterator[LogLine]) -> int:
            out.seek(0)
            out.truncate()
            count = 0
            batch: List[str] = []
            for line in lines:
                batch.append(line.text)
                if len(batch) >= EXPORT_BATCH:
                    out.write(("\n".join(batch) + "\n").encode("utf-8"))
                    count += len(batch)
                    batch.clear()
            if batch:
                out.write(("\n".join(batch) + "\n").encode("utf-8"))
            return count + len(batch)

        return scan(sources, write)

    def _sources(
        self, pathspec: str, stream: str, ns: Optional[str]
    ) -> Tuple[Pathspec, List[LogSource]]:
        """The task (checked in the namespace) and its stream's log files."""
        _check_stream(stream)
        ps = self.objects.task(pathspec, ns)
        return ps, list(self.store.log_sources(*ps.task_parts(), stream))

    def _tail(
        self, sources: Sequence[LogSource], n: Optional[int]
    ) -> Tuple[List[LogLineJSON], bool, Optional[int]]:
        """The whole log (`n` None) or its last `n` lines, read backwards."""
        if n is None:
            every, _ = tail(sources, None)
            return [_line_json(i, line) for i, line in enumerate(every, 1)], False, len(every)
        last, truncated, counts = tail_counted(sources, n)
        total = self._total(sources, counts)
        first = None if total is None else total - len(last) + 1
        out = [_line_json(None if first is None else first + i, ln) for i, ln in enumerate(last)]
        return out, truncated, total

    def _select(
        self,
        sources: Sequence[LogSource],
        start: int,
        last: Optional[int],
        first: Optional[int],
        grep: Optional[str],
        case: bool,
    ) -> Tuple[List[LogLineJSON], bool, Optional[int], Optional[int]]:
        """Lines containing `grep` numbered `start` or later: the last `last`, then the first
        `first` of those. Returns them, whether the selection held more, the log's line count
        (None when the walk stopped early and it is not known) and the number of matches."""
        needle = None if grep is None else grep if case else grep.casefold()
        # without grep or tail nothing past the first `first` selected lines matters
        stops = needle is None and last is None

        def walk(lines: Iterator[LogLine]) -> Tuple[Numbered, int, int, Optional[int]]:
            kept: Deque[Tuple[int, LogLine]] = deque(maxlen=last)
            selected = matches = n = 0
            for n, line in enumerate(lines, 1):
                if needle is not None:
                    if needle not in (line.text if case else line.text.casefold()):
                        continue
                    matches += 1
                if n < start:
                    continue
                selected += 1
                if last is not None or first is None or len(kept) < first:
                    kept.append((n, line))
                elif stops:
                    return list(kept), selected, matches, None  # one more line exists
            return list(kept), selected, matches, n

        kept, selected, matches, total = scan(sources, walk)
        if first is not None:
            kept = kept[:first]
        if total is None:
            total = self._total(sources, [None] * len(sources))
        lines = [_line_json(n, line) for n, line in kept]
        return lines, selected > len(kept), total, matches if needle is not None else None

    # -- line counts -------------------------------------------------------------------------
    def _total(self, sources: Sequence[LogSource], known: Sequence[Optional[int]]) -> Optional[int]:
        """Lines in the whole stream: `known` counts, kept ones, or counted if cheap."""
        total = 0
        for src, n in zip(sources, known):
            key = (src.key, src.size) if src.key else None
            if n is None and key is not None:
                with self._counts_lock:
                    n = self._counts.get(key)
            if n is None and src.local:
                n = count_lines(src.read, src.size)
            if n is None:
                return None
            if key is not None:
                with self._counts_lock:
                    if len(self._counts) >= COUNT_CACHE:
                        self._counts.clear()
                    self._counts[key] = n
            total += n
        return total
