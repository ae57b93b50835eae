"""The Catalog's room for what runs hold: their DAG and their tasks (the timeline)."""

from __future__ import annotations

from typing import List, Optional, Tuple

from ..errors import InvalidArgument
from ..index.cursor import decode_position, encode_position
from ..limits import MAX_TASK_PAGE
from ..model import DagJSON, TasksPageJSON
from ..objects import ObjectQueries
from ..parts import Parts, Room
from ..pathspec import parse_pathspec
from ..store.base import RunDetails, RunRecord, TaskRecord
from .dag import dag_steps, endpoints, graph_steps
from .params import graph_info
from .tasks import after_position, position, timeline_json


class ResultsQueries(Room):
    """`GET dag` and `GET tasks` of a run, namespace-checked like every object."""

    def __init__(self, parts: Parts, objects: ObjectQueries) -> None:
        super().__init__(parts)
        self.objects = objects
        self.cache = parts.results

    def _run(self, pathspec: str, ns: Optional[str]) -> Tuple[RunRecord, RunDetails]:
        ps = parse_pathspec(pathspec, min_depth=2, max_depth=2, what="run pathspec")
        rec = self.objects.run_in_namespace(ps, ns)
        row = self.index.run_row(rec.flow, rec.run_id)
        return rec, self.parts.details.of_run(rec.flow, rec.run_id, row)

    def _tasks(
        self, rec: RunRecord, details: RunDetails
    ) -> Tuple[Optional[dict], List[str], List[TaskRecord]]:
        graph, _ = graph_info(self.store, self.cache.values, rec.flow, rec.run_id)
        executed = [s.name for s in self.store.steps(rec.flow, rec.run_id)] if graph is None else []
        names = list(graph_steps(graph)) or executed
        tasks = self.cache.tasks.run_tasks(rec.flow, rec.run_id, names, details.final)
        return graph, executed, tasks

    def dag(self, pathspec: str, ns: Optional[str]) -> DagJSON:
        """The run's steps from its `_graph_info`, each with status, task count and times."""
        rec, details = self._run(pathspec, ns)
        graph, executed, tasks = self._tasks(rec, details)
        start, end = endpoints(graph)
        return DagJSON(
            pathspec=f"{rec.flow}/{rec.run_id}",
            namespace=ns,
            start_step=start,
            end_step=end,
            steps=dag_steps(graph, tasks, executed),
        )

    def tasks(
        self, pathspec: str, ns: Optional[str], limit: int, cursor: Optional[str]
    ) -> TasksPageJSON:
        """Every task of the run by start time, `limit` at a time."""
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_TASK_PAGE:
            raise InvalidArgument(f"limit must be an integer from 1 to {MAX_TASK_PAGE}.")
        after = None
        if cursor:
            after = decode_position(cursor)
            if len(after) != 4:
                raise InvalidArgument(
                    "The cursor is not one this server handed out; restart paging."
                )
        rec, details = self._run(pathspec, ns)
        _, _, tasks = self._tasks(rec, details)
        start = after_position(tasks, after)
        page = tasks[start : start + limit]
        more = start + limit < len(tasks)
        return TasksPageJSON(
            pathspec=f"{rec.flow}/{rec.run_id}",
            namespace=ns,
            tasks=[timeline_json(rec, t) for t in page],
            total=len(tasks),
            next_cursor=encode_position(position(page[-1])) if more and page else None,
            finished=details.status in ("succeeded", "failed"),
        )
