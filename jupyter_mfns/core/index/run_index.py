"""A SQLite index of run rows, so namespace and tag queries over 100k runs take milliseconds.

It is refreshed incrementally: the store reports which runs changed since the change tokens
held here (in memory, loaded from the file at start), and only those rows are rewritten.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ..store.base import RunDetails, RunRecord, ScanResult
from . import params, queries, writes
from .rows import RunRow
from .schema import IndexFile
from .writes import Written

if TYPE_CHECKING:
    from ..results.where import Condition

#: runs written per batch inside a transaction (their tag rows are built in memory)
WRITE_BATCH = 2000


class RunIndex:
    """SQLite tables of runs and their tags for one store, plus in-memory change tokens."""

    def __init__(self, path: os.PathLike | str, identity: str) -> None:
        self.file = IndexFile(path, identity)
        self.path: Path = self.file.path
        self.identity = identity
        self._write_lock = threading.RLock()
        self._tokens: Dict[str, Dict[str, str]] = {}
        #: bumped on every change, so callers can cache derived answers
        self.generation = 0
        for flow, run_id, token in self.file.open():
            self._tokens.setdefault(flow, {})[run_id] = token

    @property
    def db(self) -> sqlite3.Connection:
        return self.file.db

    def close(self) -> None:
        self.file.close()

    # -- writes ------------------------------------------------------------------------------
    def known_flows(self) -> List[str]:
        return sorted(self._tokens)

    def tokens(self, flow: str) -> Mapping[str, str]:
        return self._tokens.get(flow, {})

    def apply(self, flow: str, scan: ScanResult) -> Written:
        """Write a flow's scan result in one transaction; true when anything changed."""
        if not scan.upserts and not scan.removed:
            self._tokens.setdefault(flow, {})
            return Written()
        written = Written()
        with self._write_lock:
            db = self.db
            # oldest first: tag rows then append at the end of each tag's range in the B-tree
            # instead of landing on random pages (a cold start writes 100k runs at once)
            upserts = sorted(scan.upserts, key=lambda r: (r.created_at, r.run_id))
            with db:  # one transaction, written in batches to bound memory on a cold start
                written.merge(writes.write_runs(db, flow, [], scan.removed))
                for i in range(0, len(upserts), WRITE_BATCH):
                    written.merge(writes.write_runs(db, flow, upserts[i : i + WRITE_BATCH], []))
            tokens = self._tokens.setdefault(flow, {})
            for run_id in scan.removed:
                tokens.pop(run_id, None)
            for rec in scan.upserts:
                tokens[rec.run_id] = rec.token
            self.generation += 1
        return written

    def drop_flow(self, flow: str) -> None:
        with self._write_lock:
            db = self.db
            with db:
                writes.drop_flow(db, flow)
            self._tokens.pop(flow, None)
            self.generation += 1

    def upsert(self, rec: RunRecord) -> Written:
        """Write one run read fresh from the store (after a tag change or a direct lookup)."""
        if self._tokens.get(rec.flow, {}).get(rec.run_id) == rec.token:
            return Written()
        with self._write_lock:
            db = self.db
            with db:
                written = writes.write_runs(db, rec.flow, [rec], [])
            self._tokens.setdefault(rec.flow, {})[rec.run_id] = rec.token
            self.generation += 1
        return written

    def set_details(self, flow: str, run_id: str, details: RunDetails) -> None:
        with self._write_lock:
            db = self.db
            with db:
                writes.write_details(db, flow, run_id, details)

    # -- reads -------------------------------------------------------------------------------
    def run_row(self, flow: str, run_id: str) -> Optional[RunRow]:
        return queries.run_row(self.db, flow, run_id)

    def query_runs(
        self,
        flow: str,
        tags: Sequence[str],
        limit: int,
        after: Optional[Tuple[int, str]] = None,
    ) -> List[RunRow]:
        """Runs of `flow` carrying every tag in `tags`, newest first, after a keyset cursor."""
        return queries.query_runs(self.db, flow, tags, limit, after)

    def count_runs(self, flow: str, tags: Sequence[str]) -> int:
        return queries.count_runs(self.db, flow, tags)

    def tag_counts(self) -> List[Tuple[str, str, int, int]]:
        """(tag, flow, system, runs) for every tag in the store."""
        return queries.tag_counts(self.db)

    def flow_counts(self) -> Dict[str, int]:
        return queries.flow_counts(self.db)

    def latest_in(self, flow: str, tag: Optional[str]) -> Optional[str]:
        """Run id of the newest run of `flow` carrying `tag` (any run when tag is None)."""
        rows = self.query_runs(flow, [tag] if tag else [], 1)
        return rows[0].run_id if rows else None

    def tags_of_runs_in(self, namespace: str, flow: Optional[str]) -> List[Tuple[str, int, int]]:
        """(tag, system, runs) over runs in `namespace` (optionally of one flow)."""
        return queries.tags_of_runs_in(self.db, namespace, flow)

    def flows_with_tag(self, tag: str) -> Dict[str, int]:
        return queries.flows_with_tag(self.db, tag)

    def owners(self, flow: str) -> List[str]:
        """user:/production: namespaces holding runs of `flow`."""
        return queries.owners(self.db, flow)

    def unfinished_runs(self, limit: int) -> List[RunRow]:
        """The newest runs last seen running."""
        return queries.unfinished_runs(self.db, limit)

    # -- parameters and failures (written by core/results) -----------------------------------
    def write_parameters(
        self, flow: str, items: Sequence[Tuple[str, int, Dict[str, Any], str]]
    ) -> None:
        """(run_id, created_at, decoded values, answer JSON) of runs whose parameters were read."""
        if not items:
            return
        with self._write_lock:
            db = self.db
            with db:
                params.write_parameters(db, flow, items)
            self.generation += 1

    def write_failure(self, flow: str, run_id: str, failure: str, final: bool) -> None:
        with self._write_lock:
            db = self.db
            with db:
                params.write_failure(db, flow, run_id, failure, final)

    def results_of(
        self, flow: str, run_ids: Sequence[str]
    ) -> Dict[str, Tuple[Optional[str], Optional[str], int]]:
        return params.results_of(self.db, flow, run_ids)

    def missing_parameters(self, flow: str, limit: int) -> List[Tuple[str, int]]:
        return params.missing_parameters(self.db, flow, limit)

    def query_filtered(
        self,
        flow: str,
        tags: Sequence[str],
        conds: Sequence[Condition],
        limit: int,
        after: Optional[Tuple[int, str]],
        ascending: bool = False,
    ) -> List[RunRow]:
        return params.query_filtered(self.db, flow, tags, conds, limit, after, ascending)

    def count_filtered(self, flow: str, tags: Sequence[str], conds: Sequence[Condition]) -> int:
        return params.count_filtered(self.db, flow, tags, conds)

    def query_by_parameter(
        self,
        flow: str,
        tags: Sequence[str],
        conds: Sequence[Condition],
        name: str,
        descending: bool,
        limit: int,
        after: Optional[params.SortAfter],
    ) -> List[params.Sorted]:
        return params.query_by_parameter(self.db, flow, tags, conds, name, descending, limit, after)
