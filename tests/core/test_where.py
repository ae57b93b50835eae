"""The `where`/`sort` rule: the index's SQL answers exactly what the Python rule answers.

Runs with parameter values of every kind (numbers with NaN, infinities and integers beyond 64
bits, strings with unicode, bools, None, lists, dicts, and missing values) are written into a
real index; every query, paged by keyset cursors, must equal filtering and sorting in Python
with `Condition.matches` and `sort_key` (the rule the differential tests' oracle uses too).
"""

from __future__ import annotations

import itertools
import math
import random
from typing import Any, Dict, List, Optional, Tuple

import pytest

from jupyter_mfns.core.errors import InvalidArgument
from jupyter_mfns.core.index import RunIndex
from jupyter_mfns.core.results.where import (
    MISSING,
    kind_and_value,
    parse_condition,
    parse_conditions,
    sort_key,
)
from jupyter_mfns.core.store.base import RunRecord, ScanResult

FLOW = "F"
VALUES: List[Any] = [
    0, 1, -1, 0.5, 0.25, 2**70, -(2**70), 1.0, float("nan"), float("inf"), float("-inf"),
    True, False, "", "a", "b", "B", "é", "✓", "0.5", "true", None, [1, 2], [1, 2.0], {"a": 1},
    {"a": 1, "b": [None]}, [], "x" * 30,
]  # fmt: skip
LITERALS = ["0", "1", "0.5", "-1", "1e30", "NaN", "Infinity", "-Infinity", '"a"', '"b"', '""',
            '"é"', '"0.5"', "true", "false", "null", "[1, 2]", '{"a": 1}', "[]"]  # fmt: skip
OPS = ["==", "!=", "<", "<=", ">", ">="]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Tuple[RunIndex, List[Tuple[str, int, Dict[str, Any], bool]]]:
    rng = random.Random(7)
    index = RunIndex(tmp_path_factory.mktemp("where") / "index.sqlite", "test:where")
    records, rows = [], []
    for i in range(300):
        created = 1_000_000 + rng.randrange(120)  # many ties: ordering newest first by id
        run_id = f"{i:04d}"
        ns = "user:anne" if rng.random() < 0.6 else "user:will"
        records.append(RunRecord(FLOW, run_id, ns[5:], (), (ns,), created, "t"))
        values = {}
        for name in ("p", "q"):
            if rng.random() < 0.9:
                values[name] = rng.choice(VALUES)
        rows.append((run_id, created, values, ns == "user:anne"))
    index.apply(FLOW, ScanResult(upserts=records))
    index.write_parameters(FLOW, [(r, c, v, "{}") for r, c, v, _ in rows])
    return index, rows


def _expected(rows, conds, tags, param: Optional[str], descending: bool) -> List[str]:
    picked = [
        r
        for r in rows
        if (not tags or r[3]) and all(c.name in r[2] and c.matches(r[2][c.name]) for c in conds)
    ]
    picked.sort(key=lambda r: (r[1], r[0]), reverse=True)  # newest first, ties by id
    if param is not None:
        picked.sort(key=lambda r: sort_key(r[2].get(param), param in r[2], descending))
    elif not descending:
        picked.reverse()
    return [r[0] for r in picked]


def _page_through(index: RunIndex, conds, tags, param, descending, limit) -> List[str]:
    got: List[str] = []
    if param is None:
        after = None
        while True:
            rows = index.query_filtered(FLOW, tags, conds, limit, after, ascending=not descending)
            got += [r.run_id for r in rows]
            if len(rows) < limit:
                return got
            after = rows[-1].key
    position = None
    while True:
        found = index.query_by_parameter(FLOW, tags, conds, param, descending, limit, position)
        got += [r.run_id for r, _, _ in found]
        if len(found) < limit:
            return got
        last, group, value = found[-1]
        position = (group, value, *last.key)


def test_sql_equals_the_python_rule_for_every_operator_and_literal(runs) -> None:
    index, rows = runs
    for op, literal in itertools.product(OPS, LITERALS):
        try:
            cond = parse_condition(f"p{op}{literal}")
        except InvalidArgument:
            continue  # ordering a bool, null, list or object: refused (tested below)
        for tags in ([], ["user:anne"]):
            expected = _expected(rows, [cond], tags, None, True)
            assert _page_through(index, [cond], tags, None, True, 7) == expected, (op, literal)
            assert index.count_filtered(FLOW, tags, [cond]) == len(expected)


def test_sorts_and_combined_filters_equal_the_python_rule(runs) -> None:
    index, rows = runs
    rng = random.Random(3)
    queries = [[]] + [
        parse_conditions([_random_expression(rng, i) for _ in range(rng.randrange(1, 3))])
        for i in range(12)
    ]
    for conds, param, descending, tags in itertools.product(
        queries, [None, "p", "q", "absent"], [False, True], [[], ["user:anne"]]
    ):
        expected = _expected(rows, conds, tags, param, descending)
        got = _page_through(index, conds, tags, param, descending, 11)
        assert got == expected, (conds, param, descending, tags)


def _random_expression(rng: random.Random, i: int) -> str:
    op = rng.choice(OPS[:2] if i % 2 else OPS)
    return f"{rng.choice('pq')}{op}{rng.choice(LITERALS[:7])}"


def test_kinds_and_groups() -> None:
    assert kind_and_value(True)[0] != kind_and_value(1)[0]
    assert kind_and_value(2**70) == (0, float(2**70))
    assert math.isnan(float("nan")) and kind_and_value(float("nan"))[1] is None
    nan = parse_condition("a!=NaN")
    assert nan.matches(1.5) and nan.matches(float("nan")) and not nan.matches("x")
    assert not parse_condition("a==NaN").matches(float("nan"))
    assert not parse_condition("a!=1").matches("1")  # another kind never matches
    assert parse_condition('a=={"x": [1, null]}').matches({"x": [1, None]})
    assert sort_key(None, False, True)[0] == MISSING


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "alpha=0.5",
        "alpha>=",
        "alpha>=xgb",
        "1alpha==1",
        "alpha<true",
        "a>null",
        "a<=[1]",
        'a>{"b": 1}',
        "a==" + "[" * 5000,
        "a" * 1001,
    ],  # fmt: skip
)
def test_bad_expressions_say_what_is_wrong_in_one_line(bad: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_condition(bad)
    message = str(caught.value)
    assert "\n" not in message and len(message) < 300
