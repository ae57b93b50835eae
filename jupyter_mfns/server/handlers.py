"""Tornado handlers of the REST API (v1): thin adapters between HTTP and the core Catalog.

Each handler checks its query (or JSON body), calls one Catalog method off the event loop and
answers its JSON as is. Failures become JSON errors in `MfnsHandler.write_error` only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, ClassVar, Dict, List, Optional, Tuple, Type

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from tornado import web

from .. import __version__
from ..core.catalog import Catalog
from ..core.errors import InvalidArgument, MfnsError, StoreUnavailable
from ..core.limits import MAX_CURSOR_LENGTH
from .errors import error_reply
from .limits import CATALOG_ERROR_KEY, CATALOG_KEY, LIMITS_KEY, Limits
from .params import (
    Query,
    body_namespace,
    body_string,
    body_tag_list,
    check_fields,
    json_object,
)

#: the resource name Jupyter authorizers see for every route of this API
AUTH_RESOURCE = "mfns"
#: every route lives under `{base_url}mfns/api/`
API_PREFIX = "mfns/api"
OPENAPI_PATH = Path(__file__).with_name("openapi.yaml")

log = logging.getLogger(__name__)


class MfnsHandler(APIHandler):
    """Base of every route: auth resource, Catalog access, JSON answers and JSON errors."""

    auth_resource = AUTH_RESOURCE
    #: the route below API_PREFIX, e.g. "runs/latest"
    route: ClassVar[str] = ""
    #: query parameters the route accepts (others are refused, so a typo is never ignored)
    accepted: ClassVar[Tuple[str, ...]] = ()

    @property
    def catalog(self) -> Catalog:
        catalog = self.settings.get(CATALOG_KEY)
        if catalog is None:
            raise StoreUnavailable(
                self.settings.get(CATALOG_ERROR_KEY) or "The Metaflow store is not configured."
            )
        return catalog

    @property
    def limits(self) -> Limits:
        return self.settings.get(LIMITS_KEY) or Limits()

    def query(self) -> Query:
        return Query(self.request.query_arguments, self.accepted)

    async def answer(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run a blocking Catalog call in a worker thread and answer its JSON."""
        result = await asyncio.to_thread(method, *args, **kwargs)
        self.finish(json.dumps(result))

    # -- the one place failures become HTTP answers ------------------------------------------
    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        error = exc_info[1] if exc_info else None
        status, body = error_reply(
            status_code, error, authenticated=bool(getattr(self, "_jupyter_current_user", None))
        )
        self.set_status(status)
        if status == 405:
            self.set_header("Allow", ", ".join(self.allowed_methods()))
        self.finish(json.dumps(body))

    @classmethod
    def allowed_methods(cls) -> List[str]:
        """HTTP methods this route implements (for the `Allow` header of a 405)."""
        return [
            m
            for m in ("GET", "POST", "PUT", "PATCH", "DELETE")
            if getattr(cls, m.lower()) is not getattr(web.RequestHandler, m.lower())
        ] + ["OPTIONS"]

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, MfnsError):
            # the caller's mistake, answered as a 4xx: no traceback in the log either
            self.log.info("jupyter_mfns %s %s: %s", self.request.method, self.route, value)
            return
        if isinstance(value, web.HTTPError):
            super().log_exception(typ, value, tb)
            return
        # the path only: the query string may carry the token
        self.log.error(
            "jupyter_mfns: unexpected error in %s %s",
            self.request.method,
            self.request.path,
            exc_info=(typ, value, tb),
        )


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
    """`GET runs?flow=&namespace=&tag=&limit=&cursor=`: `Flow(F).runs(*tags)`, one page."""

    route = "runs"
    accepted = ("flow", "namespace", "tag", "limit", "cursor")

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
        await self.answer(self.catalog.runs, flow, namespace, tags, limit=limit, cursor=cursor)


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


class LogsHandler(MfnsHandler):
    """`GET logs?pathspec=F/R/S/T&stream=&namespace=&tail=`: a task's log lines."""

    route = "logs"
    accepted = ("pathspec", "stream", "namespace", "tail")

    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.query()
        pathspec = q.text("pathspec", "a task pathspec like 'Flow/Run/Step/Task'")
        stream = q.choice("stream", ("stdout", "stderr"), default="stdout")
        maximum = self.limits.max_log_tail
        tail = q.integer("tail", default=maximum, minimum=0, maximum=maximum)
        await self.answer(self.catalog.logs, pathspec, stream, q.namespace(), tail)


class ArtifactsHandler(MfnsHandler):
    """`GET artifacts?pathspec=F/R/S/T&namespace=`: names, types and sizes, never unpickled."""

    route = "artifacts"
    accepted = ("pathspec", "namespace")

    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.query()
        pathspec = q.text("pathspec", "a task pathspec like 'Flow/Run/Step/Task'")
        await self.answer(self.catalog.artifacts, pathspec, q.namespace())


class TagsHandler(MfnsHandler):
    """`GET tags?namespace=&flow=` (tags in use, for autocomplete) and `POST tags` (edit)."""

    route = "tags"
    accepted = ("namespace", "flow")

    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.query()
        namespace = q.namespace()
        flow = q.one("flow")
        if flow == "":
            raise InvalidArgument("The 'flow' parameter is empty; give a flow name, or omit it.")
        await self.answer(self.catalog.tags, namespace, flow)

    @web.authenticated
    @authorized
    async def post(self) -> None:
        Query(self.request.query_arguments, ())
        body = json_object(self.request.body, max_size=self.limits.max_body_size)
        check_fields(body, required=("pathspec",), optional=("add", "remove", "namespace"))
        pathspec = body_string(body, "pathspec")
        add = body_tag_list(body, "add")
        remove = body_tag_list(body, "remove")
        namespace = body_namespace(body)
        await self.answer(self.catalog.mutate_tags, pathspec, add, remove, namespace)


class StatusHandler(MfnsHandler):
    """`GET status`: which store is browsed, unreadable runs, and this server's limits."""

    route = "status"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.query()
        catalog: Optional[Catalog] = self.settings.get(CATALOG_KEY)
        status: Dict[str, Any] = {
            "version": __version__,
            "available": catalog is not None,
            "error": None if catalog is not None else self.settings.get(CATALOG_ERROR_KEY),
            "store": None,
            "default_namespace": None,
            "problems": [],
            "limits": self.limits.to_json(),
        }
        if catalog is not None:
            status.update(
                store=catalog.store.identity,
                default_namespace=catalog.default_namespace(),
                problems=catalog.problems(),
            )
        self.finish(json.dumps(status))


@lru_cache(maxsize=1)
def openapi_document() -> Dict[str, Any]:
    """The OpenAPI 3 document shipped with the package, as a dict."""
    import yaml

    document: Dict[str, Any] = yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))
    return document


class OpenAPIHandler(MfnsHandler):
    """`GET openapi.json`: this API's OpenAPI 3 document."""

    route = "openapi.json"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.query()
        self.finish(json.dumps(openapi_document()))


class UnknownRouteHandler(MfnsHandler):
    """Anything else under the API prefix: a JSON 404 naming the routes that exist."""

    route = "(?:/.*)?"

    def _unknown(self) -> None:
        routes = ", ".join(h.route for h in ROUTES)
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


#: every route of the API, in the order they are registered
ROUTES: List[Type[MfnsHandler]] = [
    NamespacesHandler,
    FlowsHandler,
    RunsHandler,
    LatestRunHandler,
    ObjectHandler,
    LogsHandler,
    ArtifactsHandler,
    TagsHandler,
    StatusHandler,
    OpenAPIHandler,
]


def handler_specs() -> List[Tuple[str, Type[MfnsHandler]]]:
    """(pattern, handler) pairs relative to the server's base URL, catch-all last."""
    specs: List[Tuple[str, Type[MfnsHandler]]] = [
        (f"{API_PREFIX}/{re.escape(h.route)}", h) for h in ROUTES
    ]
    specs.append((f"{API_PREFIX}{UnknownRouteHandler.route}", UnknownRouteHandler))
    return specs
