"""`%mfns` in a real kernel over the demo store, checked against Metaflow's client in that kernel.

Every test states the namespace it needs first: the kernel (one per module) is shared.
"""

from __future__ import annotations

import pytest

RUN_FIELDS = [
    "pathspec",
    "flow",
    "id",
    "user",
    "tags",
    "system_tags",
    "created_at",
    "finished_at",
    "status",
    "origin_run",
]


def one_line_error(done) -> str:
    """The error of a failed %mfns cell, asserting it is one line without a traceback."""
    assert not done.ok
    assert done.reply["content"]["ename"] == "UsageError"
    assert done.error is None  # no traceback message: IPython prints UsageErrors as one line
    shown = done.stderr.strip()
    assert shown.startswith("UsageError: ")
    assert "\n" not in shown, shown
    return shown


# -- namespace ---------------------------------------------------------------------------------
def test_status_shows_the_current_and_default_namespace(kernel):
    # Given anne's kernel switched to will's namespace
    kernel.run("%mfns namespace user:will")
    # When she asks for the status
    done = kernel.run("%mfns")
    # Then it names both the current namespace and her default
    assert "Metaflow namespace: 'user:will'" in done.stdout
    assert "default namespace:  'user:anne'" in done.stdout


def test_namespace_sets_metaflows_namespace_for_later_cells(kernel, store):
    # Given anne's kernel in her own namespace
    kernel.run("%mfns namespace --default")
    assert kernel.json("__import__('metaflow').get_namespace()") == "user:anne"
    # When she switches to will's namespace with the magic
    done = kernel.run("%mfns namespace user:will")
    # Then Metaflow's own client in the next cell follows: his latest run, not hers
    assert "'user:will'" in done.stdout
    assert kernel.json("__import__('metaflow').get_namespace()") == "user:will"
    latest = kernel.json("__import__('metaflow').Flow('PredictionFlow').latest_run.pathspec")
    assert latest == store.story.will_prediction_runs[0]


def test_namespace_global_and_default_forms(kernel, store):
    # When anne goes global, then back to her default
    kernel.run("%mfns namespace --global")
    in_global = kernel.json("__import__('metaflow').get_namespace()")
    everyone = kernel.json(
        "[r.pathspec for r in __import__('metaflow').Flow('PredictionFlow').runs()]"
    )
    kernel.run("%mfns namespace --default")
    # Then global is None (every run visible) and the default is her user namespace again
    assert in_global is None
    assert len(everyone) == len(store.story.runs_where("PredictionFlow"))
    assert kernel.json("__import__('metaflow').get_namespace()") == "user:anne"


def test_namespace_accepts_any_tag_quoted(kernel, store):
    # When anne uses a tag with spaces and a colon as her namespace
    kernel.run('%mfns namespace "note: best so far"')
    runs = kernel.json("[r.pathspec for r in __import__('metaflow').Flow('PredictionFlow').runs()]")
    kernel.run("%mfns namespace --default")
    # Then Metaflow sees exactly the runs carrying that tag
    assert runs == store.story.runs_where("PredictionFlow", "note: best so far")


@pytest.mark.parametrize(
    "line, says",
    [
        ('namespace ""', "Tags must not be empty"),
        ("namespace user:will --global", "not two"),
        ("namespace a b", "unrecognized arguments"),
        ("namespaec user:will", "invalid choice"),
        ("namespace 'unclosed", "No closing quotation"),
    ],
)
def test_bad_namespace_arguments_are_one_line_and_change_nothing(kernel, line, says):
    # Given anne in will's namespace
    kernel.run("%mfns namespace user:will")
    # When she gives a bad argument
    shown = one_line_error(kernel.execute(f"%mfns {line}"))
    # Then one line says why, and the namespace did not move
    assert says in shown
    assert kernel.json("__import__('metaflow').get_namespace()") == "user:will"


def test_namespace_without_runs_is_set_with_a_note(kernel):
    done = kernel.run("%mfns namespace user:wil")
    assert "no run in this store is in namespace 'user:wil'" in done.stdout
    assert kernel.json("__import__('metaflow').get_namespace()") == "user:wil"
    kernel.run("%mfns namespace --default")


# -- runs and latest ---------------------------------------------------------------------------
def test_runs_returns_a_dataframe_of_run_fields_like_metaflow(kernel, store):
    # Given anne in her namespace
    kernel.run("%mfns namespace --default")
    # When she lists PredictionFlow runs
    kernel.run("df = %mfns runs PredictionFlow")
    # Then the frame has the REST RUN fields (then the parameters, see test_magic_results)
    # and Metaflow's members in Metaflow's order
    assert kernel.json("list(df.columns)")[: len(RUN_FIELDS)] == RUN_FIELDS
    expected = kernel.json(
        "[r.pathspec for r in __import__('metaflow').Flow('PredictionFlow').runs()]"
    )
    assert kernel.json("list(df.pathspec)") == expected == store.story.anne_prediction_runs
    assert set(kernel.json("list(df.user)")) == {"anne"}
    assert kernel.json("str(df.created_at.dt.tz)") == "UTC"
    statuses = kernel.json("dict(zip(df.pathspec, df.status))")
    assert statuses[store.story.failed_run] == "failed"


def test_runs_filters_by_every_tag_and_limits(kernel, store):
    kernel.run("%mfns namespace --default")
    kernel.run('tagged = %mfns runs PredictionFlow --tag crazy_test --tag "note: best so far"')
    kernel.run("one = %mfns runs PredictionFlow --limit 1")
    expected = kernel.json(
        "[r.pathspec for r in __import__('metaflow').Flow('PredictionFlow')"
        ".runs('crazy_test', 'note: best so far')]"
    )
    assert kernel.json("list(tagged.pathspec)") == expected
    assert expected == store.story.runs_where(
        "PredictionFlow", "user:anne", ("crazy_test", "note: best so far")
    )
    assert kernel.json("list(one.pathspec)") == store.story.anne_prediction_runs[:1]


def test_runs_of_an_unknown_flow_is_one_line(kernel):
    shown = one_line_error(kernel.execute("%mfns runs NoSuchFlow"))
    assert "NoSuchFlow does not exist" in shown


def test_latest_and_latest_successful_follow_metaflow(kernel, store):
    # Given anne, whose newest PredictionFlow run failed
    kernel.run("%mfns namespace --default")
    # When she asks for her latest and latest successful run
    kernel.run("latest = %mfns latest PredictionFlow")
    kernel.run("good = %mfns latest PredictionFlow --successful")
    # Then they are Metaflow's latest_run and latest_successful_run
    oracle = kernel.json(
        "[__import__('metaflow').Flow('PredictionFlow').latest_run.pathspec,"
        " __import__('metaflow').Flow('PredictionFlow').latest_successful_run.pathspec]"
    )
    assert kernel.json("[latest['pathspec'], good['pathspec']]") == oracle
    assert oracle[0] == store.story.failed_run
    assert kernel.json("good['status']") == "succeeded"


def test_latest_in_the_production_namespace_and_with_a_tag(kernel, store):
    kernel.run("%mfns namespace production:demo-prod-1")
    kernel.run("prod = %mfns latest PredictionFlow")
    kernel.run("%mfns namespace --default")
    kernel.run("tagged = %mfns latest PredictionFlow --tag crazy_test")
    assert kernel.json("prod['pathspec']") == store.story.production_run
    assert (
        kernel.json("tagged['pathspec']")
        == store.story.runs_where("PredictionFlow", "user:anne", ("crazy_test",))[0]
    )


def test_latest_in_the_global_namespace_says_it_means_little(kernel):
    kernel.run("%mfns namespace --global")
    done = kernel.run("%mfns latest PredictionFlow")
    kernel.run("%mfns namespace --default")
    assert "global namespace" in done.stdout
    assert done.result is not None


# -- tags --------------------------------------------------------------------------------------
def test_tag_add_list_remove_on_her_run(kernel, store):
    # Given anne's oldest PredictionFlow run
    run = store.story.anne_prediction_runs[-1]
    kernel.run("%mfns namespace --default")
    # When she adds a tag with spaces, lists, then removes it
    added = kernel.run(f'%mfns tag add {run} "reviewed by will" keep')
    tags_after_add = kernel.json(f"sorted(__import__('metaflow').Run('{run}').user_tags)")
    listed = kernel.run(f"%mfns tag list {run}")
    kernel.run(f'%mfns tag remove {run} "reviewed by will" keep')
    tags_after_remove = kernel.json(f"sorted(__import__('metaflow').Run('{run}').user_tags)")
    # Then Metaflow's client sees the change, and the magic printed the run's tags
    assert {"reviewed by will", "keep"} <= set(tags_after_add)
    assert "'reviewed by will'" in added.stdout
    assert "'keep'" in listed.stdout and "user:anne" in listed.stdout
    assert not {"reviewed by will", "keep"} & set(tags_after_remove)


def test_tag_list_of_a_flow_counts_tags_in_the_namespace(kernel):
    kernel.run("%mfns namespace --default")
    kernel.run("tags = %mfns tag list PredictionFlow")
    counts = kernel.json("dict(zip(tags.tag, tags.runs))")
    assert counts["crazy_test"] == 2
    assert counts["user:anne"] == 3


@pytest.mark.parametrize(
    "line, says",
    [
        ("tag remove {run} user:anne", "system tag"),
        ("tag add {run} ''", "must not be empty"),
        ("tag add {run}", "name at least one tag"),
        ("tag add {will} stolen", "belongs to user:will"),
        ("tag list PredictionFlow/999", "does not exist"),
    ],
)
def test_bad_tag_commands_are_one_line(kernel, store, line, says):
    kernel.run("%mfns namespace --default")
    line = line.format(
        run=store.story.anne_prediction_runs[0], will=store.story.will_prediction_runs[0]
    )
    shown = one_line_error(kernel.execute(f"%mfns {line}"))
    assert says in shown


# -- load ----------------------------------------------------------------------------------------
def test_load_binds_a_dataframe_equal_to_metaflows_artifact(kernel, store):
    # Given the showcase task, in anne's namespace
    task = store.story.artifact_task
    name = store.story.artifacts["pandas_dataframe"]
    kernel.run("%mfns namespace --default")
    # When she loads the DataFrame artifact under another name
    done = kernel.run(f"%mfns load {task}/{name} --as preds")
    # Then `preds` is a DataFrame equal to what Metaflow's client unpickles
    assert done.stdout.startswith("preds = DataFrame (")
    assert kernel.json("type(preds).__name__") == "DataFrame"
    assert kernel.json(f"bool(preds.equals(__import__('metaflow').Task('{task}')['{name}'].data))")
    assert kernel.json("list(preds.columns)") == ["customer_id", "score", "label"]
    assert kernel.json("len(preds)") == 200


def test_load_converts_tabular_artifacts_with_the_core_rules(kernel, store):
    task = store.story.artifact_task
    kernel.run("%mfns namespace --default")
    records = store.story.artifacts["list_of_dicts"]
    done = kernel.run(f"%mfns load {task}/{records}")
    assert "list of 200 dicts -> DataFrame (200 rows x 3 columns)" in done.stdout
    assert kernel.json(f"[type({records}).__name__, {records}.iloc[0].to_dict()]") == [
        "DataFrame",
        {"customer_id": 1, "score": 0.919, "label": "yes"},
    ]
    label_set = store.story.artifacts["set"]
    kernel.run(f"%mfns load {task}/{label_set} --as labels")
    assert kernel.json("sorted(labels)") == ["maybe", "no", "yes"]


def test_load_on_a_task_lists_its_artifacts(kernel, store):
    task = store.story.artifact_task
    kernel.run("%mfns namespace --default")
    done = kernel.run(f"listing = %mfns load {task}")
    names = kernel.json("list(listing.name)")
    assert set(store.story.artifacts.values()) <= set(names)
    assert not [n for n in names if n.startswith("_")]
    assert f"%mfns load {task}/NAME" in done.stdout


@pytest.mark.parametrize(
    "line, says",
    [
        ("load {task}/no_such_artifact", "has no artifact 'no_such_artifact'"),
        ("load {task}/{opaque}", "Cannot load"),
        ("load {task}/{df} --as 2x", "not a valid Python variable name"),
        ("load {will_task}/model_name", "belongs to user:will"),
        ("load PredictionFlow/1", "expected 4 to 5 parts"),
    ],
)
def test_bad_loads_are_one_line(kernel, store, line, says):
    kernel.run("%mfns namespace --default")
    line = line.format(
        task=store.story.artifact_task,
        opaque=store.story.artifacts["unloadable"],
        df=store.story.artifacts["pandas_dataframe"],
        will_task=store.story.will_prediction_runs[0] + "/end/1",
    )
    shown = one_line_error(kernel.execute(f"%mfns {line}"))
    assert says in shown


def test_slow_loads_show_progress(kernel, store):
    # Given a kernel where any load counts as slow
    task = store.story.artifact_task
    big = store.story.artifacts["large_dataframe"]
    kernel.run("%mfns namespace --default")
    kernel.run("import jupyter_mfns.kernel.progress as _p; _p.SHOW_AFTER = 0.0")
    try:
        # When she loads the large DataFrame
        done = kernel.run(f"%mfns load {task}/{big}")
    finally:
        kernel.run("_p.SHOW_AFTER = 1.0")
    # Then a progress line appeared and was updated to say the load finished
    texts = [d["data"]["text/plain"] for d in done.displays]
    assert texts and texts[0].startswith(f"Loading {task}/{big} (")
    assert texts[-1].startswith(f"Loaded {task}/{big} (") and " MB) in " in texts[-1]
    assert kernel.json(f"{big}.shape") == [50000, 3]


def test_load_artifact_cell_as_the_sidebar_inserts_it(kernel, store):
    # Given anne's kernel switched to will's namespace
    kernel.run("%mfns namespace user:will")
    task = store.story.artifact_task
    name = store.story.artifacts["pandas_dataframe"]
    # When the sidebar's cell names anne's namespace explicitly
    done = kernel.run(
        "from jupyter_mfns import load_artifact\n"
        f'df = load_artifact("{task}/{name}", namespace="user:anne")\n'
        "df"
    )
    # Then it loads regardless of the kernel's namespace, and shows the table
    assert "<table" in done.result["text/html"]
    assert kernel.json("type(df).__name__") == "DataFrame"
    # And namespace=None (global) loads too, while another namespace is refused
    kernel.run(f'g = load_artifact("{task}/{name}", namespace=None)')
    refused = kernel.execute(f'load_artifact("{task}/{name}", namespace="user:will")')
    assert refused.error["ename"] == "NamespaceMismatch"
    kernel.run("%mfns namespace --default")


def test_the_sidebars_cell_says_in_one_line_why_a_value_stays_as_it_is(kernel, store):
    # Given the cell the sidebar inserts for a float artifact (served by the core)
    from jupyter_mfns.core.loadcode import load_cell

    kernel.run("%mfns namespace --default")
    task = store.story.artifact_task
    name = store.story.artifacts["float"]
    # When it runs
    done = kernel.run(load_cell(f"{task}/{name}", "user:anne"))
    # Then one line says it is not a table, and the value is Metaflow's own
    assert done.stdout == f"{name}: float is not tabular; left unchanged\n"
    theirs = kernel.json(f"__import__('metaflow').Task('{task}')['{name}'].data")
    assert kernel.json(name) == theirs
    # and a tabular value is shown as its table, with nothing printed
    df = store.story.artifacts["pandas_dataframe"]
    table = kernel.run(load_cell(f"{task}/{df}", "user:anne"))
    assert table.stdout == "" and "<table" in table.result["text/html"]


def test_a_value_that_cannot_be_unpickled_is_one_line_not_a_chained_traceback(kernel, store):
    # Given an artifact whose class exists only in the flow's script
    kernel.run("%mfns namespace --default")
    task = store.story.artifact_task
    opaque = store.story.artifacts["unloadable"]
    # When the sidebar's cell loads it in a real kernel
    done = kernel.execute(
        f'from jupyter_mfns import load_artifact\nx = load_artifact("{task}/{opaque}")'
    )
    # Then the error shown is one line naming the artifact and why, with no traceback
    assert not done.ok and done.error["ename"] == "ArtifactLoadError"
    shown = done.error["traceback"]
    assert len(shown) == 1 and "\n" not in shown[0], shown
    assert shown[0].startswith(f"ArtifactLoadError: Cannot load {task}/{opaque}: ")
    assert "importable in this kernel" in shown[0]
    # and the cause stays attached for whoever debugs it
    assert kernel.json("type(__import__('sys').last_value.__cause__).__name__") in (
        "AttributeError",
        "ModuleNotFoundError",
        "ImportError",
    )


# -- logs --------------------------------------------------------------------------------------
def test_logs_tail_matches_metaflows_stdout(kernel, store):
    task = store.story.long_stdout_task
    kernel.run("%mfns namespace --default")
    done = kernel.run(f"%mfns logs {task} --tail 3")
    expected = kernel.json(f"__import__('metaflow').Task('{task}').stdout.splitlines()[-3:]")
    lines = done.stdout.splitlines()
    assert lines[0].startswith("[... earlier lines not shown")
    assert lines[1:] == expected
    err = kernel.run(f"%mfns logs {task} --stderr")
    assert len(err.stdout.splitlines()) == store.story.long_stderr_lines


def test_logs_of_another_namespaces_task_is_one_line(kernel, store):
    kernel.run("%mfns namespace --default")
    shown = one_line_error(kernel.execute(f"%mfns logs {store.story.production_run}/start/1"))
    assert "belongs to production:demo-prod-1" in shown


# -- completion --------------------------------------------------------------------------------
def completions(kernel, code):
    reply = kernel.complete(code)
    fragment = code[reply["cursor_start"] : reply["cursor_end"]]
    return fragment, reply["matches"]


def test_tab_completes_subcommands_namespaces_flows_and_tags(kernel, store):
    kernel.run("%mfns namespace --default")
    assert completions(kernel, "%mfns na")[1] == ["namespace", "namespaces"]
    fragment, found = completions(kernel, "%mfns namespace user:")
    assert fragment == "user:" and found == ["user:anne", "user:will"]
    assert completions(kernel, "%mfns namespace prod")[1] == ["production:demo-prod-1"]
    assert completions(kernel, '%mfns namespace "note')[1] == ['"note: best so far"']
    assert completions(kernel, "%mfns runs Pred")[1] == ["PredictionFlow"]
    tags = completions(kernel, "%mfns runs PredictionFlow --tag cr")[1]
    assert tags == ["crazy_test"]
    assert completions(kernel, "%mfns tag ")[1] == ["add", "remove", "list"]
    runs = completions(kernel, "%mfns tag add PredictionFlow/")[1]
    assert runs == store.story.anne_prediction_runs


def test_tab_completes_pathspecs_down_to_artifacts(kernel, store):
    kernel.run("%mfns namespace --default")
    task = store.story.artifact_task
    df = store.story.artifacts["pandas_dataframe"]
    fragment, found = completions(kernel, f"%mfns load {task}/{df[:5]}")
    assert fragment == f"{task}/{df[:5]}"
    assert f"{task}/{df}" in found
    steps = completions(kernel, f"%mfns logs {store.story.showcase_run}/")[1]
    assert f"{store.story.showcase_run}/talk/" in steps
