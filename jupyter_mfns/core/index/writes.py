"""Writing runs into the index: rows, their tag rows and the counts kept in step with them."""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from ..store.base import RunDetails, RunRecord
from .rows import json_list

#: tables of what runs hold in their datastore (parameters, failures), keyed by run
RESULT_TABLES = ("run_results", "run_params")
#: ids per `IN (...)` lookup, under SQLite's default limit of bound parameters
LOOKUP_CHUNK = 500

_Stored = Tuple[Optional[str], int, str, str]  # (user, created_at, tags, system_tags)
_TagRow = Tuple[str, str, int, str, int]  # (tag, flow, created_at, run_id, system)


@dataclass
class Written:
    """What one write did to a flow's runs; true when anything was written at all."""

    added: List[str] = field(default_factory=list)  # runs new to the index
    changed: List[str] = field(default_factory=list)  # user, time or tags differ from before
    removed: List[str] = field(default_factory=list)
    wrote: bool = False  # also true when only change tokens moved

    def __bool__(self) -> bool:
        return self.wrote

    def merge(self, other: Written) -> None:
        self.added += other.added
        self.changed += other.changed
        self.removed += other.removed
        self.wrote |= other.wrote


def tag_rows(tags: Sequence[str], system_tags: Sequence[str]) -> List[Tuple[str, int]]:
    """(tag, system) per distinct tag of a run; a tag that is both counts as a system tag."""
    system = dict.fromkeys(system_tags, 1)
    return [*system.items(), *((t, 0) for t in dict.fromkeys(tags) if t not in system)]


def _stored(db: sqlite3.Connection, flow: str, run_ids: Sequence[str]) -> Dict[str, _Stored]:
    """What the index holds of the runs among `run_ids` it already has.

    Read from the file rather than trusted from memory: another process may share it.
    """
    found: Dict[str, _Stored] = {}
    for i in range(0, len(run_ids), LOOKUP_CHUNK):
        chunk = run_ids[i : i + LOOKUP_CHUNK]
        marks = ",".join("?" * len(chunk))
        for run_id, user, created_at, tags, system_tags in db.execute(
            "SELECT run_id, user, created_at, tags, system_tags FROM runs "
            f"WHERE flow = ? AND run_id IN ({marks})",
            [flow, *chunk],
        ):
            found[run_id] = (user, created_at, tags, system_tags)
    return found


def write_runs(
    db: sqlite3.Connection, flow: str, upserts: Sequence[RunRecord], removed: Sequence[str]
) -> Written:
    """Delete `removed`, insert or update `upserts`, and keep the counts in step."""
    stored = _stored(db, flow, [r.run_id for r in upserts] + list(removed))
    written = Written(wrote=bool(upserts or removed))
    tag_del: List[_TagRow] = []
    tag_ins: List[_TagRow] = []

    def untag(run_id: str, old: _Stored) -> None:
        _, created_at, tags, system_tags = old
        for tag, system in tag_rows(json.loads(tags), json.loads(system_tags)):
            tag_del.append((tag, flow, created_at, run_id, system))

    run_del = []
    for run_id in removed:
        if run_id in stored:
            untag(run_id, stored[run_id])
            run_del.append((flow, run_id))
            written.removed.append(run_id)
    run_ins, run_upd = [], []
    for rec in upserts:
        tags_json, sys_json = json_list(rec.tags), json_list(rec.system_tags)
        old = stored.get(rec.run_id)
        if old is None:
            run_ins.append(
                (flow, rec.run_id, rec.user, rec.created_at, tags_json, sys_json, rec.token)
            )
            written.added.append(rec.run_id)
        else:
            run_upd.append(
                (rec.user, rec.created_at, tags_json, sys_json, rec.token, flow, rec.run_id)
            )
            if old[1:] == (rec.created_at, tags_json, sys_json):
                if old[0] != rec.user:
                    written.changed.append(rec.run_id)
                continue
            written.changed.append(rec.run_id)
            untag(rec.run_id, old)
        created_at, run_id = rec.created_at, rec.run_id
        tag_ins += [
            (t, flow, created_at, run_id, s) for t, s in tag_rows(rec.tags, rec.system_tags)
        ]
    counts = Counter((row[0], row[4]) for row in tag_ins)
    counts.subtract((row[0], row[4]) for row in tag_del)
    tag_ins.sort()  # key order: the B-tree is written front to back, not at random pages
    db.executemany(
        "DELETE FROM run_tags WHERE tag = ? AND flow = ? AND created_at = ? AND run_id = ?",
        [row[:4] for row in tag_del],
    )
    db.executemany("DELETE FROM runs WHERE flow = ? AND run_id = ?", run_del)
    for table in RESULT_TABLES:
        db.executemany(f"DELETE FROM {table} WHERE flow = ? AND run_id = ?", run_del)
    # Metaflow's local provider rewrites ts_epoch when it tags a run: keep run_params in order
    db.executemany(
        "UPDATE run_params SET created_at = ? WHERE flow = ? AND run_id = ? AND created_at != ?",
        [(row[1], row[5], row[6], row[1]) for row in run_upd],
    )
    db.executemany(
        "UPDATE runs SET user = ?, created_at = ?, tags = ?, system_tags = ?, token = ? "
        "WHERE flow = ? AND run_id = ?",
        run_upd,
    )
    db.executemany(
        "INSERT INTO runs(flow, run_id, user, created_at, tags, system_tags, token) "
        "VALUES(?, ?, ?, ?, ?, ?, ?)",
        run_ins,
    )
    db.executemany("INSERT INTO run_tags VALUES(?, ?, ?, ?, ?)", tag_ins)
    db.executemany(
        "INSERT INTO tag_counts VALUES(?, ?, ?, ?) ON CONFLICT(tag, flow, system) "
        "DO UPDATE SET n = n + excluded.n",
        [(tag, flow, system, n) for (tag, system), n in counts.items() if n],
    )
    db.execute("DELETE FROM tag_counts WHERE flow = ? AND n <= 0", (flow,))
    if run_ins or run_del:
        db.execute(
            "INSERT INTO flow_counts VALUES(?, ?) ON CONFLICT(flow) "
            "DO UPDATE SET n = n + excluded.n",
            (flow, len(run_ins) - len(run_del)),
        )
    return written


def drop_flow(db: sqlite3.Connection, flow: str) -> None:
    for table in ("run_tags", "runs", "tag_counts", "flow_counts", *RESULT_TABLES):
        db.execute(f"DELETE FROM {table} WHERE flow = ?", (flow,))


def write_details(db: sqlite3.Connection, flow: str, run_id: str, details: RunDetails) -> None:
    db.execute(
        "UPDATE runs SET status = ?, finished_at = ?, origin_run_id = ?, "
        "details_final = ?, details_at = ? WHERE flow = ? AND run_id = ?",
        (
            details.status,
            details.finished_at,
            details.origin_run_id,
            int(details.final),
            time.time(),
            flow,
            run_id,
        ),
    )
