"""Routes of tags: the tags in use (for autocomplete) and a run's tag edit."""

from __future__ import annotations

from typing import List, Type

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..core.errors import InvalidArgument
from .base import MfnsHandler
from .params import Query, body_namespace, body_string, body_tag_list, check_fields, json_object


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


ROUTES: List[Type[MfnsHandler]] = [TagsHandler]
