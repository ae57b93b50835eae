"""Listing the runs of one flow folder of a local store, in parts, with little memory per run.

A cold start lists a whole flow twice over: once for the first answer (kept until the index is
built) and once, in parts, for the index. At 1M runs a listing holds 580k records, so what each
record costs is what the cold start costs: the user, tag and system-tag values of runs repeat
(a few hundred distinct tag sets among 100k runs), and `SharedValues` gives every record the one
copy of each, instead of the strings and tuples freshly decoded from its `_self.json`.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Iterator, Mapping, Optional, Tuple

from .base import RunRecord, ScanResult
from .local_files import META, SELF, read_json
from .rules import MetadataError, run_record_from_json

#: runs per part of a scan
SCAN_CHUNK = 5000
#: distinct values a scan shares at most (values past it are kept as read)
SHARED_CAP = 50_000
_STAT_DIR_FD = os.stat in os.supports_dir_fd


class SharedValues:
    """One copy of each equal string or tuple of strings seen in a scan (up to a cap)."""

    def __init__(self, cap: int = SHARED_CAP) -> None:
        self._values: Dict[Any, Any] = {}
        self._cap = cap

    def text(self, value: Optional[str]) -> Optional[str]:
        if value is None:
            return None
        found = self._values.get(value)
        if found is not None:
            return found  # type: ignore[no-any-return]
        if len(self._values) < self._cap:
            self._values[value] = value
        return value

    def texts(self, value: Tuple[str, ...]) -> Tuple[str, ...]:
        found = self._values.get(value)
        if found is not None:
            return found  # type: ignore[no-any-return]
        if len(self._values) >= self._cap:
            return value
        shared = tuple(self.text(v) or v for v in value)
        self._values[shared] = shared
        return shared

    def record(self, rec: RunRecord) -> RunRecord:
        """`rec`, made of shared values; set in place (cheaper than a second record per run)
        while the record is new and nobody else holds it."""
        setattr_ = object.__setattr__  # the record is frozen for its readers, not its maker
        setattr_(rec, "user", self.text(rec.user))
        setattr_(rec, "tags", self.texts(rec.tags))
        setattr_(rec, "system_tags", self.texts(rec.system_tags))
        return rec


def scan_flow_folder(
    flow: str, flow_dir: str, known: Mapping[str, str], chunk: int = SCAN_CHUNK
) -> Iterator[ScanResult]:
    """The runs of `flow_dir` new or changed against `known`, in parts of `chunk` listed runs
    (the last part holds `removed`); see `Store.scan_runs_iter`."""
    try:
        entries = os.scandir(flow_dir)
    except FileNotFoundError:
        yield ScanResult(removed=list(known))
        return
    try:
        dir_fd = os.open(flow_dir, os.O_RDONLY) if _STAT_DIR_FD else None
    except OSError:
        dir_fd = None
    # one stat per run: this loop is the whole cost of a refresh with nothing new; a stat
    # relative to the flow folder resolves 3 path components instead of the full path
    suffix = os.sep + META + os.sep + SELF
    stat = os.stat
    shared = SharedValues()
    seen_known: set = set()  # only runs in `known` can be removed: a cold start keeps none
    part = ScanResult()
    try:
        with entries:
            for e in entries:
                name = e.name
                if name in ("data", META) or name.startswith("."):
                    continue
                try:
                    if dir_fd is None:
                        st = stat(e.path + suffix)
                    else:
                        st = stat(name + suffix, dir_fd=dir_fd)
                except (FileNotFoundError, NotADirectoryError):
                    continue  # a run being created, or not a run folder at all
                token = f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"  # as local_files.token
                old = known.get(name)
                if old is not None:
                    seen_known.add(name)
                part.tokens[name] = token
                if old != token:
                    try:
                        obj = read_json(e.path + suffix)
                        rec = run_record_from_json(flow, name, obj, token)
                        part.upserts.append(shared.record(rec))
                    except (MetadataError, OSError) as exc:
                        part.broken[name] = str(exc)
                        del part.tokens[name]
                        seen_known.discard(name)
                if len(part.tokens) + len(part.broken) >= chunk:
                    yield part
                    part = ScanResult()
    finally:
        if dir_fd is not None:
            os.close(dir_fd)
    part.removed = [r for r in known if r not in seen_known]
    yield part
