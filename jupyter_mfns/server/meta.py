"""Routes about the server itself: its status and limits, and its OpenAPI document."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Type

from jupyter_server.auth.decorator import authorized
from tornado import web

from .. import __version__
from ..core.catalog import Catalog
from ..core.model import StatusJSON
from .base import MfnsHandler
from .limits import CATALOG_ERROR_KEY, CATALOG_KEY

OPENAPI_PATH = Path(__file__).with_name("openapi.yaml")


class StatusHandler(MfnsHandler):
    """`GET status`: which store is browsed, unreadable runs, and this server's limits."""

    route = "status"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.query()
        catalog: Optional[Catalog] = self.settings.get(CATALOG_KEY)
        status = StatusJSON(
            version=__version__,
            available=catalog is not None,
            error=None if catalog is not None else self.settings.get(CATALOG_ERROR_KEY),
            store=None,
            default_namespace=None,
            problems=[],
            limits=self.limits.to_json(),
            parameters_indexed=False,
        )
        if catalog is not None:
            status["store"] = catalog.store.identity
            status["default_namespace"] = catalog.default_namespace()
            status["problems"] = catalog.problems()
            status["parameters_indexed"] = catalog.parameters_indexed
            status["detection"] = catalog.detection()
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


ROUTES: List[Type[MfnsHandler]] = [StatusHandler, OpenAPIHandler]
