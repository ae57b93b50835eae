"""Runs of a flow in a namespace: pages, the latest run, and the cold-start answer.

Members and order are `Flow(flow).runs(*tags)`'s in Metaflow's namespace: runs carrying the
namespace tag and every tag asked for, newest first. Pages come from the index; while the
index of a new store is still being built, from one listing of the flow instead.
"""

from __future__ import annotations

import threading
import time
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from .errors import InvalidArgument, NamespaceMismatch, NoRun, NotFound
from .index import RunRow, decode_cursor, encode_cursor
from .index.cursor import decode_position, encode_position
from .index.params import SortAfter
from .limits import MAX_PAGE
from .model import RunJSON, RunPageJSON
from .parts import Parts, Room
from .pathspec import check_flow_name
from .results.where import DEFAULT_SORT, Condition, Sort, parse_conditions, parse_sort
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
        where: Sequence[str] = (),
        sort: Optional[str] = None,
    ) -> RunPageJSON:
        """Same members and order as `Flow(flow).runs(*tags)` in namespace `ns`, one page;
        with `where`, only runs whose parameters match every expression, and with `sort`, in
        another order (see `results/where.py` for both)."""
        flow = check_flow_name(flow)
        tag_list = tags_arg(tags)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE:
            raise InvalidArgument(f"limit must be an integer from 1 to {MAX_PAGE}.")
        conds = parse_conditions([where] if isinstance(where, str) else list(where))
        order = parse_sort(sort)
        if conds or order.text != DEFAULT_SORT:
            return self._runs_by_parameters(flow, ns, tag_list, limit, cursor, conds, order)
        after = decode_cursor(cursor) if cursor else None
        refresher = self.refresher
        if self._from_scratch and refresher.in_background and not refresher.has_refreshed:
            return self.runs_from_listing(flow, ns, tag_list, limit, after)
        filters = self._filters(flow, ns, tag_list)
        rows = self.index.query_runs(flow, filters, limit + 1, after)
        more = len(rows) > limit
        rows = rows[:limit]
        return RunPageJSON(
            namespace=ns,
            flow=flow,
            tags=tag_list,
            where=[],
            sort=DEFAULT_SORT,
            runs=self._page(flow, rows),
            total=self.parts.derived.get(
                ("total", flow, tuple(sorted(set(filters)))),
                lambda: self.index.count_runs(flow, filters),
            ),
            next_cursor=encode_cursor(*rows[-1].key) if more and rows else None,
        )

    def _filters(self, flow: str, ns: Optional[str], tag_list: List[str]) -> List[str]:
        """The tags a page's runs must carry (the namespace's too), on a fresh index."""
        refresher = self.refresher
        self._listings.clear()  # the index is built: listings are never read again
        refresher.fresh()
        self.require_flow(flow)
        if ns is not None and self.index.count_runs(flow, [ns]) == 0:
            # a run just started may not be indexed yet: refuse only on fresh data
            refresher.refresh()
        if ns is not None and self.index.count_runs(flow, [ns]) == 0:
            # like `Flow(flow)` in Metaflow: a flow is in a namespace only through its runs
            raise NamespaceMismatch(flow, ns, self.index.owners(flow))
        return tag_list + ([ns] if ns is not None else [])

    def _page(self, flow: str, rows: Sequence[RunRow]) -> List[RunJSON]:
        details = self.parts.details.of_page(rows)
        records = [row.record() for row in rows]
        extras = self.parts.results.of_runs(flow, list(zip(records, details)))
        return [run_json(r, d, e) for r, d, e in zip(records, details, extras)]

    def _runs_by_parameters(
        self,
        flow: str,
        ns: Optional[str],
        tag_list: List[str],
        limit: int,
        cursor: Optional[str],
        conds: List[Condition],
        order: Sort,
    ) -> RunPageJSON:
        """A page filtered by `where` or sorted otherwise than newest first: from the index,
        once every run of the flow has its parameters indexed."""
        filters = self._filters(flow, ns, tag_list)
        self.parts.results.fill_flow(flow)
        next_cursor: Optional[str] = None
        if order.param is None:
            after = decode_cursor(cursor) if cursor else None
            rows = self.index.query_filtered(
                flow, filters, conds, limit + 1, after, ascending=not order.descending
            )
            if len(rows) > limit:
                rows = rows[:limit]
                next_cursor = encode_cursor(*rows[-1].key)
        else:
            position = self._sort_position(cursor, order)
            found = self.index.query_by_parameter(
                flow, filters, conds, order.param, order.descending, limit + 1, position
            )
            rows = [row for row, _, _ in found[:limit]]
            if len(found) > limit:
                last, group, value = found[limit - 1]
                next_cursor = encode_position([order.text, group, value, *last.key])
        key = ("total", flow, tuple(sorted(set(filters))), tuple(sorted(c.text for c in conds)))
        return RunPageJSON(
            namespace=ns,
            flow=flow,
            tags=tag_list,
            where=[c.text for c in conds],
            sort=order.text,
            runs=self._page(flow, rows),
            total=self.parts.derived.get(
                key, lambda: self.index.count_filtered(flow, filters, conds)
            ),
            next_cursor=next_cursor,
        )

    @staticmethod
    def _sort_position(cursor: Optional[str], order: Sort) -> Optional[SortAfter]:
        if not cursor:
            return None
        position = decode_position(cursor)
        if len(position) != 5 or position[0] != order.text:
            raise InvalidArgument(
                "The cursor belongs to another sort order; restart paging from the first page."
            )
        _, group, value, created_at, run_id = position
        if not isinstance(group, int) or not isinstance(created_at, int):
            raise InvalidArgument("The cursor is not one this server handed out; restart paging.")
        return (group, value, created_at, str(run_id))

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
        extras = self.parts.results.of_runs(flow, [(r, details[r.run_id]) for r in page])
        more = len(matching) > limit
        return RunPageJSON(
            namespace=ns,
            flow=flow,
            tags=tag_list,
            where=[],
            sort=DEFAULT_SORT,
            runs=[run_json(r, details[r.run_id], e) for r, e in zip(page, extras)],
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

    def iter_runs(
        self,
        flow: str,
        ns: Optional[str],
        tags: TagsArg = (),
        where: Sequence[str] = (),
        sort: Optional[str] = None,
    ) -> Iterator[RunJSON]:
        """Every matching run, newest first (or in `sort` order), page by page."""
        cursor = None
        while True:
            page = self.runs(flow, ns, tags, ITER_PAGE, cursor, where, sort)
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
        if not self.index.tokens(flow) and flow not in self.store.flows():
            raise NotFound(f"Flow {flow} does not exist in this Metaflow store.")
