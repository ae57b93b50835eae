"""The index file: where it lives, its tables, and one SQLite connection per thread.

The index is a cache: it lives outside the project (`~/.cache/jupyter_mfns/` by default), can be
deleted at any time and rebuilds itself from the store. A file of another schema version or of
another store, or one that is not a database at all, is deleted and built anew.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from pathlib import Path
from typing import Iterator, Optional, Tuple

SCHEMA_VERSION = "5"

# run_results holds what a run's RUN answer adds from its datastore (parameters, failure) as
# JSON; run_params one row per decoded parameter value, its sort group and comparable value
# (`results/where.py`), indexed for both sort directions with ties newest first.
# run_tags is keyed in listing order, so one B-tree serves "runs carrying tag T, newest first"
# and "does run R carry tag T" alike. tag_counts and flow_counts are kept by the writer (one
# batched upsert per transaction; per-row triggers cost more than the inserts at 100k runs).
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs(
    flow TEXT NOT NULL, run_id TEXT NOT NULL, user TEXT, created_at INTEGER NOT NULL,
    tags TEXT NOT NULL, system_tags TEXT NOT NULL, token TEXT NOT NULL,
    status TEXT, finished_at INTEGER, origin_run_id TEXT,
    details_final INTEGER NOT NULL DEFAULT 0, details_at REAL,
    PRIMARY KEY(flow, run_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS runs_order ON runs(flow, created_at DESC, run_id DESC);
CREATE INDEX IF NOT EXISTS runs_running ON runs(created_at)
    WHERE status = 'running' AND details_final = 0;
CREATE TABLE IF NOT EXISTS run_tags(
    tag TEXT NOT NULL, flow TEXT NOT NULL, created_at INTEGER NOT NULL, run_id TEXT NOT NULL,
    system INTEGER NOT NULL,
    PRIMARY KEY(tag, flow, created_at, run_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tag_counts(
    tag TEXT NOT NULL, flow TEXT NOT NULL, system INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY(tag, flow, system)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS flow_counts(flow TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS run_results(
    flow TEXT NOT NULL, run_id TEXT NOT NULL, parameters TEXT, failure TEXT,
    failure_final INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY(flow, run_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS run_params(
    flow TEXT NOT NULL, run_id TEXT NOT NULL, name TEXT NOT NULL, grp INTEGER NOT NULL, v,
    created_at INTEGER NOT NULL,
    PRIMARY KEY(flow, run_id, name)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS run_params_up
    ON run_params(flow, name, grp, v, created_at DESC, run_id DESC);
CREATE INDEX IF NOT EXISTS run_params_down ON run_params(flow, name, grp, v, created_at, run_id);
"""


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "jupyter_mfns"


def index_path_for(identity: str, cache_dir: Optional[os.PathLike | str] = None) -> Path:
    """Where the index of the store named `identity` lives."""
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:20]
    return Path(cache_dir or default_cache_dir()) / f"index-{digest}.sqlite"


class IndexFile:
    """The SQLite file of one store's index; each thread gets its own connection."""

    def __init__(self, path: os.PathLike | str, identity: str) -> None:
        self.path = Path(path)
        self.identity = identity
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA temp_store=MEMORY")
        return conn

    @property
    def db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    def open(self) -> Iterator[Tuple[str, str, str]]:
        """Create or check the tables, then list (flow, run_id, token) of every indexed run.

        A foreign, corrupt or outdated file is deleted and rebuilt (then nothing is listed).
        """
        try:
            self._init_schema()
        except sqlite3.DatabaseError:
            self.close()
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.unlink(str(self.path) + suffix)
                except FileNotFoundError:
                    pass
            self._init_schema()
        return iter(self.db.execute("SELECT flow, run_id, token FROM runs").fetchall())

    def _init_schema(self) -> None:
        db = self.db
        db.executescript(_SCHEMA)
        rows = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if rows.get("schema") != SCHEMA_VERSION or rows.get("identity") != self.identity:
            if rows:
                raise sqlite3.DatabaseError("index from another schema or store")
            db.executemany(
                "INSERT INTO meta VALUES(?, ?)",
                [("schema", SCHEMA_VERSION), ("identity", self.identity)],
            )
            db.commit()

    def close(self) -> None:
        """Close this thread's connection (others close with their threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
