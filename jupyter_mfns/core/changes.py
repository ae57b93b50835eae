"""What the index learned, as its readers hear it: `Change`s, and the rules that make them.

`Change("runs", flow)` when runs of a flow appear or disappear, `Change("run", flow, "F/R")`
when a run's tags (or status) change. The refresh room announces them to subscribers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Literal, Optional

from .index import Written
from .store.base import ScanResult

#: more changed runs of one flow in one write than this are announced as one `runs` change
MAX_RUN_CHANGES = 50


@dataclass(frozen=True)
class Change:
    """Something the index learned: the runs of `flow` (`runs`) or one run (`run`, `F/R`)."""

    kind: Literal["runs", "run"]
    flow: str
    pathspec: Optional[str] = None


def changes_of(flow: str, written: Written) -> List[Change]:
    """The changes a write to the index of `flow` means to a reader."""
    many = len(written.changed) > MAX_RUN_CHANGES
    out = [Change("runs", flow)] if written.added or written.removed or many else []
    if not many:
        out += [Change("run", flow, f"{flow}/{run_id}") for run_id in written.changed]
    return out


def moved_since(known: Dict[str, str], scan: ScanResult, written: Written) -> Written:
    """What a scan changed for this process's readers, also when the index file already held it.

    The index file is shared by every process reading the store (the server and its kernels):
    a kernel's `%mfns tag` writes the run's new tags there first, so the server's own write finds
    nothing different. Its tokens (`known`, what this process last read) still tell: a listed run
    whose token moved has changed, a run it did not know is new.
    """
    added = set(written.added)
    changed = set(written.changed)
    for rec in scan.upserts:
        if rec.run_id not in known and rec.run_id not in added:
            written.added.append(rec.run_id)
        elif rec.run_id in known and rec.run_id not in changed and rec.run_id not in added:
            written.changed.append(rec.run_id)
    return written
