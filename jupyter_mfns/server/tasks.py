"""Routes of a task: its logs (tail, windows, grep) and its artifacts (never unpickled)."""

from __future__ import annotations

from typing import List, Type

from jupyter_server.auth.decorator import authorized
from tornado import web

from .base import MfnsHandler

#: the largest line number a `from` may name (nine digits: the query parser's bound)
MAX_LINE_NUMBER = 999_999_999


class LogsHandler(MfnsHandler):
    """`GET logs?pathspec=F/R/S/T&stream=&namespace=`: the last `tail` lines (by default the
    last max_log_tail), or a selection by `grep=TEXT[&grep_case=0]`, `from=N`, `tail`, `count`
    (see `core/logs.py`); never more than max_log_tail lines."""

    route = "logs"
    accepted = ("pathspec", "stream", "namespace", "tail", "from", "count", "grep", "grep_case")

    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.query()
        pathspec = q.text("pathspec", "a task pathspec like 'Flow/Run/Step/Task'")
        stream = q.choice("stream", ("stdout", "stderr"), default="stdout")
        maximum = self.limits.max_log_tail
        start = q.integer("from", default=None, minimum=1, maximum=MAX_LINE_NUMBER)
        count = q.integer("count", default=None, minimum=1, maximum=maximum)
        grep = q.one("grep")
        grep_case = q.boolean("grep_case", default=True)
        selects = start is not None or count is not None or grep is not None
        tail = q.integer("tail", default=None if selects else maximum, minimum=0, maximum=maximum)
        if selects and tail is None and count is None:
            count = maximum
        await self.answer(
            self.catalog.logs,
            pathspec,
            stream,
            q.namespace(),
            tail,
            start=start,
            count=count,
            grep=grep,
            grep_case=grep_case,
        )


class ArtifactsHandler(MfnsHandler):
    """`GET artifacts?pathspec=F/R/S/T&namespace=`: names, types, sizes and load cells."""

    route = "artifacts"
    accepted = ("pathspec", "namespace")

    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.query()
        pathspec = q.text("pathspec", "a task pathspec like 'Flow/Run/Step/Task'")
        await self.answer(self.catalog.artifacts, pathspec, q.namespace())


ROUTES: List[Type[MfnsHandler]] = [LogsHandler, ArtifactsHandler]
