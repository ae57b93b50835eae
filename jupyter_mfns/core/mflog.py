"""Metaflow task logs ("mflog" format): parsing, merging and reading tails by byte ranges.

Metaflow persists each log line as `[MFLOG|0|<UTC timestamp>Z|<source>|<line id>]<text>`
(`metaflow/mflog/mflog.py`). A task attempt has up to two files per stream, one per log source
(`<attempt>.runtime_stdout.log`, `<attempt>.task_stdout.log`, same for stderr), and the client
(`Task.loglines`) merges them with `merge_logs`. This module reproduces that result:

- every line is sorted by Metaflow's key: the timestamp *string*, then the source, the line id
  (a random uuid) and the text. Lines within one file are sorted too, not kept in file order;
- lines that are not mflog-structured (no header, or a header whose timestamp does not parse)
  get `ts=None` and come after every structured line, ordered by their raw bytes, exactly where
  `merge_logs` puts them. Their text loses the trailing newline that Metaflow keeps;
- text is decoded as UTF-8 with replacement characters (Metaflow's client raises instead).

Bytes come through a `RangeReader`, `(offset, length) -> bytes`, so the same code serves local
files (`file_range_reader`) and S3 range requests. `read_tail` reads backwards in blocks and
stops as soon as the last lines are known, so the tail of a large log costs a few blocks.
It sees only the lines it reads: an unstructured line far before the tail (which Metaflow would
sort to the very end) is missed. Metaflow's own writers never persist such lines.
"""

from __future__ import annotations

import heapq
import os
import re
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Optional

__all__ = [
    "LogLine",
    "RangeReader",
    "file_range_reader",
    "merge",
    "parse",
    "read_tail",
    "tail",
]

# Metaflow's grammar, verbatim (metaflow.mflog.mflog.RE): persist marker, version, timestamp,
# source, id, text. The lazy groups decide where fields end, so it must not be "improved".
_LINE = re.compile(rb"(\[!)?\[MFLOG\|(0)\|(.+?)Z\|(.+?)\|(.+?)\](.*)")
_ISOFORMAT = "%Y-%m-%dT%H:%M:%S.%f"
# The shape Metaflow writes; anything else strptime accepts goes through the slow path.
_CANONICAL_TS = re.compile(rb"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{6})")
# Where merge_logs files unstructured lines: after every real timestamp.
_MISSING_TS = b"3000-01-01T00:00:00.000000"
_EPOCH = datetime(1970, 1, 1)
_MS = timedelta(milliseconds=1)
# read_tail stops once this many of the earliest lines it read all sort before the tail.
_SAFETY_LINES = 16

OrderKey = tuple[bytes, bytes, bytes, bytes, bytes]


@dataclass(frozen=True)
class LogLine:
    """One log line: `ts` in epoch milliseconds (UTC), None when the line is not structured.

    `order` is Metaflow's merge key (timestamp string, persist marker, source, line id, text);
    it takes no part in equality.
    """

    ts: Optional[int]
    text: str
    order: OrderKey = field(default=(b"", b"", b"", b"", b""), compare=False, repr=False)


RangeReader = Callable[[int, int], bytes]
"""Reads `length` bytes at `offset` of one log file (a local file, an S3 object, ...)."""


def _epoch_ms(stamp: bytes) -> Optional[int]:
    """Epoch milliseconds of a header timestamp, None when Metaflow would not parse it."""
    match = _CANONICAL_TS.fullmatch(stamp)
    try:
        if match:
            year, month, day, hour, minute, second, micro = map(int, match.groups())
            moment = datetime(year, month, day, hour, minute, second, micro)
        else:
            moment = datetime.strptime(stamp.decode("utf-8"), _ISOFORMAT)
    except ValueError:  # also UnicodeDecodeError, a subclass
        return None
    return (moment - _EPOCH) // _MS


def _line(raw: bytes) -> LogLine:
    """Parse one physical line; `raw` keeps its newline (part of Metaflow's order for legacy)."""
    body = raw[:-1] if raw.endswith(b"\n") else raw
    match = _LINE.match(body)
    if match:
        persist, _version, stamp, source, line_id, text = match.groups()
        ts = _epoch_ms(stamp)
        if ts is not None:
            order = (stamp, persist or b"", source, line_id, text)
            return LogLine(ts, text.decode("utf-8", "replace"), order)
    return LogLine(None, body.decode("utf-8", "replace"), (_MISSING_TS, b"", b"", b"", raw))


def parse(data: bytes) -> list[LogLine]:
    """Every line of one log blob, in file order (`merge` puts them in Metaflow's order).

    A final line without a newline is a line; an empty blob has none.
    """
    if not data:
        return []
    pieces = data.split(b"\n")
    last = pieces.pop()  # b"" when data ends with a newline
    lines = [_line(piece + b"\n") for piece in pieces]
    if last:
        lines.append(_line(last))
    return lines


def merge(sources: list[list[LogLine]]) -> list[LogLine]:
    """Lines of all sources in the order Metaflow's `merge_logs` (and `Task.loglines`) gives."""
    return sorted((line for lines in sources for line in lines), key=lambda line: line.order)


def read_tail(
    read: RangeReader, size: int, n: int, block: int = 65536
) -> tuple[list[LogLine], bool]:
    """The last `n` lines (in Metaflow's order) of one log file of `size` bytes.

    Reads backwards `block` bytes at a time. Returns the lines and whether the file holds
    earlier lines that were not returned.
    """
    if n < 0 or block <= 0:
        raise ValueError(f"need n >= 0 and block > 0, got n={n}, block={block}")
    if n == 0:
        return [], size > 0
    pos = size
    partial: deque[bytes] = deque()  # end of a line whose start lies before `pos`
    batches: deque[list[LogLine]] = deque()  # complete lines, earliest batch first
    count = 0
    while pos > 0:
        start = max(0, pos - block)
        chunk = read(start, pos - start)
        pos = start
        cut = chunk.find(b"\n") if pos > 0 else -1
        if pos > 0 and cut < 0:
            partial.appendleft(chunk)  # a line longer than the block: keep gathering
            continue
        partial.appendleft(chunk[cut + 1 :])
        complete = parse(b"".join(partial))
        partial = deque([chunk[: cut + 1]]) if pos > 0 else deque()
        if complete:
            batches.appendleft(complete)
            count += len(complete)
        if count >= n + _SAFETY_LINES and _tail_is_settled(batches, n):
            break
    lines = [line for batch in batches for line in batch]
    # Stopping early implies more than n lines were read, so this also covers unread bytes.
    return merge([lines])[-n:], count > n


def _tail_is_settled(batches: deque[list[LogLine]], n: int) -> bool:
    """True when the earliest lines read (at least `n + _SAFETY_LINES`) all sort before the
    current last `n` lines.

    Lines in one file are nearly sorted (clocks of different writers may disagree a little),
    so a run of earlier lines that all sort before the tail means earlier bytes cannot matter.
    """
    lines = [line for batch in batches for line in batch]
    threshold = heapq.nlargest(n, (line.order for line in lines))[-1]
    return all(line.order < threshold for line in lines[:_SAFETY_LINES])


def tail(
    sources: list[tuple[RangeReader, int]], n: Optional[int], block: int = 65536
) -> tuple[list[LogLine], bool]:
    """The last `n` lines across a stream's sources, merged as Metaflow merges them.

    `sources` holds one `(reader, size)` per existing log file of the stream. `n=None` reads
    everything. Returns the lines and whether earlier lines were left out.
    """
    if n is None:
        return merge([parse(read(0, size)) if size else [] for read, size in sources]), False
    tails = [read_tail(read, size, n, block) for read, size in sources]
    merged = merge([lines for lines, _ in tails])
    truncated = len(merged) > n or any(cut for _, cut in tails)
    return (merged[-n:] if n else []), truncated


def file_range_reader(path: str | os.PathLike[str]) -> tuple[RangeReader, int]:
    """A `RangeReader` over a local file and the file's current size.

    Each read opens the file, seeks and reads only the requested range, so no descriptor is
    held between reads. Raises FileNotFoundError when the file does not exist.
    """
    size = os.path.getsize(path)

    def read(offset: int, length: int) -> bytes:
        with open(path, "rb") as handle:
            handle.seek(offset)
            return handle.read(length)

    return read, size
