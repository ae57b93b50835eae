"""Numbered log lines, windows and grep over the whole log, against Metaflow's own client.

Given the demo store's task whose stdout holds 3,000 numbered lines, the line Metaflow's
`Task.loglines` gives at position 1234 is what `grep` finds (with its number), what a window
at that number holds, and the numbers of a tail count back from the log's end. The streaming
merge behind grep and windows gives exactly `merge`'s order, also for files out of order.
"""

from __future__ import annotations

import io
import random
import uuid

import pytest
from oracle import ask_metaflow

from jupyter_mfns.core import Catalog
from jupyter_mfns.core.errors import InvalidArgument, NamespaceMismatch
from jupyter_mfns.core.mflog import merge, parse, scan
from jupyter_mfns.core.store import LocalStore


@pytest.fixture(scope="module")
def setup(demo_store, tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("METAFLOW_USER", "anne")
    cat = Catalog(LocalStore(demo_store.root), cache_dir=tmp_path_factory.mktemp("idx"))
    task = demo_store.story.long_stdout_task
    theirs = ask_metaflow(
        demo_store.root,
        [{"kind": "loglines", "pathspec": task, "stream": "stdout", "namespace": None}],
    )[0]
    yield cat, task, theirs
    cat.close()
    mp.undo()


def test_grep_finds_metaflows_line_1234_with_its_number(setup):
    cat, task, theirs = setup
    # Given the line Metaflow's client lists at position 1234
    n = next(i for i, (_, text) in enumerate(theirs, 1) if text.startswith("line 1234 of"))
    ts, text = theirs[n - 1]
    # When the log is searched for it
    found = cat.logs(task, "stdout", None, grep="line 1234 of")
    # Then the one match is that line, numbered as in the whole log
    assert [(ln["n"], ln["ts"], ln["text"]) for ln in found["lines"]] == [(n, ts, text)]
    assert found["matches"] == 1 and found["truncated"] is False
    assert found["total_lines"] == len(theirs) == 3000
    # and case matters unless told otherwise
    assert cat.logs(task, "stdout", None, grep="LINE 1234 OF")["matches"] == 0
    loose = cat.logs(task, "stdout", None, grep="LINE 1234 OF", grep_case=False)
    assert [ln["n"] for ln in loose["lines"]] == [n]


def test_a_window_holds_metaflows_lines_at_those_numbers(setup):
    cat, task, theirs = setup
    window = cat.logs(task, "stdout", None, start=1232, count=5)
    assert [ln["n"] for ln in window["lines"]] == [1232, 1233, 1234, 1235, 1236]
    assert [[ln["ts"], ln["text"]] for ln in window["lines"]] == theirs[1231:1236]
    assert window["truncated"] is True and window["total_lines"] == len(theirs)
    # past the end: nothing, still with the count
    beyond = cat.logs(task, "stdout", None, start=len(theirs) + 1, count=5)
    assert beyond["lines"] == [] and beyond["total_lines"] == len(theirs)


def test_every_line_is_numbered_in_tails_and_whole_logs(setup):
    cat, task, theirs = setup
    total = len(theirs)
    tail = cat.logs(task, "stdout", None, tail=10)
    assert [ln["n"] for ln in tail["lines"]] == list(range(total - 9, total + 1))
    assert [[ln["ts"], ln["text"]] for ln in tail["lines"]] == theirs[-10:]
    assert tail["total_lines"] == total and tail["matches"] is None
    whole = cat.logs(task, "stdout", None)
    assert [ln["n"] for ln in whole["lines"]] == list(range(1, total + 1))
    assert [[ln["ts"], ln["text"]] for ln in whole["lines"]] == theirs


def test_grep_pages_through_many_matches(setup):
    cat, task, theirs = setup
    first = cat.logs(task, "stdout", None, grep="quick brown", count=5)
    assert first["matches"] == len(theirs) and first["truncated"] is True
    assert [ln["n"] for ln in first["lines"]] == [1, 2, 3, 4, 5]
    after = first["lines"][-1]["n"] + 1
    second = cat.logs(task, "stdout", None, grep="quick brown", start=after, count=5)
    assert [ln["n"] for ln in second["lines"]] == [6, 7, 8, 9, 10]
    assert [[ln["ts"], ln["text"]] for ln in second["lines"]] == theirs[5:10]


def test_selections_combine(setup):
    cat, task, theirs = setup
    numbered = list(enumerate(theirs, 1))
    # the last matches of a grep
    hits = [(n, t) for n, (_, t) in numbered if "line 12" in t]
    last = cat.logs(task, "stdout", None, grep="line 12", tail=3)
    assert [(ln["n"], ln["text"]) for ln in last["lines"]] == hits[-3:]
    assert last["truncated"] is True and last["matches"] == len(hits)
    # the first lines of the log, and the last lines from some line on
    head = cat.logs(task, "stdout", None, count=3)
    assert [ln["n"] for ln in head["lines"]] == [1, 2, 3] and head["truncated"] is True
    tail = cat.logs(task, "stdout", None, start=2998, tail=10)
    assert [ln["n"] for ln in tail["lines"]] == [2998, 2999, 3000]
    assert tail["truncated"] is False and tail["matches"] is None
    # the first of the last: a tail window
    both = cat.logs(task, "stdout", None, start=1, tail=10, count=2)
    assert [ln["n"] for ln in both["lines"]] == [2991, 2992]


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_export_writes_metaflows_whole_log_text(setup, demo_store, stream):
    cat, task, _ = setup
    # Given Metaflow's own text of the stream
    (theirs,) = ask_metaflow(
        demo_store.root, [{"kind": "log", "pathspec": task, "stream": stream, "namespace": None}]
    )
    # When the log is exported into a file that already holds something
    out = io.BytesIO(b"left over from before " * 1000)
    count = cat.export_log(task, stream, out, namespace=None)
    # Then the file holds exactly Metaflow's text, and the count is its line count
    assert out.getvalue().decode("utf-8") == theirs
    assert count == theirs.count("\n") and count > 0


def test_export_checks_the_namespace_and_the_stream(setup):
    cat, task, _ = setup
    with pytest.raises(InvalidArgument):
        cat.export_log(task, "stdin", io.BytesIO(), namespace=None)
    with pytest.raises(NamespaceMismatch):
        cat.export_log(task, "stdout", io.BytesIO(), namespace="user:nobody-here")


@pytest.mark.parametrize(
    "kwargs",
    [{"start": 0}, {"grep": ""}, {"grep": "x" * 1001}, {"count": 0}, {"tail": -1}],
)
def test_out_of_range_questions_are_refused(setup, kwargs):
    cat, task, _ = setup
    with pytest.raises(InvalidArgument):
        cat.logs(task, "stdout", None, **kwargs)


# -- the streaming merge -----------------------------------------------------------------------
def _mflog(stamp_us: int, source: str, text: str) -> bytes:
    seconds, micro = divmod(stamp_us, 1_000_000)
    minutes, sec = divmod(seconds, 60)
    stamp = f"2024-05-01T10:{minutes:02d}:{sec:02d}.{micro:06d}"
    return f"[MFLOG|0|{stamp}Z|{source}|{uuid.UUID(int=random.getrandbits(128))}]{text}\n".encode()


def _reader(data: bytes):
    return (lambda offset, length: data[offset : offset + length]), len(data)


@pytest.mark.parametrize("jitter", [0, 50, 10_000])
def test_scan_gives_merges_order_in_small_blocks(jitter):
    # Given two files of interleaved lines, nearly sorted (or, at 10k, far out of order),
    # with ties on the timestamp, a line without a header, and no final newline
    random.seed(jitter)
    runtime, task = [], []
    for i in range(6000):
        stamp = i // 3 * 10  # three lines per stamp: ties decided by the line ids
        (runtime if i % 4 == 0 else task).append(_mflog(stamp, "runtime", f"line {i}"))
    for lines in (runtime, task):
        for _ in range(len(lines) // 10 if jitter else 0):
            a = random.randrange(len(lines))
            b = min(len(lines) - 1, a + random.randrange(1, jitter))
            lines[a], lines[b] = lines[b], lines[a]
    task.insert(100, b"a line without a header\n")
    blobs = [b"".join(runtime), b"".join(task).rstrip(b"\n")]
    sources = [_reader(blob) for blob in blobs]
    # When the stream is walked a few hundred bytes at a time
    walked = scan(sources, list, block=300)
    # Then it is merge's order, line for line
    assert walked == merge([parse(blob) for blob in blobs])
    assert walked[-1].text == "a line without a header"


def test_a_visit_may_stop_early():
    data = b"".join(_mflog(i, "task", f"line {i}") for i in range(20_000))
    reads = []

    def read(offset, length):
        reads.append(length)
        return data[offset : offset + length]

    first = scan([(read, len(data))], lambda lines: next(lines), block=65536)
    assert first.text == "line 0"
    assert sum(reads) < len(data) / 2  # past its reordering window, the file was not read
