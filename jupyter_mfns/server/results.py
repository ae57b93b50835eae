"""Routes of what a run holds: its DAG and its tasks (the timeline). Parameters and failures
travel in RUN answers (`runs`, `object`); `runs?where=&sort=` is in `browse.py`."""

from __future__ import annotations

from typing import List, Type

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..core.errors import InvalidArgument
from ..core.limits import DEFAULT_TASK_PAGE, MAX_CURSOR_LENGTH, MAX_TASK_PAGE
from .base import MfnsHandler

RUN_PATHSPEC = "a run pathspec like 'Flow/Run'"


class DagHandler(MfnsHandler):
    """`GET dag?pathspec=F/R&namespace=`: the run's steps with status, tasks and times."""

    route = "dag"
    accepted = ("pathspec", "namespace")

    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.query()
        await self.answer(self.catalog.dag, q.text("pathspec", RUN_PATHSPEC), q.namespace())


class TasksHandler(MfnsHandler):
    """`GET tasks?pathspec=F/R&namespace=&limit=&cursor=`: every task of the run, paged."""

    route = "tasks"
    accepted = ("pathspec", "namespace", "limit", "cursor")

    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.query()
        pathspec = q.text("pathspec", RUN_PATHSPEC)
        limit = q.integer("limit", default=DEFAULT_TASK_PAGE, minimum=1, maximum=MAX_TASK_PAGE)
        cursor = q.one("cursor") or None
        if cursor is not None and len(cursor) > MAX_CURSOR_LENGTH:
            raise InvalidArgument("The cursor is not one this server handed out; restart paging.")
        await self.answer(self.catalog.tasks, pathspec, q.namespace(), limit=limit, cursor=cursor)


ROUTES: List[Type[MfnsHandler]] = [DagHandler, TasksHandler]
