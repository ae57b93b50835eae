"""Routes of a task: its logs (tail, windows, grep, the whole log as a file) and its artifacts
(never unpickled)."""

from __future__ import annotations

import asyncio
import re
import tempfile
from typing import List, Type

from jupyter_server.auth.decorator import authorized
from tornado import web

from .base import MfnsHandler

#: the largest line number a `from` may name (nine digits: the query parser's bound)
MAX_LINE_NUMBER = 999_999_999
#: an exported log stays in memory up to this size, beyond it in a temporary file
EXPORT_MEMORY = 8 << 20
#: bytes sent at a time when a log file is downloaded
DOWNLOAD_CHUNK = 256 << 10
TEXT = "text/plain; charset=utf-8"
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


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


class LogDownloadHandler(MfnsHandler):
    """`GET logs/download?pathspec=F/R/S/T&stream=&namespace=`: the whole log as a text file
    (`Content-Disposition: attachment`), equal to Metaflow's `Task.stdout` / `Task.stderr`.

    A browser follows this link itself, with Jupyter's cookie: like Jupyter's `/files/`
    downloads, such a request must carry the `_xsrf` value (token requests need not)."""

    route = "logs/download"
    accepted = ("pathspec", "stream", "namespace")

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.check_xsrf_cookie()
        q = self.query()
        pathspec = q.text("pathspec", "a task pathspec like 'Flow/Run/Step/Task'")
        stream = q.choice("stream", ("stdout", "stderr"), default="stdout")
        catalog = self.catalog
        with tempfile.SpooledTemporaryFile(max_size=EXPORT_MEMORY) as text:
            await asyncio.to_thread(catalog.export_log, pathspec, stream, text, q.namespace())
            size = text.tell()
            name = _UNSAFE_FILENAME.sub("_", f"{pathspec.replace('/', '-')}-{stream}")
            self.set_header("Content-Type", TEXT)
            self.set_header("Content-Disposition", f'attachment; filename="{name}.log"')
            self.set_header("X-Content-Type-Options", "nosniff")
            self.set_header("Content-Length", str(size))
            text.seek(0)
            while True:
                chunk = await asyncio.to_thread(text.read, DOWNLOAD_CHUNK)
                if not chunk:
                    break
                self.write(chunk)
                await self.flush()
        self.finish(set_content_type=TEXT)  # APIHandler.finish would say JSON (empty logs)


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


ROUTES: List[Type[MfnsHandler]] = [LogsHandler, LogDownloadHandler, ArtifactsHandler]
