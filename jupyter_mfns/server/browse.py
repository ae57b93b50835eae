"""Routes of the navigator: namespaces, flows, runs pages, the latest run, single objects."""

from __future__ import annotations

from typing import Any, List, Tuple, Type

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..core.errors import InvalidArgument
from ..core.limits import MAX_CURSOR_LENGTH
from .base import MfnsHandler
from .params import Query


class NamespacesHandler(MfnsHandler):
    """`GET namespaces`: every namespace present in the store, and the default one."""

    route = "namespaces"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.query()
        await self.answer(self.catalog.namespaces)


class FlowsHandler(MfnsHandler):
    """`GET flows?namespace=`: flows with a run in the namespace."""

    route = "flows"
    accepted = ("namespace",)

    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.query()
        await self.answer(self.catalog.flows, q.namespace())


def _run_filters(q: Query) -> Tuple[str, Any, List[str]]:
    return q.text("flow", "a flow name"), q.namespace(), q.tags()


class RunsHandler(MfnsHandler):
    """`GET runs?flow=&namespace=&tag=&limit=&cursor=&where=&sort=`: `Flow(F).runs(*tags)`,
    one page; `where` filters by parameters (repeated: ANDed), `sort` orders otherwise."""

    route = "runs"
    accepted = ("flow", "namespace", "tag", "limit", "cursor", "where", "sort")

    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.query()
        flow, namespace, tags = _run_filters(q)
        limit = q.integer(
            "limit",
            default=self.limits.default_page_size,
            minimum=1,
            maximum=self.limits.max_page_size,
        )
        cursor = q.one("cursor") or None
        if cursor is not None and len(cursor) > MAX_CURSOR_LENGTH:
            raise InvalidArgument("The cursor is not one this server handed out; restart paging.")
        where = q.values("where")
        sort = q.one("sort") or None
        await self.answer(
            self.catalog.runs,
            flow,
            namespace,
            tags,
            limit=limit,
            cursor=cursor,
            where=where,
            sort=sort,
        )


class LatestRunHandler(MfnsHandler):
    """`GET runs/latest?flow=&namespace=&tag=&successful=`: `latest_(successful_)run`."""

    route = "runs/latest"
    accepted = ("flow", "namespace", "tag", "successful")

    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.query()
        flow, namespace, tags = _run_filters(q)
        successful = q.boolean("successful", default=False)
        await self.answer(self.catalog.latest_run, flow, namespace, tags, successful=successful)


class ObjectHandler(MfnsHandler):
    """`GET object?pathspec=&namespace=`: a flow, run, step or task with its children."""

    route = "object"
    accepted = ("pathspec", "namespace")

    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.query()
        pathspec = q.text("pathspec", "a pathspec like 'Flow/Run/Step/Task'")
        await self.answer(self.catalog.get_object, pathspec, q.namespace())


ROUTES: List[Type[MfnsHandler]] = [
    NamespacesHandler,
    FlowsHandler,
    RunsHandler,
    LatestRunHandler,
    ObjectHandler,
]
