"""The SQLite run index on its own: writes and what they report, counts kept in step, queries
in Metaflow's order with keyset paging, details, reopening from disk, and rebuilding a file
that is corrupt or belongs to another store."""

from __future__ import annotations

from typing import List, Optional, Sequence

import pytest

from jupyter_mfns.core.index import RunIndex, decode_cursor, encode_cursor
from jupyter_mfns.core.store.base import RunDetails, RunRecord, ScanResult

IDENTITY = "test:store"


def rec(
    run_id: str,
    created_at: int,
    tags: Sequence[str] = (),
    user: Optional[str] = "anne",
    flow: str = "F",
    token: Optional[str] = None,
) -> RunRecord:
    return RunRecord(
        flow=flow,
        run_id=run_id,
        user=user,
        tags=tuple(sorted(tags)),
        system_tags=(f"user:{user}", "runtime:dev") if user else ("runtime:dev",),
        created_at=created_at,
        token=token or f"{created_at}:{','.join(sorted(tags))}:{user}",
    )


@pytest.fixture
def index(tmp_path) -> RunIndex:
    idx = RunIndex(tmp_path / "index.sqlite", IDENTITY)
    yield idx
    idx.close()


def ids(rows) -> List[str]:
    return [r.run_id for r in rows]


def test_a_scan_writes_runs_and_reports_what_it_added(index):
    runs = [rec("1", 100, ["a"]), rec("2", 200, ["a", "b"]), rec("3", 300, ["b"], user="will")]
    written = index.apply("F", ScanResult(upserts=runs))
    assert bool(written) and sorted(written.added) == ["1", "2", "3"] and not written.changed
    assert index.known_flows() == ["F"] and dict(index.tokens("F")) == {
        r.run_id: r.token for r in runs
    }
    # counts kept by the writer
    assert index.count_runs("F", []) == 3
    assert index.count_runs("F", ["a"]) == 2 and index.count_runs("F", ["a", "b"]) == 1
    assert index.count_runs("F", ["user:will", "b"]) == 1 and index.count_runs("F", ["x"]) == 0
    assert index.flow_counts() == {"F": 3} and index.flows_with_tag("user:anne") == {"F": 2}
    counts = {(t, s): n for t, f, s, n in index.tag_counts()}
    assert counts[("a", 0)] == 2 and counts[("runtime:dev", 1)] == 3
    assert index.owners("F") == ["user:anne", "user:will"]
    assert index.latest_in("F", "a") == "2" and index.latest_in("F", None) == "3"
    # an empty scan writes nothing
    assert not index.apply("F", ScanResult())


def test_queries_are_newest_first_ties_by_id_and_page_by_cursor(index):
    runs = [rec(str(i), 1000 - (i // 3), ["even"] if i % 2 == 0 else []) for i in range(10)]
    index.apply("F", ScanResult(upserts=runs))
    expected = [
        r.run_id for r in sorted(runs, key=lambda r: (r.created_at, r.run_id), reverse=True)
    ]
    assert ids(index.query_runs("F", [], 100)) == expected
    # keyset pages of 3, through opaque cursors, give every run once, in order
    pages, after = [], None
    while True:
        rows = index.query_runs("F", [], 3, after)
        if not rows:
            break
        pages += ids(rows)
        after = decode_cursor(encode_cursor(*rows[-1].key))
    assert pages == expected
    evens = [r for r in expected if int(r) % 2 == 0]
    assert ids(index.query_runs("F", ["even", "user:anne"], 100)) == evens
    row = index.query_runs("F", ["even"], 1)[0]
    assert row.record() == next(r for r in runs if r.run_id == row.run_id)  # named fields


def test_changed_and_removed_runs_keep_the_counts_in_step(index):
    index.apply("F", ScanResult(upserts=[rec("1", 100, ["a"]), rec("2", 200, ["a"])]))
    # a tag change is a change; the same token again is no write at all
    changed = index.upsert(rec("1", 100, ["b"]))
    assert changed.changed == ["1"] and not changed.added
    assert not index.upsert(rec("1", 100, ["b"]))
    assert index.count_runs("F", ["a"]) == 1 and index.count_runs("F", ["b"]) == 1
    # a new token with the same content is written, but is no change a reader sees
    moved = index.upsert(rec("1", 100, ["b"], token="other"))
    assert bool(moved) and not moved.changed
    # removals
    gone = index.apply("F", ScanResult(removed=["2", "404"]))
    assert gone.removed == ["2"] and index.count_runs("F", []) == 1
    assert ("a", "F") not in {(t, f) for t, f, _, _ in index.tag_counts()}
    generation = index.generation
    index.drop_flow("F")
    assert index.known_flows() == [] and index.flow_counts() == {}
    assert index.generation > generation


def test_details_are_kept_with_the_row(index):
    index.apply("F", ScanResult(upserts=[rec("1", 100), rec("2", 200)]))
    assert index.run_row("F", "1").stored_details() is None
    index.set_details("F", "1", RunDetails("running", None, None, final=False))
    index.set_details("F", "2", RunDetails("succeeded", 250, "0", final=True))
    assert index.run_row("F", "2").stored_details() == RunDetails("succeeded", 250, "0", True)
    assert ids(index.unfinished_runs(5)) == ["1"]
    assert index.run_row("F", "nope") is None


def test_tags_of_runs_in_a_namespace(index):
    index.apply(
        "F",
        ScanResult(
            upserts=[rec("1", 100, ["a", "b"]), rec("2", 200, ["a"]), rec("3", 300, ["a"], "will")]
        ),
    )
    rows = {t: (s, n) for t, s, n in index.tags_of_runs_in("user:anne", None)}
    assert rows == {"a": (0, 2), "b": (0, 1), "user:anne": (1, 2), "runtime:dev": (1, 2)}


def test_the_index_reopens_from_disk(tmp_path):
    path = tmp_path / "index.sqlite"
    first = RunIndex(path, IDENTITY)
    first.apply("F", ScanResult(upserts=[rec("1", 100, ["a"]), rec("2", 200)]))
    first.close()
    again = RunIndex(path, IDENTITY)
    assert again.known_flows() == ["F"] and again.tokens("F")["1"] == rec("1", 100, ["a"]).token
    assert ids(again.query_runs("F", ["a"], 10)) == ["1"]
    assert not again.apply("F", ScanResult())  # nothing to re-read
    again.close()


@pytest.mark.parametrize("damage", ["garbage", "another store"])
def test_a_corrupt_or_foreign_file_is_rebuilt(tmp_path, damage):
    path = tmp_path / "index.sqlite"
    if damage == "garbage":
        path.write_bytes(b"not a database" * 100)
    else:
        other = RunIndex(path, "test:another")
        other.apply("F", ScanResult(upserts=[rec("1", 100)]))
        other.close()
    index = RunIndex(path, IDENTITY)
    assert index.known_flows() == [] and index.flow_counts() == {}
    index.apply("F", ScanResult(upserts=[rec("7", 700)]))
    assert ids(index.query_runs("F", [], 10)) == ["7"]
    index.close()


def _fill(index: RunIndex, run_ids: Sequence[str]) -> None:
    created = {r: c for r, c in index.missing_parameters("F", 1000)}
    index.write_parameters("F", [(r, created[r], {"x": 1}, '{"x": 1}') for r in run_ids])


def test_missing_parameters_stay_exact_while_the_fill_skips_what_it_read(index, tmp_path):
    index.apply("F", ScanResult(upserts=[rec(str(i), 100 * i) for i in range(1, 7)]))
    assert ids_of(index.missing_parameters("F", 2)) == ["6", "5"]
    _fill(index, ["6", "5"])
    assert ids_of(index.missing_parameters("F", 2)) == ["4", "3"]
    # a newer and an older run written meanwhile are missing again at once
    index.apply("F", ScanResult(upserts=[rec("9", 900), rec("0", 50)]))
    assert ids_of(index.missing_parameters("F", 10)) == ["9", "4", "3", "2", "1", "0"]
    _fill(index, ["9", "4", "3", "2", "1", "0"])
    assert index.missing_parameters("F", 10) == []
    # another process sharing the file (a kernel) writes a run: seen as well
    other = RunIndex(tmp_path / "index.sqlite", IDENTITY, keep_tokens=False)
    try:
        other.apply("F", ScanResult(upserts=[rec("8", 800)]))
    finally:
        other.close()
    assert ids_of(index.missing_parameters("F", 10)) == ["8"]


def ids_of(rows) -> List[str]:
    return [run_id for run_id, _ in rows]
