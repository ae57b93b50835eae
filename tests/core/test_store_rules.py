"""Metaflow's rules, written once for every store (`store/rules.py`, `store/status.py`), on the
raw rows a store hands them: run records, end step, origin, attempts, artifact rows, the
tag-change rule, task status (artifacts, legacy `attempt_ok`, retries, silence) and run status.

The real stores are checked against Metaflow's client end to end elsewhere (differential tests);
here every branch of each rule is pinned down on rows shaped as Metaflow writes them.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest

from jupyter_mfns.core.errors import InvalidTag, SystemTag
from jupyter_mfns.core.store import rules
from jupyter_mfns.core.store.base import RunDetails, TaskRecord
from jupyter_mfns.core.store.status import finished_run, task_record, unfinished_run

SHA_OK, SHA_NO = "a" * 40, "b" * 40


def meta(field: str, value: Any, ts: int = 0, tags: Optional[List[str]] = None) -> Dict:
    return {"field_name": field, "value": value, "ts_epoch": ts, "tags": tags or []}


# -- run records -------------------------------------------------------------------------------
def test_a_run_record_is_validated_and_normalised():
    record = rules.run_record_from_json(
        "F", "1", {"ts_epoch": 5, "tags": ["b", "a", "a"], "system_tags": ["user:anne"]}, "t"
    )
    assert record.tags == ("a", "b") and record.user == "anne"  # user from the system tag
    assert record.created_at == 5 and record.token == "t"
    for bad in ([], {"ts_epoch": True}, {"ts_epoch": 1, "tags": "a"}, {"ts_epoch": 1, "tags": [1]}):
        with pytest.raises(rules.MetadataError):
            rules.run_record_from_json("F", "1", bad, "t")


# -- metadata rows -----------------------------------------------------------------------------
def test_end_step_origin_and_attempts_from_metadata_rows():
    rows = [
        meta("attempt", "0"),
        meta("attempt-done", "0"),
        meta("attempt", "1"),
        meta("origin-run-id", "None"),
        meta("origin-run-id", "12"),
        meta("origin-task-id", "7"),
        meta("end_step", "finish"),
    ]
    assert rules.end_step(rows) == "finish" and rules.end_step([]) is None
    assert rules.origin_run_id(rows) == "12" and rules.origin_task_id(rows) == "7"
    assert rules.origin_run_id([meta("origin-run-id", "None")]) is None
    assert rules.current_attempt(rows) == 1 and rules.done_attempt(rows) == 0
    assert rules.current_attempt([]) == 0 and rules.done_attempt([]) is None
    assert rules.newest([("a", 3), ("b", 9), ("c", 9)], lambda s: s[1]) == ("b", 9)
    assert rules.newest([], lambda s: 0) is None


def test_artifact_rows_become_artifacts_sorted_by_name():
    objects, info = rules.data_json_parts(
        {
            "objects": {"df": SHA_OK, "n": SHA_NO, "odd": SHA_NO},
            "info": {
                "df": {
                    "type": "<class 'pandas.core.frame.DataFrame'>",
                    "size": 10,
                    "encoding": "pickle-v4",
                },
                "n": {"type": "int", "size": True},
                "odd": "not a dict",
            },
        }
    )
    # an artifact row's content_type names the encoding when data.json does not
    arts = rules.artifacts_json(objects, info, {"n": "gzip+pickle-v2", "df": "ignored"})
    assert arts == [
        {
            "name": "df",
            "type": "pandas.core.frame.DataFrame",
            "size": 10,
            "sha": SHA_OK,
            "encoding": "pickle-v4",
        },
        {"name": "n", "type": "int", "size": -1, "sha": SHA_NO, "encoding": "gzip+pickle-v2"},
        {"name": "odd", "type": "unknown", "size": -1, "sha": SHA_NO, "encoding": None},
    ]
    assert rules.data_json_parts("garbage") == ({}, {})
    assert rules.is_sha(SHA_OK) and not rules.is_sha("../x") and not rules.is_sha(None)


# -- the tag-change rule -----------------------------------------------------------------------
def test_removals_come_first_then_additions_as_metaflow_and_its_service_do():
    change = rules.plan_tag_change({"a", "b"}, {"user:anne"}, add={"b", "c"}, remove={"b", "a"})
    assert change.new == {"b", "c"}  # `b`, removed and added, stays
    assert change.to_add == ["c"] and change.to_remove == ["a"]
    assert change.reflected_in(["b", "c", "someone-elses"]) and not change.reflected_in(["a", "b"])


def test_system_tags_are_never_removed_nor_added_as_user_tags():
    with pytest.raises(SystemTag):
        rules.plan_tag_change({"a"}, {"user:anne"}, add=(), remove={"user:anne"})
    change = rules.plan_tag_change({"a"}, {"user:anne"}, add={"user:anne"}, remove=())
    assert change.unchanged and change.to_add == []


def test_a_tag_set_may_not_grow_beyond_fifty_but_may_shrink():
    fifty = {f"t{i}" for i in range(50)}
    with pytest.raises(InvalidTag):
        rules.plan_tag_change(fifty, (), add={"one-more"}, remove=())
    sixty = {f"t{i}" for i in range(60)}
    assert len(rules.plan_tag_change(sixty, (), add=(), remove={"t0"}).new) == 59
    # an unchanged set is not checked (nothing is written)
    assert rules.plan_tag_change(sixty, (), add={"t1"}, remove=()).unchanged


# -- task status -------------------------------------------------------------------------------
def task(metadata, artifacts=None, bools=None, active=True) -> TaskRecord:
    by_attempt = artifacts or {}
    return task_record(
        step="s",
        task_id="1",
        created_at=0,
        metadata=metadata,
        artifacts_of=lambda attempt: by_attempt.get(attempt, {}),
        blob_bool=lambda sha: (bools or {SHA_OK: True, SHA_NO: False}).get(sha),
        recently_active=lambda: active,
    )


def ok_artifacts(success_sha: str, at: int = 50) -> Dict[int, Dict[str, Dict]]:
    return {0: {"_task_ok": {"ts_epoch": at}, "_success": {"sha": success_sha}}}


def test_a_task_is_what_its_latest_done_attempt_says():
    done = [meta("attempt", "0"), meta("attempt-done", "0")]
    succeeded = task(done, ok_artifacts(SHA_OK))
    assert (succeeded.status, succeeded.finished_at, succeeded.attempt) == ("succeeded", 50, 0)
    assert task(done, ok_artifacts(SHA_NO)).status == "failed"
    # a retry under way is running, whatever the previous attempt said
    retrying = task([*done, meta("attempt", "1")], ok_artifacts(SHA_NO))
    assert (retrying.status, retrying.attempt) == ("running", 1)


def test_older_attempts_fall_back_to_attempt_ok_metadata():
    rows = [
        meta("attempt", "0"),
        meta("attempt-done", "0"),
        meta("attempt_ok", "True", ts=70, tags=["attempt_id:0"]),
    ]
    legacy = task(rows)
    assert (legacy.status, legacy.finished_at) == ("succeeded", 70)
    rows[-1] = meta("attempt_ok", "False", ts=70, tags=["attempt_id:0"])
    assert task(rows).status == "failed"
    assert task(rows[:2]).status == "unknown"  # done, but nothing says how


def test_an_unfinished_task_is_running_while_alive_else_unknown():
    assert task([meta("attempt", "0")]).status == "running"
    assert task([meta("attempt", "0")], active=False).status == "unknown"


# -- run status --------------------------------------------------------------------------------
def state(status: str, finished_at: Optional[int] = None) -> TaskRecord:
    return TaskRecord("s", "1", 0, status, finished_at, 0, None, None)  # type: ignore[arg-type]


def test_a_run_is_its_finished_end_task():
    assert finished_run(state("succeeded", 9), "3") == RunDetails("succeeded", 9, "3", True)
    assert finished_run(state("failed", 9), None) == RunDetails("failed", 9, None, True)
    assert finished_run(state("running"), None) is None and finished_run(None, None) is None


def test_an_unfinished_run_reads_its_tasks_only_until_one_runs():
    read: List[str] = []

    def tasks(*statuses: str):
        for s in statuses:
            read.append(s)
            yield state(s)

    alive = dict(alive=lambda: True, between_steps=lambda seen: False)
    running = unfinished_run(tasks("succeeded", "running", "failed"), None, **alive)
    assert running.status == "running" and read == ["succeeded", "running"]
    failed = unfinished_run(tasks("succeeded", "failed"), None, **alive)
    assert (failed.status, failed.final) == ("failed", False)  # the runtime may still retry
    dead = unfinished_run(
        tasks("failed"), None, alive=lambda: False, between_steps=lambda seen: False
    )
    assert (dead.status, dead.final) == ("failed", True)
    between = unfinished_run(
        tasks("succeeded"), "4", alive=lambda: True, between_steps=lambda seen: len(seen) == 1
    )
    assert between == RunDetails("running", None, "4", False)
    assert unfinished_run(tasks(), None, **alive).status == "unknown"
