"""The base of every REST route: auth resource, Catalog access, JSON answers and JSON errors.

Handlers are thin adapters between HTTP and the core Catalog: each checks its query (or JSON
body), calls one Catalog method off the event loop and answers its JSON as is. Failures become
JSON errors in `MfnsHandler.write_error` only.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, ClassVar, List, Tuple

from jupyter_server.base.handlers import APIHandler
from tornado import web

from ..core.catalog import Catalog
from ..core.errors import MfnsError, StoreUnavailable
from .errors import error_reply
from .limits import CATALOG_ERROR_KEY, CATALOG_KEY, LIMITS_KEY, Limits
from .params import Query

#: the resource name Jupyter authorizers see for every route of this API
AUTH_RESOURCE = "mfns"
#: every route lives under `{base_url}mfns/api/`
API_PREFIX = "mfns/api"


def settings_catalog(settings: Any) -> Catalog:
    """The server's Catalog, or StoreUnavailable saying why there is none."""
    catalog = settings.get(CATALOG_KEY)
    if catalog is None:
        raise StoreUnavailable(
            settings.get(CATALOG_ERROR_KEY) or "The Metaflow store is not configured."
        )
    return catalog


class MfnsHandler(APIHandler):
    """Base of every route: auth resource, Catalog access, JSON answers and JSON errors."""

    auth_resource = AUTH_RESOURCE
    #: the route below API_PREFIX, e.g. "runs/latest"
    route: ClassVar[str] = ""
    #: query parameters the route accepts (others are refused, so a typo is never ignored)
    accepted: ClassVar[Tuple[str, ...]] = ()

    @property
    def catalog(self) -> Catalog:
        return settings_catalog(self.settings)

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
