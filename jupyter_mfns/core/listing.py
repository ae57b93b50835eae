"""Runs of a flow in a namespace: pages, the latest run, and the cold-start answer.

Members and order are `Flow(flow).runs(*tags)`'s in Metaflow's namespace: runs carrying the
namespace tag and every tag asked for, newest first. Pages come from the index; while the
index of a new store is still being built, from one listing of the flow instead.
"""

from __future__ import annotations

import threading
import time
from typing import Dict, Iterable, Iterator, List, Optional, Tuple, Union

from .errors import InvalidArgument, NamespaceMismatch, NoRun, NotFound
from .index import decode_cursor, encode_cursor
from .limits import MAX_PAGE
from .model import RunJSON, RunPageJSON
from .parts import Parts, Room
from .pathspec import check_flow_name
from .shapes import run_json
from .store.base import RunRecord
from .tags import owner_namespaces, validate_tag, validate_tag_list

TagsArg = Union[str, Iterable[str], None]
#: runs per page when iterating every run
ITER_PAGE = 200


def tags_arg(tags: TagsArg) -> List[str]:
    """A tag filter as given by a caller (one tag, several, or none), validated."""
    if tags is None:
        return []
    if isinstance(tags, str):
        return [validate_tag(tags)]
    return validate_tag_list(list(tags), "tag")


class RunListing(Room):
    """Runs pages of one store, over its index."""

    def __init__(self, parts: Parts) -> None:
        super().__init__(parts)
        #: an empty index is built from scratch: until then, runs() answers from a listing
        self._from_scratch = not self.index.known_flows()
        self._listings: Dict[str, Tuple[float, List[RunRecord]]] = {}
        self._listing_lock = threading.Lock()

    def runs(
        self,
        flow: str,
        ns: Optional[str],
        tags: TagsArg = (),
        limit: int = 50,
        cursor: Optional[str] = None,
    ) -> RunPageJSON:
        """Same members and order as `Flow(flow).runs(*tags)` in namespace `ns`, one page."""
        flow = check_flow_name(flow)
        tag_list = tags_arg(tags)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE:
            raise InvalidArgument(f"limit must be an integer from 1 to {MAX_PAGE}.")
        after = decode_cursor(cursor) if cursor else None
        refresher = self.refresher
        if self._from_scratch and refresher.in_background and not refresher.has_refreshed:
            refresher.shown(flow, [])  # the detector keeps a close eye on this flow
            return self.runs_from_listing(flow, ns, tag_list, limit, after)
        self._listings.clear()  # the index is built: listings are never read again
        refresher.fresh(flow)
        self.require_flow(flow)
        if ns is not None and self.index.count_runs(flow, [ns]) == 0:
            # a run just started may not be indexed yet: refuse only on fresh data
            refresher.catch_up(force=True, flow=flow)
        if ns is not None and self.index.count_runs(flow, [ns]) == 0:
            # like `Flow(flow)` in Metaflow: a flow is in a namespace only through its runs
            raise NamespaceMismatch(flow, ns, self.index.owners(flow))
        filters = tag_list + ([ns] if ns is not None else [])
        rows = self.index.query_runs(flow, filters, limit + 1, after)
        more = len(rows) > limit
        rows = rows[:limit]
        runs = [run_json(row.record(), d) for row, d in zip(rows, self.parts.details.of_page(rows))]
        refresher.shown(flow, [row.run_id for row in rows])
        return RunPageJSON(
            namespace=ns,
            flow=flow,
            tags=tag_list,
            runs=runs,
            total=self.parts.derived.get(
                ("total", flow, tuple(sorted(set(filters)))),
                lambda: self.index.count_runs(flow, filters),
            ),
            next_cursor=encode_cursor(*rows[-1].key) if more and rows else None,
        )

    def runs_from_listing(
        self,
        flow: str,
        ns: Optional[str],
        tag_list: List[str],
        limit: int,
        after: Optional[Tuple[int, str]],
    ) -> RunPageJSON:
        """`runs()` while the index of a new store is being built: one listing of the flow,
        filtered and sorted here, as Metaflow's client does, so the first answer after a cold
        start costs what Metaflow's first listing costs rather than a whole index build."""
        self.require_flow(flow)
        records = self._listing(flow)
        if ns is not None and not any(ns in r.all_tags for r in records):
            owners = owner_namespaces(t for r in records for t in r.system_tags)
            raise NamespaceMismatch(flow, ns, owners)
        wanted = set(tag_list) | ({ns} if ns is not None else set())
        matching = sorted(
            (r for r in records if wanted <= r.all_tags),
            key=lambda r: (r.created_at, r.run_id),
            reverse=True,
        )
        total = len(matching)
        if after is not None:
            matching = [r for r in matching if (r.created_at, r.run_id) < after]
        page = matching[:limit]
        details = self.store.run_details_many(flow, [r.run_id for r in page])
        more = len(matching) > limit
        return RunPageJSON(
            namespace=ns,
            flow=flow,
            tags=tag_list,
            runs=[run_json(r, details[r.run_id]) for r in page],
            total=total,
            next_cursor=encode_cursor(page[-1].created_at, page[-1].run_id) if more else None,
        )

    def _listing(self, flow: str) -> List[RunRecord]:
        """Every readable run of `flow`, read at most once per refresh interval."""
        with self._listing_lock:
            cached = self._listings.get(flow)
            if (
                cached is not None
                and time.monotonic() - cached[0] < self.refresher.refresh_interval
            ):
                return cached[1]
            with self.refresher.cold_query():
                scan = self.store.scan_runs(flow, {})
            for run_id, why in scan.broken.items():
                self.refresher.note_broken(flow, run_id, why)
            self._listings[flow] = (time.monotonic(), scan.upserts)
            return scan.upserts

    def iter_runs(self, flow: str, ns: Optional[str], tags: TagsArg = ()) -> Iterator[RunJSON]:
        """Every matching run, newest first, page by page."""
        cursor = None
        while True:
            page = self.runs(flow, ns, tags, limit=ITER_PAGE, cursor=cursor)
            yield from page["runs"]
            cursor = page["next_cursor"]
            if cursor is None:
                return

    def latest_run(
        self, flow: str, ns: Optional[str], tags: TagsArg = (), successful: bool = False
    ) -> RunJSON:
        """`Flow(flow).latest_run` (or `latest_successful_run`) among runs carrying `tags`."""
        # small first page: the answer is usually among the newest runs, and every run on a
        # page gets its status computed
        cursor, limit = None, 1 if not successful else 20
        while True:
            page = self.runs(flow, ns, tags, limit=limit, cursor=cursor)
            for run in page["runs"]:
                if not successful or run["status"] == "succeeded":
                    return run
            cursor, limit = page["next_cursor"], ITER_PAGE
            if cursor is None:
                break
        what = "successful run" if successful else "run"
        where = f"namespace {ns!r}" if ns is not None else "the global namespace"
        tag_text = f" with tags {', '.join(tags_arg(tags))}" if tags else ""
        raise NoRun(f"{flow} has no {what}{tag_text} in {where}.")

    def require_flow(self, flow: str) -> None:
        if not self.index.has_runs(flow) and flow not in self.store.flows():
            raise NotFound(f"Flow {flow} does not exist in this Metaflow store.")
