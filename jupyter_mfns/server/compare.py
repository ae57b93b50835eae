"""Routes of comparisons: `GET compare` puts 2 to 8 runs side by side (by sha, nothing loaded)."""

from __future__ import annotations

from typing import List, Type

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..core.compare import check_runs
from .base import MfnsHandler


class CompareHandler(MfnsHandler):
    """`GET compare?run=F/R1&run=F/R2[...]&namespace=`: summary, parameters, steps, artifacts."""

    route = "compare"
    accepted = ("run", "namespace")

    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.query()
        runs = check_runs(q.values("run"))  # 400 before the worker thread for 1 or 9 runs
        await self.answer(self.catalog.compare, runs, q.namespace())


ROUTES: List[Type[MfnsHandler]] = [CompareHandler]
