"""`%mfns compare`, the load-both cell and bulk tagging in a real kernel over CompareFlow's runs
(tests/compare_story.py), checked against Metaflow's client in that kernel.

Every test states the namespace it needs first: the kernel (one per module) is shared.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List

import pytest
from compare_story import CompareStore
from kernel_harness import RealKernel, kernel_env
from test_magic import one_line_error

from harness.demo_stores import copy_store_files
from jupyter_mfns.core import Catalog
from jupyter_mfns.core.store import LocalStore


@pytest.fixture(scope="module")
def runs(compare_store: CompareStore, tmp_path_factory) -> CompareStore:
    """A private copy of the runs: this module tags them."""
    root = copy_store_files(compare_store.root, tmp_path_factory.mktemp("compare-kernel"))
    return CompareStore(root, dict(compare_store.runs))


@pytest.fixture(scope="module")
def kernel(runs: CompareStore, tmp_path_factory) -> Iterator[RealKernel]:
    k = RealKernel(kernel_env(runs.env("anne"), tmp_path_factory.mktemp("cache")), runs.root)
    try:
        k.run("%load_ext jupyter_mfns")
        yield k
    finally:
        k.shutdown()


def _user_tags(kernel: RealKernel, run: str) -> List[str]:
    return kernel.json(
        f"sorted(__import__('metaflow').Run('{run}', _namespace_check=False).user_tags)"
    )


def test_compare_is_a_frame_of_differences_with_every_row_on_demand(kernel, runs):
    kernel.run("%mfns namespace --default")
    a, b = runs["base"], runs["reordered"]
    done = kernel.run(f"diff = %mfns compare {a} {b}")
    frame: Dict[str, Any] = kernel.json(
        "{'index': list(diff.index), 'columns': list(diff.columns)}"
    )
    # columns are the runs, rows only what differs: the parameter, the table, the join's list
    assert frame["columns"] == [a, b]
    assert {"items", "start.table", "join.squares"} <= set(frame["index"])
    assert not {"scale", "square.value", "join.total", "run:tags"} & set(frame["index"])
    assert frame["index"][0].startswith("run:")  # run rows first, then parameters, artifacts
    assert frame["index"].index("items") < frame["index"].index("start.table")
    assert "rows differ (--all shows every row)" in done.stdout
    # values as Metaflow's client reads them (small ones decoded safely in the server)
    assert kernel.json(f"diff.loc['items', '{b}']") == [3, 2, 1]
    assert kernel.json(f"diff.loc['join.squares', '{a}']") == kernel.json(
        f"__import__('metaflow').Run('{a}')['join'].task['squares'].data"
    )
    kernel.run(f"every = %mfns compare {a} {b} --all")
    assert {"scale", "square.value", "join.total"} <= set(kernel.json("list(every.index)"))
    assert kernel.json("every.loc['square.value'].tolist()")[0].startswith("<3 tasks")


def test_load_gives_each_runs_value_as_metaflow_has_it(kernel, runs):
    kernel.run("%mfns namespace --default")
    a, b = runs["base"], runs["rescaled"]
    done = kernel.run(f"tables = %mfns compare {a} {b} --load start.table")
    assert "Loaded start.table from 2 runs (different values)" in done.stdout
    for run in (a, b):
        same = kernel.json(
            f"tables['{run}'].equals(__import__('metaflow').Run('{run}')['start'].task['table'].data)"
        )
        assert same is True
    # a bare name: the last step every run holds it in
    kernel.run(f"totals = %mfns compare {a} {b} --load total")
    assert kernel.json(f"totals['{b}']") == 1 + 4 + 16


def _code(runs: CompareStore, a: str, b: str, row: str) -> str:
    """The load-both cell the server answers for `row` (step.name), from the Catalog."""
    catalog = Catalog(LocalStore(runs.root), cache_dir=runs.root / "test-cache")
    try:
        answer = catalog.compare([a, b], "user:anne")
    finally:
        catalog.close()
    found = next(x for x in answer["artifacts"] if f"{x['step']}.{x['name']}" == row)
    assert found["code"], found
    return found["code"]


def test_the_load_both_cell_shows_dataframe_compare_or_the_columns_that_differ(kernel, runs):
    a, b, c = runs["base"], runs["rescaled"], runs["widened"]
    # Given the cell "Load both into notebook" inserts for the table of two runs
    kernel.run(_code(runs, a, b, "start.table"))
    # Then it shows DataFrame.compare: the cells that differ, under each run's name
    shown = kernel.json("[list(map(list, _.columns)), _.index.tolist()]")
    assert shown[0] == [["item", a], ["item", b], ["scaled", a], ["scaled", b]]
    assert shown[1] == [0, 1, 2]
    shown_b = kernel.json(f"[_[('item', '{b}')].isna().tolist(), float(_[('item', '{b}')][2])]")
    assert shown_b == [[True, True, False], 4.0]  # NaN where the item is the same
    # and for frames whose columns differ, which columns do and why
    kernel.run(_code(runs, a, c, "start.table"))
    assert kernel.json("_.to_dict('index')") == {
        "extra": {a: None, c: "float64", "differs": f"only in {c}"}
    }


def _execute_with_answer(kernel: RealKernel, code: str, answer: str) -> str:
    """Run `code` as a frontend that answers the kernel's input() with `answer`; its stdout."""
    out: List[str] = []

    def on_input(msg: Dict[str, Any]) -> None:
        out.append(msg["content"]["prompt"])
        kernel.client.input(answer)

    def on_output(msg: Dict[str, Any]) -> None:
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])

    reply = kernel.client.execute_interactive(
        code, allow_stdin=True, stdin_hook=on_input, output_hook=on_output, timeout=120
    )
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(out)


def test_bulk_tagging_says_what_changes_and_asks_once(kernel, runs):
    kernel.run("%mfns namespace --default")
    a, b = runs["base"], runs["rescaled"]
    kernel.run(f"%mfns tag add {a} pre-tagged")
    # Without --yes in a kernel that cannot ask (nbconvert-like): a summary, nothing changed
    done = kernel.run(f'%mfns tag add {a} {b} -- pre-tagged "best so far"')
    assert f"{a}: +'best so far'" in done.stdout
    assert f"{b}: +'pre-tagged', +'best so far'" in done.stdout
    assert "run the line again with --yes" in done.stdout
    assert "best so far" not in _user_tags(kernel, a) + _user_tags(kernel, b)
    # With --yes: both runs changed, as Metaflow's client sees them
    done = kernel.run(f'%mfns tag add {a} {b} -- pre-tagged "best so far" --yes')
    assert "Tagged 2 of 2 runs." in done.stdout
    assert {"pre-tagged", "best so far"} <= set(_user_tags(kernel, a))
    assert {"pre-tagged", "best so far"} <= set(_user_tags(kernel, b))
    # Asked in the notebook: "n" changes nothing, "y" removes the tag from both
    said = _execute_with_answer(kernel, f'%mfns tag remove {a} {b} -- "best so far"', "n")
    assert "Apply to 2 runs? [y/N]" in said and "Nothing changed." in said
    assert "best so far" in _user_tags(kernel, b)
    said = _execute_with_answer(kernel, f'%mfns tag remove {a} {b} -- "best so far"', "y")
    assert "Untagged 2 of 2 runs." in said
    assert "best so far" not in _user_tags(kernel, a) + _user_tags(kernel, b)
    # Nothing to do: said in one line, nothing asked
    done = kernel.run(f'%mfns tag remove {a} {b} -- "best so far"')
    assert "Nothing to change" in done.stdout


@pytest.mark.parametrize(
    "line, says",
    [
        ("compare {a}", "Compare 2 to 8 runs, not 1"),
        ("compare {a} {a}", "named twice"),
        ("compare {a} {w}", "belongs to user:will"),
        ("compare {a} {b} --load square.value", "comes from 3 tasks"),
        ("compare {a} {b} --load nothing_like_it", "No artifact 'nothing_like_it'"),
        ("compare {a} {b} --all --load total", "either --all or --load"),
        ("tag add {a} {b} --", "name at least one tag"),
        ("tag add {a} kept --yes", "--yes goes with many runs"),
        ("tag add {a} {w} -- stolen --yes", "belongs to user:will"),
        ("tag list {a} {b} -- x", "takes only a pathspec"),
    ],
)
def test_bad_compare_and_bulk_tag_lines_are_one_line(kernel, runs, line, says):
    kernel.run("%mfns namespace --default")
    a, b, w = runs["base"], runs["reordered"], runs["wills"]
    shown = one_line_error(kernel.execute(f"%mfns {line.format(a=a, b=b, w=w)}"))
    assert says in shown, shown
    # a refused bulk edit changed nothing on the run that was in the namespace
    assert "stolen" not in _user_tags(kernel, a)


def test_help_names_compare_and_bulk_tagging(kernel):
    said = kernel.run("%mfns help").stdout
    assert "%mfns compare [--all] [--load NAME] RUN [RUN ...]\n    2 to 8 runs" in said
    assert "%mfns tag add RUN RUN ... -- TAG [TAG ...] [--yes]" in said
