"""Metaflow task logs: our parse/merge/tail equal what Metaflow's client returns.

The oracle is `Task.loglines()` on logs written by a real flow run, read in a separate
process (Metaflow reads its configuration once per process). One documented difference:
Metaflow keeps the trailing newline of lines that are not mflog-structured; we drop it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest

from jupyter_mfns.core.mflog import (
    LogLine,
    RangeReader,
    file_range_reader,
    merge,
    parse,
    read_tail,
    tail,
)

FLOW = textwrap.dedent(
    """
    import sys
    from metaflow import FlowSpec, step

    class LogFlow(FlowSpec):
        @step
        def start(self):
            pad = "." * 600
            for i in range(5000):
                print("line %05d %s" % (i, pad))
            print("multi\\nline\\ttext")
            print("unicode: h\\u00e9llo \\u2713 \\u65e5\\u672c\\u8a9e \\U0001f389")
            print("carriage\\rreturn")
            print("x" * 70000)
            sys.stdout.write("no newline at end")
            sys.stdout.flush()
            for i in range(3):
                print("err %d" % i, file=sys.stderr)
            self.next(self.end)

        @step
        def end(self):
            pass

    if __name__ == "__main__":
        LogFlow()
    """
)

ORACLE = textwrap.dedent(
    """
    import datetime, json, sys
    from metaflow import Flow, namespace
    namespace(None)
    run = Flow("LogFlow").latest_run
    missing = datetime.datetime(3000, 1, 1)
    epoch = datetime.datetime(1970, 1, 1)
    out = {}
    for step in ("start", "end"):
        task = run[step].task
        for stream in ("stdout", "stderr"):
            out[step + "/" + stream] = [
                [None if ts == missing else (ts - epoch) // datetime.timedelta(milliseconds=1),
                 text]
                for ts, text in task.loglines(stream)
            ]
    json.dump(out, sys.stdout)
    """
)

Expected = list[tuple[Optional[int], str]]


@dataclass
class RealLogs:
    """Log files of one real run plus what Metaflow's client reads from them."""

    start: Path  # the start task's folder
    end: Path
    loglines: dict[str, Expected]  # "start/stdout" -> [(ts ms | None, text)]

    def sources(self, task: Path, stream: str) -> list[tuple[RangeReader, int]]:
        """(reader, size) per existing source file, as a backend would list them."""
        paths = [task / f"0.{source}_{stream}.log" for source in ("runtime", "task")]
        return [file_range_reader(path) for path in paths if path.exists()]


def as_pairs(lines: list[LogLine]) -> Expected:
    return [(line.ts, line.text) for line in lines]


def header(stamp: str, source: str, line_id: str) -> bytes:
    return f"[MFLOG|0|{stamp}Z|{source}|{line_id}]".encode()


def metaflow_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("METAFLOW_")}
    return {
        **env,
        "METAFLOW_USER": "anne",
        "METAFLOW_HOME": str(home),
        "METAFLOW_DEFAULT_METADATA": "local",
        "METAFLOW_DEFAULT_DATASTORE": "local",
    }


def add_task_stderr(task: Path) -> None:
    """Write a second stderr source that exercises every ordering rule of merge_logs."""
    runtime = (task / "0.runtime_stderr.log").read_text()
    stamps = re.findall(r"^\[MFLOG\|0\|(.+?)Z\|", runtime, flags=re.MULTILINE)
    lines = [
        header("2999-01-01T00:00:00.000000", "task", "late") + b"written first, sorts late",
        header(stamps[0], "task", "00000000-0000") + b"same stamp as err 0, source task",
        header(stamps[1], "runtime", "zzzzzzzz-zzzz") + b"same stamp as err 1, larger id",
        header("2000-01-01T00:00:00.000000", "task", "early") + b"sorts before everything",
        header("2026-1-5T3:4:5.12", "task", "short") + b"strptime accepts this stamp",
        header("not-a-time", "task", "bad") + b"header with a bad stamp is legacy",
        b"plain legacy b",
        b"",
        b"plain legacy a \xc3\xa9",
        b"[![MFLOG|0|2001-01-01T00:00:00.000000Z|task|persist]persist marker kept",
    ]
    (task / "0.task_stderr.log").write_bytes(b"\n".join(lines) + b"\n")


@pytest.fixture(scope="module")
def real_logs(tmp_path_factory: pytest.TempPathFactory) -> RealLogs:
    # Given a real flow run whose start task printed 5000 long lines and some odd ones
    root = tmp_path_factory.mktemp("mflog")
    (root / "flow.py").write_text(FLOW)
    env = metaflow_env(root / "home")
    subprocess.run(
        [sys.executable, "flow.py", "--no-pylint", "run"],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )
    start = next(root.glob(".metaflow/LogFlow/*/start/1"))
    end = next(root.glob(".metaflow/LogFlow/*/end/2"))
    # and a task-source stderr file next to the runtime one, as remote tasks leave
    add_task_stderr(start)
    oracle = subprocess.run(
        [sys.executable, "-c", ORACLE],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    loglines = {
        key: [(ts, text[:-1] if ts is None and text.endswith("\n") else text) for ts, text in rows]
        for key, rows in json.loads(oracle.stdout).items()
    }
    return RealLogs(start, end, loglines)


class CountingReader:
    """Wraps a RangeReader and records every range it is asked for."""

    def __init__(self, read: RangeReader) -> None:
        self.read = read
        self.calls: list[tuple[int, int]] = []

    def __call__(self, offset: int, length: int) -> bytes:
        self.calls.append((offset, length))
        return self.read(offset, length)


# --- whole logs equal Metaflow's client --------------------------------------------------------


def test_full_log_equals_metaflow_loglines(real_logs: RealLogs) -> None:
    # When the whole stdout of the start task is read
    lines, truncated = tail(real_logs.sources(real_logs.start, "stdout"), None)
    # Then it is line for line what Task.loglines('stdout') returns, timestamps to the ms
    expected = real_logs.loglines["start/stdout"]
    assert len(expected) == 5006
    assert as_pairs(lines) == expected
    assert truncated is False
    assert all(line.ts is not None for line in lines)


def test_two_sources_merge_like_metaflow(real_logs: RealLogs) -> None:
    # Given stderr with a runtime and a task source: ties, a far-future and a far-past stamp,
    # a non-canonical stamp, bad stamps, legacy lines, an empty line, a persist marker
    sources = real_logs.sources(real_logs.start, "stderr")
    assert len(sources) == 2
    # When both are parsed and merged
    merged = merge([parse(read(0, size)) for read, size in sources])
    # Then the order and contents are Metaflow's
    assert as_pairs(merged) == real_logs.loglines["start/stderr"]
    texts = [line.text for line in merged]
    assert texts[0] == "sorts before everything"
    assert texts.index("same stamp as err 1, larger id") == texts.index("err 1") + 1
    assert texts.index("same stamp as err 0, source task") == texts.index("err 0") + 1
    # and unstructured lines come last, byte-ordered, without timestamps
    assert as_pairs(merged[-4:]) == [
        (None, ""),
        (None, "[MFLOG|0|not-a-timeZ|task|bad]header with a bad stamp is legacy"),
        (None, "plain legacy a é"),
        (None, "plain legacy b"),
    ]
    short = next(line for line in merged if line.text == "strptime accepts this stamp")
    assert short.ts == 1767582245120  # 2026-01-05T03:04:05.120Z


def test_empty_log_files_have_no_lines_and_are_not_read(real_logs: RealLogs) -> None:
    # Given the end step, which printed nothing (its log files exist and are empty)
    sources = real_logs.sources(real_logs.end, "stdout")
    assert [size for _, size in sources] == [0]
    counter = CountingReader(sources[0][0])
    # When its tail and its whole log are asked for
    # Then both are empty, not truncated, like Metaflow's loglines, and nothing was read
    assert tail([(counter, 0)], 10) == ([], False)
    assert tail([(counter, 0)], None) == ([], False)
    assert real_logs.loglines["end/stdout"] == []
    assert counter.calls == []
    assert parse(b"") == []


# --- tails -------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 3, 10, 500, 5006, 9000])
def test_tail_is_the_last_n_of_metaflow_loglines(real_logs: RealLogs, n: int) -> None:
    expected = real_logs.loglines["start/stdout"]
    # When the last n lines are asked for
    lines, truncated = tail(real_logs.sources(real_logs.start, "stdout"), n)
    # Then they are the last n Metaflow lines, and truncated says whether earlier ones exist
    assert as_pairs(lines) == (expected[-n:] if n else [])
    assert truncated is (n < len(expected))


@pytest.mark.parametrize("n", [1, 2, 5, 9, 10, 14])
def test_tail_across_two_sources_is_the_last_n_of_metaflow(real_logs: RealLogs, n: int) -> None:
    expected = real_logs.loglines["start/stderr"]
    lines, truncated = tail(real_logs.sources(real_logs.start, "stderr"), n, block=16)
    assert as_pairs(lines) == expected[-n:]
    assert truncated is (n < len(expected))


def test_tail_of_a_multi_megabyte_log_reads_only_a_few_blocks(real_logs: RealLogs) -> None:
    # Given the multi-MB stdout, its reads counted
    ((read, size),) = real_logs.sources(real_logs.start, "stdout")
    assert size > 3_000_000
    counter = CountingReader(read)
    # When its last 10 lines are read (one of them 70 kB long)
    lines, truncated = tail([(counter, size)], 10)
    # Then they are right, and only the last few blocks, read backwards, were touched
    assert as_pairs(lines) == real_logs.loglines["start/stdout"][-10:]
    assert truncated is True
    assert len(counter.calls) <= 3
    assert sum(length for _, length in counter.calls) <= 3 * 65536
    offsets = [offset for offset, _ in counter.calls]
    assert offsets == sorted(offsets, reverse=True) and offsets[-1] > size - 4 * 65536


@pytest.mark.parametrize("block", [1, 7, 601, 4096, 70001])
def test_lines_split_across_block_boundaries_come_back_whole(
    real_logs: RealLogs, block: int
) -> None:
    # Given blocks smaller and larger than a line, so lines straddle block boundaries
    # (read from memory: one-byte blocks would reopen the file for every byte)
    data = (real_logs.start / "0.runtime_stdout.log").read_bytes()
    read, size = reader_over(data), len(data)
    expected = real_logs.loglines["start/stdout"]
    n = 3 if block == 1 else 40
    # When the tail is read with that block size
    lines, truncated = read_tail(read, size, n, block=block)
    # Then every line is whole: the 70 kB line, the last line without a newline, the rest
    assert as_pairs(lines) == expected[-n:]
    assert lines[-2].text == "x" * 70000
    assert lines[-1].text == "no newline at end"
    assert truncated is True


def test_multiline_unicode_and_control_characters_survive(real_logs: RealLogs) -> None:
    lines, _ = tail(real_logs.sources(real_logs.start, "stdout"), 6, block=512)
    # Then a printed string with a newline is two log lines, as Metaflow records it,
    # and unicode and carriage returns are kept
    assert [line.text for line in lines[:4]] == [
        "multi",
        "line\ttext",
        "unicode: héllo ✓ 日本語 🎉",
        "carriage\rreturn",
    ]
    stamps = [line.ts or 0 for line in lines]
    assert stamps == sorted(stamps) and stamps[0] > 0


# --- synthetic edge cases ----------------------------------------------------------------------


def reader_over(data: bytes) -> CountingReader:
    return CountingReader(lambda offset, length: data[offset : offset + length])


def test_a_slightly_out_of_order_file_tails_like_its_full_merge() -> None:
    # Given one file whose writers' clocks disagree, so a few stamps go backwards
    stamps = [f"2026-11-26T13:00:{s:02d}.000000" for s in range(60)]
    order = list(range(60))
    order[55], order[58] = order[58], order[55]
    order[40], order[44] = order[44], order[40]
    data = b"".join(header(stamps[i], "runtime", f"id{i}") + b"msg %d\n" % i for i in order)
    full = merge([parse(data)])
    assert [line.text for line in full] == [f"msg {i}" for i in range(60)]
    for n in (1, 3, 6, 20, 59, 60):
        for block in (8, 64, 1024):
            # When its tail is read
            lines, truncated = read_tail(reader_over(data), len(data), n, block=block)
            # Then it is the tail of the fully merged file
            assert lines == full[-n:], (n, block)
            assert truncated is (n < 60)


def test_a_file_of_plain_lines_comes_through_without_timestamps() -> None:
    # Given a log written by something else than Metaflow, with invalid UTF-8
    data = b"zeta\nalpha\n\xff broken\nbeta"
    # When parsed, then every line comes through in file order, ts None, text decoded safely
    assert as_pairs(parse(data)) == [
        (None, "zeta"),
        (None, "alpha"),
        (None, "\ufffd broken"),
        (None, "beta"),
    ]
    # and merging orders them by their bytes, as merge_logs does
    assert [line.text for line in merge([parse(data)])] == [
        "alpha",
        "beta",
        "zeta",
        "\ufffd broken",
    ]
    assert as_pairs(tail([(reader_over(data), len(data))], 2)[0]) == [
        (None, "zeta"),
        (None, "\ufffd broken"),
    ]


def test_a_plain_line_far_before_the_tail_is_not_seen() -> None:
    # Given a legacy line at the start of a long structured log (Metaflow sorts it last)
    body = b"".join(
        header(f"2026-11-26T13:{i // 60:02d}:{i % 60:02d}.000000", "task", "i") + b"m\n"
        for i in range(1000)
    )
    data = b"legacy first line\n" + body
    # When only the tail is read, then the documented limit holds: it is not in the tail
    lines, truncated = read_tail(reader_over(data), len(data), 2, block=256)
    assert [line.ts is None for line in lines] == [False, False]
    assert truncated is True
    # while the full merge puts it last, like Metaflow
    assert merge([parse(data)])[-1] == LogLine(None, "legacy first line")


def test_merge_matches_metaflow_merge_logs_on_ties_and_sources() -> None:
    from metaflow.mflog.mflog import merge_logs

    # Given two sources with equal stamps and out-of-order lines
    a = b"".join(
        [
            header("2026-11-26T13:00:00.000002", "runtime", "b") + b"r2\n",
            header("2026-11-26T13:00:00.000001", "runtime", "b") + b"r1\n",
            header("2026-11-26T13:00:00.000001", "runtime", "a") + b"r1 smaller id\n",
            b"legacy\n",
        ]
    )
    b = header("2026-11-26T13:00:00.000001", "task", "0") + b"t1"
    # When merged, then the order is merge_logs' order
    expected = [line.msg.decode() for line in merge_logs([a, b])]
    assert [line.text for line in merge([parse(a), parse(b)])] == [
        text.rstrip("\n") for text in expected
    ]
    assert expected == ["r1 smaller id", "r1", "t1", "r2", "legacy\n"]


def test_file_range_reader_reads_exactly_the_asked_range(tmp_path: Path) -> None:
    path = tmp_path / "0.runtime_stdout.log"
    path.write_bytes(b"0123456789abcdef")
    read, size = file_range_reader(path)
    assert size == 16
    assert read(3, 4) == b"3456"
    assert read(14, 10) == b"ef"
    with pytest.raises(FileNotFoundError):
        file_range_reader(tmp_path / "0.task_stdout.log")


def test_read_tail_rejects_negative_counts() -> None:
    with pytest.raises(ValueError):
        read_tail(reader_over(b"a\n"), 2, -1)
