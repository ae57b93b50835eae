"""Logs and artifact metadata from S3 never download whole objects.

Given the story's TalkFlow task whose stdout holds 3,000 lines (about 200 KB in S3), a tail
of 10 lines costs one ranged GET per log file and downloads at most 64 KB of each; artifact
metadata costs the task's artifact rows plus one small ranged read of `<attempt>.data.json`,
and never touches an artifact blob. Counted by moto's own request log and by the store.
"""

from __future__ import annotations

from service_deployment import BUCKET, PREFIX

from jupyter_mfns.core.results.values import INLINE_MAX_SIZE
from jupyter_mfns.core.store.s3 import TAIL_BLOCK


def _log_key(task: str, attempt: int = 0, source: str = "runtime", stream: str = "stdout") -> str:
    return f"{PREFIX}/{task}/{attempt}.{source}_{stream}.log"


def test_log_tail_reads_only_the_end(deployment, story, service_catalog):
    task = story.talk_task
    size = deployment.s3_client().head_object(Bucket=BUCKET, Key=_log_key(task))["ContentLength"]
    assert size > 3 * TAIL_BLOCK  # the log is large enough for the test to mean something
    store = service_catalog.store
    mark, before = deployment.s3_log_mark(), dict(store.stats())
    # When the last 10 stdout lines are asked for
    answer = service_catalog.logs(task, "stdout", namespace=None, tail=10)
    # Then they are the last 10 lines, marked as truncated
    assert [ln["text"] for ln in answer["lines"]][-1].startswith("line 03000")
    assert len(answer["lines"]) == 10 and answer["truncated"] is True
    assert answer["finished"] is True
    # and S3 answered one partial (206) GET per existing log file, nothing else for the log
    everything = deployment.s3_requests(mark)
    log_gets = [r for r in everything if r[1].endswith("_stdout.log")]
    assert log_gets and all(m == "GET" and status in (206, 404) for m, _, status in log_gets)
    assert len([g for g in log_gets if g[2] == 206]) == 1  # runtime log; no task log here
    # (besides, at most the task's `_success` blob, for its status: a few bytes)
    others = [r for r in everything if r not in log_gets]
    assert len(others) <= 1 and all("/data/" in p for _, p, _ in others)
    after = store.stats()
    assert after["s3_requests"] - before.get("s3_requests", 0) == len(everything)
    assert after["s3_bytes"] - before.get("s3_bytes", 0) <= TAIL_BLOCK + 100 < size


def test_whole_log_is_read_once(deployment, story, service_catalog):
    mark = deployment.s3_log_mark()
    answer = service_catalog.logs(story.talk_task, "stdout", namespace=None)
    assert len(answer["lines"]) == 3000 and answer["truncated"] is False
    gets = [r for r in deployment.s3_requests(mark) if r[1].endswith("runtime_stdout.log")]
    # the end (with the size), then the rest: two ranged GETs, never the same bytes twice
    assert [status for _, _, status in gets] == [206, 206]


def test_artifact_listing_reads_only_small_blobs(deployment, story, service_catalog):
    task = story.talk_task
    service_catalog.run(story["talk"], None)  # details (and their blob read) happen first
    mark = deployment.s3_log_mark()
    deployment.reset_service_requests()
    arts = service_catalog.artifacts(task, namespace=None)["artifacts"]
    assert {"frame", "name"} <= {a["name"] for a in arts}
    s3 = [(m, p.rsplit("/", 1)[-1], s) for m, p, s in deployment.s3_requests(mark)]
    # one ranged read of the task's data.json, and only the blobs of artifacts small enough
    # to be shown inline (each once): a large one (the DataFrame `frame`) is never downloaded
    assert s3.count(("GET", "0.data.json", 206)) == 1
    blobs = [name for _, name, _ in s3 if name != "0.data.json"]
    small = {a["sha"] for a in arts if a["size"] <= INLINE_MAX_SIZE}
    assert set(blobs) <= small and len(blobs) == len(set(blobs))
    assert next(a["sha"] for a in arts if a["name"] == "frame") not in blobs
    assert "value" in next(a for a in arts if a["name"] == "name")  # read, hence shown inline
    counts = deployment.service_requests()
    assert counts["GET /flows/{flow}/runs/{run}/steps/{step}/tasks/{task}/artifacts"] == 1


def test_an_empty_log_reads_as_no_lines(deployment, story, service_catalog):
    end = service_catalog.get_object(f"{story['talk']}/end", namespace=None)["children"][0]
    task = end["pathspec"]
    key = _log_key(task, stream="stderr")
    assert deployment.s3_client().head_object(Bucket=BUCKET, Key=key)["ContentLength"] == 0
    for tail in (None, 10):
        answer = service_catalog.logs(task, "stderr", namespace=None, tail=tail)
        assert answer["lines"] == [] and answer["truncated"] is False
    out = service_catalog.logs(task, "stdout", namespace=None, tail=10)
    assert [ln["text"] for ln in out["lines"]] == [f"total {sum(i * i for i in range(50))}"]
