"""Every route of the API in one list: each feature's module contributes its handlers.

A new feature adds a module with its handlers and a `ROUTES` list, and one line here.
"""

from __future__ import annotations

import re
from typing import Any, List, Tuple, Type

from jupyter_server.auth.decorator import authorized
from tornado import web

from . import browse, cards, compare, meta, results, tags, tasks
from .base import API_PREFIX, MfnsHandler
from .events import EventsHandler

#: every REST route of the API, in the order they are registered
ROUTES: List[Type[MfnsHandler]] = [
    *browse.ROUTES,
    *tasks.ROUTES,
    *results.ROUTES,
    *cards.ROUTES,
    *compare.ROUTES,
    *tags.ROUTES,
    *meta.ROUTES,
]
#: websocket routes (documented in the OpenAPI document as path items without operations)
WEBSOCKETS: List[Type[Any]] = [EventsHandler]


class UnknownRouteHandler(MfnsHandler):
    """Anything else under the API prefix: a JSON 404 naming the routes that exist."""

    route = "(?:/.*)?"

    def _unknown(self) -> None:
        routes = ", ".join(h.route for h in [*ROUTES, *WEBSOCKETS])
        raise web.HTTPError(404, f"No such jupyter_mfns API route; the routes are {routes}.")

    @web.authenticated
    @authorized
    async def get(self, *args: Any) -> None:
        self._unknown()

    @web.authenticated
    @authorized
    async def post(self, *args: Any) -> None:
        self._unknown()

    @web.authenticated
    @authorized
    async def put(self, *args: Any) -> None:
        self._unknown()

    @web.authenticated
    @authorized
    async def patch(self, *args: Any) -> None:
        self._unknown()

    @web.authenticated
    @authorized
    async def delete(self, *args: Any) -> None:
        self._unknown()


def handler_specs() -> List[Tuple[str, Type[Any]]]:
    """(pattern, handler) pairs relative to the server's base URL, catch-all last."""
    specs: List[Tuple[str, Type[Any]]] = [
        (f"{API_PREFIX}/{re.escape(h.route)}", h) for h in [*ROUTES, *WEBSOCKETS]
    ]
    specs.append((f"{API_PREFIX}{UnknownRouteHandler.route}", UnknownRouteHandler))
    return specs
