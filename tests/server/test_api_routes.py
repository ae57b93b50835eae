"""The REST contract (v1) on the demo store: routes, parameters and answers equal Metaflow's.

Metaflow's client (tests/oracle.py, in a subprocess) is the oracle for run lists and latest
runs; the demo story names the runs so no id is hard-coded.
"""

from __future__ import annotations

from oracle import ask_metaflow, q_latest, q_runs

from harness.demo_stores import DemoStore


async def test_namespaces_lists_every_kind_and_the_default(api, mfns_store: DemoStore) -> None:
    # Given the demo store browsed as anne
    story = mfns_store.story
    # When the sidebar asks for the namespaces
    body = await api.ok("namespaces")
    # Then the default is anne's and each namespace has its kind and run count
    assert body["default"] == "user:anne"
    by_name = {n["namespace"]: n for n in body["namespaces"]}
    anne_runs = [r for r in story.runs if r.namespace == "user:anne"]
    assert by_name["user:anne"]["kind"] == "user"
    assert by_name["user:anne"]["runs"] == len(anne_runs)
    assert by_name[f"production:{story.production_token}"]["kind"] == "production"
    assert by_name["xyz_features"] == {
        "namespace": "xyz_features",
        "kind": "tag",
        "runs": len(story.xyz_features_runs),
        "flows": ["FeatureFlow"],
    }
    assert by_name["runtime:dev"]["kind"] == "system"
    kinds = [n["kind"] for n in body["namespaces"]]
    assert kinds == sorted(kinds, key=["user", "production", "tag", "system"].index)


async def test_flows_follow_the_namespace_parameter(api, mfns_store: DemoStore) -> None:
    story = mfns_store.story
    # omitted = the default namespace (anne's)
    mine = await api.ok("flows")
    assert mine["namespace"] == "user:anne"
    assert [f["flow"] for f in mine["flows"]] == ["FeatureFlow", "PredictionFlow", "ShowcaseFlow"]
    prediction = next(f for f in mine["flows"] if f["flow"] == "PredictionFlow")
    assert prediction == {
        "flow": "PredictionFlow",
        "runs": len(story.anne_prediction_runs),
        "latest_run": story.anne_prediction_runs[0],
    }
    # empty = global: null in the answer, every flow
    everything = await api.ok("flows", {"namespace": ""})
    assert everything["namespace"] is None
    assert sum(f["runs"] for f in everything["flows"]) == len(story.runs)
    # any other string: that namespace, here a tag used as a namespace
    tagged = await api.ok("flows", {"namespace": "xyz_features"})
    assert tagged["namespace"] == "xyz_features"
    assert tagged["flows"] == [
        {
            "flow": "FeatureFlow",
            "runs": len(story.xyz_features_runs),
            "latest_run": story.xyz_features_runs[0],
        }
    ]


async def test_runs_equal_metaflows_runs_in_every_namespace(api, mfns_store: DemoStore) -> None:
    # Given several namespace and tag filters
    story = mfns_store.story
    cases = [
        ("PredictionFlow", None, []),
        ("PredictionFlow", "user:anne", []),
        ("PredictionFlow", "user:will", []),
        ("PredictionFlow", "user:anne", ["crazy_test"]),
        ("PredictionFlow", None, ["2026-11-22"]),
        ("PredictionFlow", f"production:{story.production_token}", []),
        ("FeatureFlow", "xyz_features", []),
        ("FeatureFlow", None, ["xyz_features", "2026-11-20"]),
        ("FeatureFlow", "user:anne", ["ünïcode ✓"]),
    ]
    # When both the API and Metaflow's client answer
    expected = ask_metaflow(mfns_store.root, [q_runs(f, ns, tags) for f, ns, tags in cases])
    for (flow, ns, tags), want in zip(cases, expected):
        params = [("flow", flow), ("namespace", ns or "")] + [("tag", t) for t in tags]
        page = await api.ok("runs", params)
        # Then members and order are the same, and the answer says what it filtered
        assert [r["pathspec"] for r in page["runs"]] == want, (flow, ns, tags)
        assert page["namespace"] == ns and page["flow"] == flow and page["tags"] == tags
        assert page["total"] == len(want) and page["next_cursor"] is None
        for run in page["runs"]:
            assert ns is None or ns in run["tags"] + run["system_tags"]


async def test_runs_default_namespace_is_metaflows_default(api, mfns_store: DemoStore) -> None:
    page = await api.ok("runs", {"flow": "PredictionFlow"})
    assert page["namespace"] == "user:anne"
    assert [r["pathspec"] for r in page["runs"]] == mfns_store.story.anne_prediction_runs


async def test_runs_page_through_with_the_cursor(api, mfns_store: DemoStore) -> None:
    # Given the 7-ish PredictionFlow runs globally
    everything = await api.ok("runs", {"flow": "PredictionFlow", "namespace": ""})
    # When paging two at a time
    seen, cursor = [], None
    while True:
        params = {"flow": "PredictionFlow", "namespace": "", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = await api.ok("runs", params)
        assert len(page["runs"]) <= 2 and page["total"] == everything["total"]
        seen += [r["pathspec"] for r in page["runs"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # Then the pages add up to the whole list, in order, without repeats
    assert seen == [r["pathspec"] for r in everything["runs"]]
    assert seen == mfns_store.story.runs_where("PredictionFlow")


async def test_run_fields_describe_status_user_and_resume_origin(api, mfns_store) -> None:
    story = mfns_store.story
    page = await api.ok("runs", {"flow": "PredictionFlow", "namespace": ""})
    runs = {r["pathspec"]: r for r in page["runs"]}
    failed, resumed = runs[story.failed_run], runs[story.resumed_run]
    assert failed["status"] == "failed" and failed["user"] == "anne"
    assert resumed["status"] == "succeeded" and resumed["user"] == "will"
    assert resumed["origin_run"] == story.resumed_from
    assert failed["origin_run"] is None
    for pathspec, run in runs.items():
        demo = story.run(pathspec)
        assert run["created_at"] == demo.created_at
        assert run["tags"] == demo.tags
        assert demo.namespace in run["system_tags"]
        assert run["flow"] + "/" + run["id"] == pathspec
        if run["status"] == "succeeded":
            assert run["finished_at"] >= run["created_at"]


async def test_latest_run_equals_metaflows_latest(api, mfns_store: DemoStore) -> None:
    cases = [
        ("PredictionFlow", "user:anne", False),
        ("PredictionFlow", "user:anne", True),
        ("PredictionFlow", None, False),
        ("FeatureFlow", "xyz_features", True),
    ]
    expected = ask_metaflow(mfns_store.root, [q_latest(f, ns, ok) for f, ns, ok in cases])
    for (flow, ns, successful), want in zip(cases, expected):
        params = {"flow": flow, "namespace": ns or "", "successful": int(successful)}
        run = await api.ok("runs/latest", params)
        assert run["pathspec"] == want, (flow, ns, successful)
    # anne's newest PredictionFlow run failed, so the two answers differ
    story = mfns_store.story
    assert expected[0] == story.failed_run != expected[1]


async def test_latest_run_with_tags_and_no_match(api, mfns_store: DemoStore) -> None:
    story = mfns_store.story
    tagged = await api.ok("runs/latest", [("flow", "PredictionFlow"), ("tag", "crazy_test")])
    assert tagged["pathspec"] == story.runs_where("PredictionFlow", "user:anne", ("crazy_test",))[0]
    # anne has PredictionFlow runs, none tagged 2026-11-22 in her namespace
    reply = await api.get("runs/latest", [("flow", "PredictionFlow"), ("tag", "2026-11-22")])
    assert reply.status == 404 and reply.reason == "no_run"
    assert "2026-11-22" in reply.body["message"]


async def test_object_walks_flow_run_step_task(api, mfns_store: DemoStore) -> None:
    story = mfns_store.story
    # a flow lists its newest runs in the namespace
    flow = await api.ok("object", {"pathspec": "PredictionFlow"})
    assert flow["type"] == "flow" and flow["run"] is None and flow["namespace"] == "user:anne"
    assert [r["pathspec"] for r in flow["children"]] == story.anne_prediction_runs
    # a run lists its steps in execution order
    run = await api.ok("object", {"pathspec": story.showcase_run})
    assert run["type"] == "run" and run["run"]["pathspec"] == story.showcase_run
    steps = [s["name"] for s in run["children"]]
    assert steps[0] == "start" and steps[-1] == "end" and "make_artifacts" in steps
    # a step lists its tasks; a task has its run and step around it
    step_ps = story.artifact_task.rsplit("/", 1)[0]
    step = await api.ok("object", {"pathspec": step_ps})
    assert step["type"] == "step" and [t["pathspec"] for t in step["children"]] == [
        story.artifact_task
    ]
    task = await api.ok("object", {"pathspec": story.artifact_task})
    assert task["type"] == "task" and task["children"] == []
    assert task["task"]["status"] == "succeeded" and task["step"]["pathspec"] == step_ps


async def test_namespace_mismatch_names_the_owning_namespace(api, mfns_store: DemoStore) -> None:
    story = mfns_store.story
    will_run = story.will_prediction_runs[0]
    # Given will's run, opened in anne's default namespace
    reply = await api.get("object", {"pathspec": will_run})
    # Then 409 says who owns it, so the client can offer "switch"
    assert reply.status == 409 and reply.reason == "namespace_mismatch"
    assert reply.body["namespaces"] == ["user:will"]
    assert reply.body["namespace"] == "user:anne" and reply.body["pathspec"] == will_run
    # And switching is one explicit request away
    switched = await api.ok("object", {"pathspec": will_run, "namespace": "user:will"})
    assert switched["run"]["user"] == "will"
    # production runs name their production namespace, also for logs and artifacts
    prod = await api.get("object", {"pathspec": story.production_run})
    assert prod.status == 409
    assert prod.body["namespaces"] == [f"production:{story.production_token}"]
    task = await api.ok("object", {"pathspec": story.showcase_run + "/start", "namespace": ""})
    task_ps = task["children"][0]["pathspec"]
    for route in ("logs", "artifacts"):
        mismatch = await api.get(route, {"pathspec": task_ps, "namespace": "user:will"})
        assert mismatch.status == 409 and mismatch.body["namespaces"] == ["user:anne"]
    # a flow with no run in the namespace is refused like Metaflow's Flow()
    flow = await api.get("runs", {"flow": "ShowcaseFlow", "namespace": "user:will"})
    assert flow.status == 409 and flow.body["namespaces"] == ["user:anne"]


async def test_logs_tail_streams_and_timestamps(api, mfns_store: DemoStore) -> None:
    story = mfns_store.story
    task = story.long_stdout_task
    tail = await api.ok("logs", {"pathspec": task, "tail": 10})
    assert tail["stream"] == "stdout" and tail["truncated"] is True and tail["finished"] is True
    assert len(tail["lines"]) == 10
    assert tail["lines"][-1]["text"].startswith(f"line {story.long_stdout_lines} of")
    assert all(isinstance(line["ts"], int) for line in tail["lines"])
    whole = await api.ok("logs", {"pathspec": task})
    assert len(whole["lines"]) >= story.long_stdout_lines and whole["truncated"] is False
    assert whole["lines"][-10:] == tail["lines"]
    stderr = await api.ok("logs", {"pathspec": task, "stream": "stderr"})
    assert len(stderr["lines"]) >= story.long_stderr_lines
    none = await api.ok("logs", {"pathspec": task, "tail": 0})
    assert none["lines"] == [] and none["truncated"] is True


async def test_artifacts_come_from_metadata(api, mfns_store: DemoStore) -> None:
    story = mfns_store.story
    body = await api.ok("artifacts", {"pathspec": story.artifact_task})
    by_name = {a["name"]: a for a in body["artifacts"]}
    assert set(story.artifacts.values()) <= set(by_name)
    assert not [n for n in by_name if n.startswith("_")]
    df = by_name[story.artifacts["pandas_dataframe"]]
    assert df["type"] == "pandas.DataFrame" and df["size"] > 0 and len(df["sha"]) == 40
    assert by_name[story.artifacts["int"]]["type"] == "int"
    assert [a["name"] for a in body["artifacts"]] == sorted(by_name)


async def test_tags_in_use_for_autocomplete(api, mfns_store: DemoStore) -> None:
    body = await api.ok("tags", {"flow": "PredictionFlow"})
    assert body["namespace"] == "user:anne" and body["flow"] == "PredictionFlow"
    tags = {t["tag"]: t for t in body["tags"]}
    assert tags["crazy_test"] == {"tag": "crazy_test", "system": False, "runs": 2}
    assert tags["user:anne"]["system"] is True
    counts = [t["runs"] for t in body["tags"]]
    assert counts == sorted(counts, reverse=True)
    everywhere = await api.ok("tags", {"namespace": ""})
    assert everywhere["namespace"] is None and everywhere["flow"] is None
    assert {"xyz_features", "showcase", "ünïcode ✓"} <= {t["tag"] for t in everywhere["tags"]}


async def test_status_reports_store_and_limits(api, mfns_store: DemoStore) -> None:
    body = await api.ok("status")
    assert body["available"] is True and body["error"] is None
    assert body["store"] == f"local:{mfns_store.root / '.metaflow'}"
    assert body["default_namespace"] == "user:anne" and body["problems"] == []
    assert body["limits"]["max_user_tags"] == 50 and body["limits"]["max_tag_length"] == 500
