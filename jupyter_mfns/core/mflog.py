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

`scan` walks a whole log in Metaflow's order while reading it a block at a time: each file's
lines are nearly sorted already (one writer, its clock), so a small reordering window per file
and a merge across files give the exact order without holding the log in memory. A file out of
order by more than the window is detected, and the walk restarts over a full sort.
"""

from __future__ import annotations

import heapq
import os
import re
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Iterator, List, NamedTuple, Optional, Sequence, TypeVar

__all__ = [
    "LogLine",
    "LogSource",
    "RangeReader",
    "count_lines",
    "file_range_reader",
    "merge",
    "parse",
    "read_tail",
    "scan",
    "tail",
    "tail_counted",
]

T = TypeVar("T")

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
#: bytes read at a time when a whole log is walked
STREAM_BLOCK = 1 << 20
# how far (in lines) a line may sit from its sorted place in its file for `scan` to stream it
_REORDER_WINDOW = 4096

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


class LogSource(NamedTuple):
    """One log file of a stream: a reader over it and its size (what stores hand out)."""

    read: RangeReader
    size: int
    #: names the file, so what is learned about it (its line count) can be kept; "" = nothing
    key: str = ""
    #: reading it whole is cheap (a local file, not a remote object)
    local: bool = True


#: a LogSource, or a bare (reader, size) pair
SourceLike = Sequence[Any]


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


def tail_counted(
    sources: Sequence[SourceLike], n: int, block: int = 65536
) -> tuple[list[LogLine], bool, list[Optional[int]]]:
    """`tail`, plus each source's line count when the tail read that file whole (else None)."""
    tails = [read_tail(src[0], src[1], n, block) for src in sources]
    merged = merge([lines for lines, _ in tails])
    truncated = len(merged) > n or any(cut for _, cut in tails)
    counts = [None if cut else len(lines) for lines, cut in tails]
    return (merged[-n:] if n else []), truncated, counts


def tail(
    sources: Sequence[SourceLike], n: Optional[int], block: int = 65536
) -> tuple[list[LogLine], bool]:
    """The last `n` lines across a stream's sources, merged as Metaflow merges them.

    `sources` holds one `(reader, size)` per existing log file of the stream. `n=None` reads
    everything. Returns the lines and whether earlier lines were left out.
    """
    if n is None:
        return merge([parse(src[0](0, src[1])) if src[1] else [] for src in sources]), False
    lines, truncated, _ = tail_counted(sources, n, block)
    return lines, truncated


def count_lines(read: RangeReader, size: int, block: int = STREAM_BLOCK) -> int:
    """How many lines `parse` finds in a file, counted a block at a time (nothing parsed)."""
    count, pos, last = 0, 0, b""
    while pos < size:
        chunk = read(pos, min(block, size - pos))
        if not chunk:
            break
        count += chunk.count(b"\n")
        pos += len(chunk)
        last = chunk[-1:]
    return count + (1 if last and last != b"\n" else 0)


def _file_lines(read: RangeReader, size: int, block: int) -> Iterator[LogLine]:
    """Every line of one file in file order, read a block at a time."""
    pos, rest = 0, b""
    while pos < size:
        chunk = read(pos, min(block, size - pos))
        if not chunk:
            break
        pos += len(chunk)
        pieces = (rest + chunk).split(b"\n")
        rest = pieces.pop()
        for piece in pieces:
            yield _line(piece + b"\n")
    if rest:
        yield _line(rest)


class _OutOfOrder(Exception):
    """A file's lines are further from Metaflow's order than the reordering window."""


def _in_order(lines: Iterator[LogLine], late: List[LogLine]) -> Iterator[LogLine]:
    """One file's lines in Metaflow's order, through a window of _REORDER_WINDOW lines.

    Lines that sort with or after the unstructured ones go to `late` (emitted last by `scan`).
    Raises _OutOfOrder when a line turns out to belong before one already emitted.
    """
    heap: List[tuple[Any, int, LogLine]] = []
    last: Any = None
    for seq, line in enumerate(lines):
        if line.order[0] >= _MISSING_TS:
            late.append(line)
            continue
        heapq.heappush(heap, (line.order, seq, line))
        if len(heap) > _REORDER_WINDOW:
            order, _, out = heapq.heappop(heap)
            if last is not None and order < last:
                raise _OutOfOrder
            last = order
            yield out
    while heap:
        order, _, out = heapq.heappop(heap)
        if last is not None and order < last:
            raise _OutOfOrder
        last = order
        yield out


def scan(
    sources: Sequence[SourceLike],
    visit: Callable[[Iterator[LogLine]], T],
    block: int = STREAM_BLOCK,
) -> T:
    """`visit(lines)` over every line of the stream in Metaflow's order (`merge`'s), read a
    block at a time. `visit` may stop early; it may also be called a second time, over a full
    sort, when a file is out of order beyond the window (its first answer is then dropped)."""
    late: List[LogLine] = []
    streams = [_in_order(_file_lines(src[0], src[1], block), late) for src in sources]
    try:
        merged = heapq.merge(*streams, key=lambda line: line.order)

        def then_late() -> Iterator[LogLine]:
            yield from merged
            yield from sorted(late, key=lambda line: line.order)

        return visit(then_late())
    except _OutOfOrder:
        everything = [list(_file_lines(src[0], src[1], block)) for src in sources]
        return visit(iter(merge(everything)))


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
