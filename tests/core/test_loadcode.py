"""The load cell is written once (`core/loadcode.py`), exactly as the sidebar inserted it
(`labextension/test/code.test.ts`), valid Python, and served with every artifact."""

from __future__ import annotations

import ast

from jupyter_mfns.core.loadcode import load_cell, variable_for


def test_the_cell_names_the_namespace_and_the_pathspec_and_ends_with_the_variable():
    assert load_cell("PredictionFlow/12/train/3/df", "user:anne") == (
        "from jupyter_mfns import load_artifact\n"
        'df = load_artifact("PredictionFlow/12/train/3/df", namespace="user:anne", explain=True)\n'
        "df"
    )


def test_the_global_namespace_is_written_as_none():
    assert load_cell("F/1/s/2/x", None).splitlines()[1].endswith("namespace=None, explain=True)")


def test_names_that_cannot_be_python_variables_become_artifact():
    assert variable_for("scores_2024") == "scores_2024"
    assert variable_for("class") == "artifact"
    assert variable_for("2fast") == "artifact"
    assert variable_for("with-dash") == "artifact"
    assert variable_for("données") == "artifact"  # pathspecs name ASCII identifiers only
    assert load_cell("F/1/s/2/lambda", "ns").splitlines()[1].startswith("artifact = load_artifact")


def test_quotes_and_backslashes_in_a_namespace_stay_inside_the_string_literal():
    line = load_cell("F/1/s/2/x", 'note: "best" \\ so far').split("\n")[1]
    assert line == (
        'x = load_artifact("F/1/s/2/x", namespace="note: \\"best\\" \\\\ so far", explain=True)'
    )
    call = ast.parse(line).body[0].value  # type: ignore[attr-defined]
    assert call.keywords[0].value.value == 'note: "best" \\ so far'


def test_every_artifact_is_served_with_its_cell(catalog, tiny_store, monkeypatch):
    monkeypatch.setenv("METAFLOW_USER", "anne")
    run = tiny_store.anne_runs[0]
    task = catalog.get_object(f"{run}/start", "user:anne")["children"][0]["pathspec"]
    for ns in ("user:anne", None):
        arts = catalog.artifacts(task, ns)["artifacts"]
        assert "frame" in {a["name"] for a in arts}
        for art in arts:
            assert art["variable"] == variable_for(art["name"])
            assert art["code"] == load_cell(f"{task}/{art['name']}", ns, art["variable"])
            ast.parse(art["code"])
    # and every run names its own namespaces
    assert catalog.run(run, None)["namespaces"] == ["user:anne"]
    assert catalog.run(tiny_store.will_runs[0], None)["namespaces"] == ["user:will"]
