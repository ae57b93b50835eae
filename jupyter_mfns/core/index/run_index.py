"""A SQLite index of run rows, so namespace and tag queries over 100k runs take milliseconds.

It is refreshed incrementally: the store reports which runs changed since the change tokens
held here, and only those rows are rewritten. The tokens live in the file; a copy is kept in
memory only when asked (`keep_tokens`: a refresh that rescans every second reads them all each
time), as 1M runs' tokens would cost about 180 MB there.
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
#: a flow's floor when no run of it misses its parameters
_NOTHING_MISSING = (-1, "")


class RunIndex:
    """SQLite tables of runs and their tags for one store, plus in-memory change tokens."""

    def __init__(self, path: os.PathLike | str, identity: str, *, keep_tokens: bool = True) -> None:
        self.file = IndexFile(path, identity)
        self.path: Path = self.file.path
        self.identity = identity
        self._write_lock = threading.RLock()
        #: flow -> run id -> token, for every indexed run when `keep_tokens`, else None
        self._tokens: Optional[Dict[str, Dict[str, str]]] = {} if keep_tokens else None
        #: bumped on every change, so callers can cache derived answers
        self.generation = 0
        #: per flow, bumped when runs' parameters are written (answers filtered by them)
        self.params_generation: Dict[str, int] = {}
        #: flow -> (generation, connection, its data_version, newest run missing parameters)
        self._missing_floor: Dict[str, Tuple[int, sqlite3.Connection, int, Tuple[int, str]]] = {}
        self.file.open()
        self._flows = set(queries.indexed_flows(self.db))
        if self._tokens is not None:
            for flow, run_id, token in queries.all_tokens(self.db):
                self._tokens.setdefault(flow, {})[run_id] = token

    @property
    def db(self) -> sqlite3.Connection:
        return self.file.db

    def close(self) -> None:
        self.file.close()

    # -- writes ------------------------------------------------------------------------------
    def known_flows(self) -> List[str]:
        return sorted(self._flows)

    def tokens(self, flow: str) -> Mapping[str, str]:
        """Run id -> change token of every indexed run of `flow` (the caller must not keep a
        reference it expects to stay current)."""
        if self._tokens is not None:
            return self._tokens.get(flow, {})
        return queries.flow_tokens(self.db, flow)

    def token(self, flow: str, run_id: str) -> Optional[str]:
        if self._tokens is not None:
            return self._tokens.get(flow, {}).get(run_id)
        return queries.run_token(self.db, flow, run_id)

    def tokens_of(self, flow: str, run_ids: Sequence[str]) -> Dict[str, str]:
        """run_id -> token of those of `run_ids` that are indexed."""
        if self._tokens is not None:
            known = self._tokens.get(flow, {})
            return {r: known[r] for r in run_ids if r in known}
        return queries.tokens_of(self.db, flow, run_ids)

    def run_ids_between(self, flow: str, above: Optional[int], below: Optional[int]) -> List[str]:
        """Runs of `flow` created strictly between two times (epoch ms; None: unbounded)."""
        return queries.run_ids_between(self.db, flow, above, below)

    def has_runs(self, flow: str) -> bool:
        if self._tokens is not None:
            return bool(self._tokens.get(flow))
        return queries.count_runs(self.db, flow, []) > 0

    def apply(self, flow: str, scan: ScanResult) -> Written:
        """Write a flow's scan result in one transaction; true when anything changed."""
        if not scan.upserts and not scan.removed:
            self._flows.add(flow)
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
            self._flows.add(flow)
            if self._tokens is not None:
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
            self._flows.discard(flow)
            if self._tokens is not None:
                self._tokens.pop(flow, None)
            self.generation += 1

    def upsert(self, rec: RunRecord) -> Written:
        """Write one run read fresh from the store (after a tag change or a direct lookup)."""
        if self.token(rec.flow, rec.run_id) == rec.token:
            return Written()
        with self._write_lock:
            db = self.db
            with db:
                written = writes.write_runs(db, rec.flow, [rec], [])
            self._flows.add(rec.flow)
            if self._tokens is not None:
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
            self.params_generation[flow] = self.params_generation.get(flow, 0) + 1

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
        """Runs whose parameters were never read, newest first.

        The fill reads them newest first, so each call would walk past every run filled
        before it (quadratic over 1M runs): the newest missing run found is remembered, and
        while nothing but parameters was written since (by this process: its generation; by
        other connections, kernels too: the connection's `data_version`), no run above it
        can be missing (reading parameters only shrinks the set)."""
        db = self.db
        stamp = (self.generation, db, db.execute("PRAGMA data_version").fetchone()[0])
        floor = self._missing_floor.get(flow)
        at_most = floor[3] if floor is not None and floor[:3] == stamp else None
        if at_most == _NOTHING_MISSING:
            return []
        rows = params.missing_parameters(db, flow, limit, at_most)
        newest = (rows[0][1], rows[0][0]) if rows else _NOTHING_MISSING
        self._missing_floor[flow] = (*stamp, newest)
        return rows

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
