"""`%mfns runs --where/--sort`, `%mfns params` and `%mfns dag` in a real kernel over the demo
store, checked against Metaflow's client in that same kernel."""

from __future__ import annotations

from test_magic import RUN_FIELDS, completions, one_line_error

# Metaflow then Python, in the kernel: every run's parameters from its `_parameters` task
METAFLOW_PARAMS = (
    "[(r.pathspec, {p['name']: r['_parameters'].task[p['name']].data "
    "for p in r['_parameters'].task['_graph_info'].data['parameters']}) "
    "for r in __import__('metaflow').Flow('PredictionFlow').runs()]"
)


def test_runs_where_and_sort_equal_metaflow_then_python_with_parameter_columns(kernel):
    kernel.run("%mfns namespace --default")
    runs = kernel.json(METAFLOW_PARAMS)
    # When anne filters and sorts by a parameter
    kernel.run('df = %mfns runs PredictionFlow --where "alpha>=0.2" --sort -param:alpha')
    # Then the runs are Metaflow's runs with alpha >= 0.2, largest alpha first (ties newest
    # first: Metaflow's order is newest first and Python's sort is stable)
    picked = [(p, v) for p, v in runs if v["alpha"] >= 0.2]
    expected = [p for p, _ in sorted(picked, key=lambda r: -r[1]["alpha"])]
    assert kernel.json("list(df.pathspec)") == expected and 0 < len(expected) < len(runs)
    # and the parameters are columns after the RUN fields
    columns = kernel.json("list(df.columns)")
    assert columns[: len(RUN_FIELDS)] == RUN_FIELDS
    assert set(columns[len(RUN_FIELDS) :]) == set(runs[0][1])
    assert kernel.json("list(df.alpha)") == [dict(picked)[p]["alpha"] for p in expected]
    kernel.run('both = %mfns runs PredictionFlow --where "alpha<0.5" --where break_scoring==false')
    both = [p for p, v in runs if v["alpha"] < 0.5 and v["break_scoring"] is False]
    assert kernel.json("list(both.pathspec)") == both


def test_params_is_a_series_equal_to_metaflows_values(kernel, store):
    kernel.run("%mfns namespace --default")
    run = store.story.failed_run
    kernel.run(f"p = %mfns params {run}")
    theirs = kernel.json(
        f"(lambda t: {{n['name']: t[n['name']].data for n in t['_graph_info'].data['parameters']}})"
        f"(__import__('metaflow').Run({run!r})['_parameters'].task)"
    )
    assert kernel.json("type(p).__name__") == "Series"
    assert kernel.json("p.to_dict()") == theirs and theirs["break_scoring"] is True


def test_dag_lists_the_graph_steps_with_status_and_tasks(kernel, store):
    kernel.run("%mfns namespace --default")
    run = store.story.failed_run
    done = kernel.run(f"d = %mfns dag {run}")
    graph = kernel.json(
        f"[[n, s['type'], s['next']] for n, s in __import__('metaflow').Run({run!r})"
        "['_parameters'].task['_graph_info'].data['steps'].items()]"
    )
    assert kernel.json("list(d.index)") == [g[0] for g in graph]
    assert kernel.json("list(d.type)") == [g[1] for g in graph]
    tasks = kernel.json(f"[len(list(s)) for s in __import__('metaflow').Run({run!r})]")
    assert sorted(kernel.json("list(d.tasks)")) == sorted(tasks + [0] * (len(graph) - len(tasks)))
    assert kernel.json("d.loc['score', 'status']") == "failed"
    assert "start (foreach over model_names)" in done.stdout


def test_bad_expressions_and_sorts_are_one_line(kernel):
    kernel.run("%mfns namespace --default")
    for line, says in [
        ("runs PredictionFlow --where alpha=0.5", "is not NAME OP VALUE"),
        ("runs PredictionFlow --where 'models==mean'", "quote strings"),
        ("runs PredictionFlow --sort alpha", "sort 'alpha' is not one of"),
        ("params PredictionFlow", "run pathspec"),
    ]:
        assert says in one_line_error(kernel.execute(f"%mfns {line}")), line


def test_where_and_sort_complete_from_the_flows_parameters(kernel):
    kernel.run("%mfns namespace --default")
    assert "--where" in completions(kernel, "%mfns runs PredictionFlow --w")[1]
    assert completions(kernel, "%mfns runs PredictionFlow --where al")[1] == ["alpha"]
    assert completions(kernel, "%mfns runs PredictionFlow --sort -param:a")[1] == ["-param:alpha"]
