"""The index's parameter and failure rows: writes, and runs filtered and sorted by parameters.

A page is answered from indexes only: filters are primary-key lookups (`EXISTS`), and the
driving scan is chosen per query: newest first over the flow's runs (or its rarest tag) when
the `where` expressions are not selective, else over the most selective expression's range in
`run_params`, whose few matches are then sorted. A `param:NAME` sort walks the sort groups of
`results/where.py` in order, each along an index in the asked direction with ties newest first.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..results.where import MISSING, NAN, NUMBER, Condition, kind_and_value
from .queries import HAS_TAG, rarest_first, tag_count
from .rows import RunRow, run_columns
from .writes import LOOKUP_CHUNK

#: a `where` range with fewer matches than this drives the scan (its matches are sorted)
DRIVE_CAP = 5000
_SQL_OP = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
#: (RunRow, sort group, sort value) of a run sorted by a parameter
Sorted = Tuple[RunRow, int, Any]
#: a position in a parameter sort: (group, value, created_at, run_id)
SortAfter = Tuple[int, Any, int, str]


# -- writes ------------------------------------------------------------------------------------
def write_parameters(
    db: sqlite3.Connection, flow: str, items: Sequence[Tuple[str, int, Dict[str, Any], str]]
) -> None:
    """(run_id, created_at, decoded values, answer JSON) per run: its run_results answer and
    one run_params row per value."""
    db.executemany(
        "INSERT INTO run_results(flow, run_id, parameters) VALUES(?, ?, ?) "
        "ON CONFLICT(flow, run_id) DO UPDATE SET parameters = excluded.parameters",
        [(flow, run_id, answer) for run_id, _, _, answer in items],
    )
    db.executemany(
        "DELETE FROM run_params WHERE flow = ? AND run_id = ?",
        [(flow, run_id) for run_id, _, _, _ in items],
    )
    rows = []
    for run_id, created_at, values, _ in items:
        for name, value in values.items():
            group, comparable = kind_and_value(value)
            rows.append((flow, run_id, name, group, comparable, created_at))
    db.executemany("INSERT INTO run_params VALUES(?, ?, ?, ?, ?, ?)", rows)


def write_failure(
    db: sqlite3.Connection, flow: str, run_id: str, failure: str, final: bool
) -> None:
    db.execute(
        "INSERT INTO run_results(flow, run_id, failure, failure_final) VALUES(?, ?, ?, ?) "
        "ON CONFLICT(flow, run_id) DO UPDATE SET failure = excluded.failure, "
        "failure_final = excluded.failure_final",
        (flow, run_id, failure, int(final)),
    )


# -- reads -------------------------------------------------------------------------------------
def results_of(
    db: sqlite3.Connection, flow: str, run_ids: Sequence[str]
) -> Dict[str, Tuple[Optional[str], Optional[str], int]]:
    """run_id -> (parameters JSON, failure JSON, failure_final) of the runs that have a row."""
    out: Dict[str, Tuple[Optional[str], Optional[str], int]] = {}
    for i in range(0, len(run_ids), LOOKUP_CHUNK):
        chunk = list(run_ids[i : i + LOOKUP_CHUNK])
        marks = ",".join("?" * len(chunk))
        for run_id, params, failure, final in db.execute(
            "SELECT run_id, parameters, failure, failure_final FROM run_results "
            f"WHERE flow = ? AND run_id IN ({marks})",
            [flow, *chunk],
        ):
            out[run_id] = (params, failure, final)
    return out


def missing_parameters(
    db: sqlite3.Connection, flow: str, limit: int, at_most: Optional[Tuple[int, str]] = None
) -> List[Tuple[str, int]]:
    """(run_id, created_at) of runs whose parameters were never read, newest first; with
    `at_most`, only runs at or below that (created_at, run_id)."""
    below = "" if at_most is None else " AND (r.created_at, r.run_id) <= (?, ?)"
    return db.execute(
        "SELECT r.run_id, r.created_at FROM runs r WHERE r.flow = ? AND NOT EXISTS ("
        "SELECT 1 FROM run_results x WHERE x.flow = r.flow AND x.run_id = r.run_id "
        f"AND x.parameters IS NOT NULL){below} ORDER BY r.created_at DESC, r.run_id DESC "
        "LIMIT ?",
        (flow, *(at_most or ()), limit),
    ).fetchall()


def _predicate(cond: Condition, alias: str) -> Tuple[str, List[Any]]:
    """SQL over `alias`.grp and `alias`.v matching `cond` (the rule of results/where.py)."""
    grp, v = f"{alias}.grp", f"{alias}.v"
    if cond.group == NAN:  # NaN equals nothing; every number (NaN too) differs from it
        return (f"{grp} IN ({NUMBER}, {NAN})", []) if cond.op == "!=" else ("0", [])
    op = _SQL_OP[cond.op]
    if cond.group == NUMBER and cond.op == "!=":
        return f"({grp} = {NAN} OR ({grp} = {NUMBER} AND {v} != ?))", [cond.value]
    return f"{grp} = {cond.group} AND {v} {op} ?", [cond.value]


def _has_param(cond: Condition) -> Tuple[str, List[Any]]:
    pred, params = _predicate(cond, "w")
    return (
        " AND EXISTS (SELECT 1 FROM run_params w WHERE w.flow = d.flow AND "
        f"w.run_id = d.run_id AND w.name = ? AND {pred})",
        [cond.name, *params],
    )


def _filters(tags: Sequence[str], conds: Sequence[Condition]) -> Tuple[str, List[Any]]:
    """Tag and parameter checks on the driving table `d` (flow, created_at, run_id)."""
    sql, params = "", []
    for tag in tags:
        sql += HAS_TAG
        params.append(tag)
    for cond in conds:
        extra, extra_params = _has_param(cond)
        sql += extra
        params += extra_params
    return sql, params


def _range_count(db: sqlite3.Connection, flow: str, cond: Condition, cap: int) -> int:
    pred, params = _predicate(cond, "p")
    sql = (
        "SELECT count(*) FROM (SELECT 1 FROM run_params p WHERE p.flow = ? AND p.name = ? "
        f"AND {pred} LIMIT ?)"
    )
    return int(db.execute(sql, [flow, cond.name, *params, cap]).fetchone()[0])


class _Driver:
    """The driving scan of a query (its table aliased `d`), and what is left to check."""

    def __init__(self, table: str, where: str, params: List[Any], checks: str, checked: List[Any]):
        self.table, self.where, self.params = table, where, params
        self.checks, self.checked = checks, checked

    def select(self) -> Tuple[str, List[Any]]:
        """`SELECT <run columns> FROM ... WHERE ...` (the run's row joined when needed)."""
        if self.table == "runs":
            head = f"SELECT {run_columns('d')} FROM runs d"
        else:
            head = (
                f"SELECT {run_columns('r')} FROM {self.table} d "
                "JOIN runs r ON r.flow = d.flow AND r.run_id = d.run_id"
            )
        return f"{head} WHERE {self.where}{self.checks}", self.params + self.checked

    def count(self) -> Tuple[str, List[Any]]:
        sql = f"SELECT count(*) FROM {self.table} d WHERE {self.where}{self.checks}"
        return sql, self.params + self.checked


def _driver(
    db: sqlite3.Connection, flow: str, tags: Sequence[str], conds: Sequence[Condition]
) -> _Driver:
    """Drive by the most selective `where` range when it is small (and smaller than the
    rarest tag), else by the rarest tag, else by the flow's runs."""
    ordered = rarest_first(db, tags, flow)
    best: Optional[Tuple[int, Condition]] = None
    for cond in conds:
        n = _range_count(db, flow, cond, DRIVE_CAP)
        if n < DRIVE_CAP and (best is None or n < best[0]):
            best = (n, cond)
    if best is not None and (not ordered or best[0] < tag_count(db, ordered[0], flow)):
        cond = best[1]
        pred, params = _predicate(cond, "d")
        checks, checked = _filters(ordered, [c for c in conds if c is not cond])
        where = f"d.flow = ? AND d.name = ? AND {pred}"
        return _Driver("run_params", where, [flow, cond.name, *params], checks, checked)
    if ordered:
        checks, checked = _filters(ordered[1:], conds)
        return _Driver("run_tags", "d.tag = ? AND d.flow = ?", [ordered[0], flow], checks, checked)
    checks, checked = _filters([], conds)
    return _Driver("runs", "d.flow = ?", [flow], checks, checked)


def query_filtered(
    db: sqlite3.Connection,
    flow: str,
    tags: Sequence[str],
    conds: Sequence[Condition],
    limit: int,
    after: Optional[Tuple[int, str]],
    ascending: bool = False,
) -> List[RunRow]:
    """Runs carrying `tags` and matching `conds`, by created_at (newest first by default)."""
    sql, params = _driver(db, flow, tags, conds).select()
    if after is not None:
        sql += f" AND (d.created_at, d.run_id) {'>' if ascending else '<'} (?, ?)"
        params += [after[0], after[1]]
    direction = "ASC" if ascending else "DESC"
    sql += f" ORDER BY d.created_at {direction}, d.run_id {direction} LIMIT ?"
    params.append(limit)
    return [RunRow._make(row) for row in db.execute(sql, params)]


def count_filtered(
    db: sqlite3.Connection, flow: str, tags: Sequence[str], conds: Sequence[Condition]
) -> int:
    sql, params = _driver(db, flow, tags, conds).count()
    return int(db.execute(sql, params).fetchone()[0])


def _groups(name: str, conds: Sequence[Condition]) -> List[int]:
    """The sort groups a run may fall in, given the conditions on the sort parameter."""
    groups = list(range(NUMBER, MISSING + 1))
    for cond in conds:
        if cond.name == name:
            kinds = {NUMBER, NAN} if cond.group in (NUMBER, NAN) else {cond.group}
            groups = [g for g in groups if g in kinds]
    return groups


def query_by_parameter(
    db: sqlite3.Connection,
    flow: str,
    tags: Sequence[str],
    conds: Sequence[Condition],
    name: str,
    descending: bool,
    limit: int,
    after: Optional[SortAfter],
) -> List[Sorted]:
    """Runs carrying `tags` and matching `conds`, sorted by parameter `name` (see module)."""
    ordered = rarest_first(db, tags, flow)
    checks, check_params = _filters(ordered, conds)
    out: List[Sorted] = []
    for group in _groups(name, conds):
        if after is not None and group < after[0]:
            continue
        within = after if after is not None and group == after[0] else None
        want = limit - len(out)
        if group == MISSING:
            rows = _missing_group(db, flow, name, checks, check_params, want, within)
        else:
            rows = _value_group(
                db, flow, name, group, descending, checks, check_params, want, within
            )
        out += rows
        if len(out) >= limit:
            break
    return out


def _value_group(
    db: sqlite3.Connection,
    flow: str,
    name: str,
    group: int,
    descending: bool,
    checks: str,
    check_params: List[Any],
    limit: int,
    after: Optional[SortAfter],
) -> List[Sorted]:
    index = "run_params_down" if descending else "run_params_up"
    sql = (
        f"SELECT {run_columns('r')}, d.grp, d.v FROM run_params d INDEXED BY {index} "
        "JOIN runs r ON r.flow = d.flow AND r.run_id = d.run_id "
        f"WHERE d.flow = ? AND d.name = ? AND d.grp = ?{checks}"
    )
    params: List[Any] = [flow, name, group, *check_params]
    if after is not None:
        tie = "(d.created_at, d.run_id) < (?, ?)"
        if group == NAN:
            sql += f" AND {tie}"
            params += [after[2], after[3]]
        else:
            beyond = "<" if descending else ">"
            sql += f" AND (d.v {beyond} ? OR (d.v = ? AND {tie}))"
            params += [after[1], after[1], after[2], after[3]]
    value_order = "DESC" if descending else "ASC"
    sql += f" ORDER BY d.v {value_order}, d.created_at DESC, d.run_id DESC LIMIT ?"
    params.append(limit)
    out: List[Sorted] = []
    for row in db.execute(sql, params):
        out.append((RunRow._make(row[:-2]), int(row[-2]), row[-1]))
    return out


def _missing_group(
    db: sqlite3.Connection,
    flow: str,
    name: str,
    checks: str,
    check_params: List[Any],
    limit: int,
    after: Optional[SortAfter],
) -> List[Sorted]:
    sql = (
        f"SELECT {run_columns('d')} FROM runs d WHERE d.flow = ? AND NOT EXISTS ("
        "SELECT 1 FROM run_params x WHERE x.flow = d.flow AND x.run_id = d.run_id "
        f"AND x.name = ?){checks}"
    )
    params: List[Any] = [flow, name, *check_params]
    if after is not None:
        sql += " AND (d.created_at, d.run_id) < (?, ?)"
        params += [after[2], after[3]]
    sql += " ORDER BY d.created_at DESC, d.run_id DESC LIMIT ?"
    params.append(limit)
    return [(RunRow._make(row), MISSING, None) for row in db.execute(sql, params)]
