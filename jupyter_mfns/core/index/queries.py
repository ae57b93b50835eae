"""Reading the index: runs pages, counts and tag aggregates, as SQL over one connection.

Order matches Metaflow's client: newest `created_at` first. Runs created in the same millisecond
are ordered by id, descending (Metaflow leaves that order to the filesystem's listing order).
"""

from __future__ import annotations

import sqlite3
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..tags import OWNER_PREFIXES
from .rows import RUN_COLUMNS, RunRow, run_columns

#: "and the run also carries tag ?": a primary-key lookup in run_tags (the driving table is `d`)
HAS_TAG = (
    " AND EXISTS (SELECT 1 FROM run_tags x WHERE x.tag = ? AND x.flow = d.flow"
    " AND x.created_at = d.created_at AND x.run_id = d.run_id)"
)


def run_row(db: sqlite3.Connection, flow: str, run_id: str) -> Optional[RunRow]:
    row = db.execute(
        f"SELECT {RUN_COLUMNS} FROM runs WHERE flow = ? AND run_id = ?", (flow, run_id)
    ).fetchone()
    return RunRow._make(row) if row is not None else None


def tag_count(db: sqlite3.Connection, tag: str, flow: str) -> int:
    row = db.execute(
        "SELECT coalesce(sum(n), 0) FROM tag_counts WHERE tag = ? AND flow = ?", (tag, flow)
    ).fetchone()
    return int(row[0])


def rarest_first(db: sqlite3.Connection, tags: Sequence[str], flow: str) -> List[str]:
    return sorted(set(tags), key=lambda t: tag_count(db, t, flow))


def query_runs(
    db: sqlite3.Connection,
    flow: str,
    tags: Sequence[str],
    limit: int,
    after: Optional[Tuple[int, str]] = None,
) -> List[RunRow]:
    """Runs of `flow` carrying every tag in `tags`, newest first, after a keyset cursor."""
    params: List[Any] = []
    if not tags:
        sql = f"SELECT {RUN_COLUMNS} FROM runs d WHERE d.flow = ?"
        params.append(flow)
    else:
        # drive the scan with the rarest tag; check the others by primary key
        ordered = rarest_first(db, tags, flow)
        sql = (
            f"SELECT {run_columns('r')} FROM run_tags d JOIN runs r "
            "ON r.flow = d.flow AND r.run_id = d.run_id WHERE d.tag = ? AND d.flow = ?"
        )
        params += [ordered[0], flow]
        for t in ordered[1:]:
            sql += HAS_TAG
            params.append(t)
    if after is not None:
        sql += " AND (d.created_at, d.run_id) < (?, ?)"  # a range seek, not a filter
        params += [after[0], after[1]]
    sql += " ORDER BY d.created_at DESC, d.run_id DESC LIMIT ?"
    params.append(limit)
    return [RunRow._make(row) for row in db.execute(sql, params)]


def count_runs(db: sqlite3.Connection, flow: str, tags: Sequence[str]) -> int:
    unique = rarest_first(db, tags, flow)
    if not unique:
        row = db.execute("SELECT n FROM flow_counts WHERE flow = ?", (flow,)).fetchone()
        return int(row[0]) if row else 0
    if len(unique) == 1:
        return tag_count(db, unique[0], flow)
    sql = "SELECT count(*) FROM run_tags d WHERE d.tag = ? AND d.flow = ?"
    params: List[Any] = [unique[0], flow]
    for t in unique[1:]:
        sql += HAS_TAG
        params.append(t)
    return int(db.execute(sql, params).fetchone()[0])


def tag_counts(db: sqlite3.Connection) -> List[Tuple[str, str, int, int]]:
    """(tag, flow, system, runs) for every tag in the store."""
    return db.execute("SELECT tag, flow, system, n FROM tag_counts").fetchall()


def flow_counts(db: sqlite3.Connection) -> Dict[str, int]:
    return dict(db.execute("SELECT flow, n FROM flow_counts WHERE n > 0").fetchall())


def tags_of_runs_in(
    db: sqlite3.Connection, namespace: str, flow: Optional[str]
) -> List[Tuple[str, int, int]]:
    """(tag, system, runs) over runs in `namespace` (optionally of one flow)."""
    where = "n.tag = ?" + (" AND n.flow = ?" if flow else "")
    sql = f"""
        WITH picked AS (
            SELECT r.flow, r.run_id, r.tags, r.system_tags FROM run_tags n JOIN runs r
            ON r.flow = n.flow AND r.run_id = n.run_id WHERE {where}),
        each AS (
            SELECT p.flow, p.run_id, j.value AS tag, 0 AS system
            FROM picked p, json_each(p.tags) j
            UNION ALL
            SELECT p.flow, p.run_id, j.value, 1 FROM picked p, json_each(p.system_tags) j),
        per_run AS (SELECT tag, max(system) AS system FROM each GROUP BY flow, run_id, tag)
        SELECT tag, max(system), count(*) FROM per_run GROUP BY tag"""
    return db.execute(sql, [namespace, flow] if flow else [namespace]).fetchall()


def flows_with_tag(db: sqlite3.Connection, tag: str) -> Dict[str, int]:
    return dict(
        db.execute(
            "SELECT flow, sum(n) FROM tag_counts WHERE tag = ? GROUP BY flow", (tag,)
        ).fetchall()
    )


def owners(db: sqlite3.Connection, flow: str) -> List[str]:
    """The owner namespaces (`tags.OWNER_PREFIXES`) holding runs of `flow`."""
    prefix_test = " OR ".join("substr(tag, 1, ?) = ?" for _ in OWNER_PREFIXES)
    params: List[Any] = [flow]
    for prefix in OWNER_PREFIXES:
        params += [len(prefix), prefix]
    rows = db.execute(
        "SELECT DISTINCT tag FROM tag_counts WHERE flow = ? AND system = 1 "
        f"AND ({prefix_test}) ORDER BY tag",
        params,
    ).fetchall()
    return [r[0] for r in rows]


def unfinished_runs(db: sqlite3.Connection, limit: int) -> List[RunRow]:
    """The newest runs whose details say running (they may finish any moment)."""
    rows = db.execute(
        f"SELECT {RUN_COLUMNS} FROM runs WHERE details_final = 0 AND status = 'running' "
        "ORDER BY created_at DESC LIMIT ?",
        (limit,),
    )
    return [RunRow._make(row) for row in rows]
