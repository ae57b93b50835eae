"""Routes of a task's cards (`@card`): the list, one card's HTML, a live card's latest data.

A card's HTML comes from whoever ran the flow, so it is served to be shown only in a sandbox:
`Content-Security-Policy: sandbox allow-scripts` (never `allow-same-origin`) gives it an opaque
origin even when someone opens its URL directly, so its scripts run but reach neither the
Jupyter page, its cookies and token, nor this API; `nosniff` keeps it from being read as
anything else. The labextension fetches the HTML with its own authenticated request and puts
it in an `<iframe sandbox="allow-scripts" srcdoc>` (a sandboxed frame cannot send Jupyter's
token or XSRF header itself, and must not be able to).
"""

from __future__ import annotations

import asyncio
from typing import List, Type

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import JupyterHandler
from tornado import web

from .base import MfnsHandler

#: what every card answer's Content-Security-Policy ends with
CARD_SANDBOX = "sandbox allow-scripts"
_TASK = "a task pathspec like 'Flow/Run/Step/Task'"
_HASH = "a card hash, as `cards` lists it"


class CardsHandler(MfnsHandler):
    """`GET cards?pathspec=F/R/S/T&namespace=`: the task's cards, as `get_cards(task)`."""

    route = "cards"
    accepted = ("pathspec", "namespace")

    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.query()
        await self.answer(self.catalog.cards, q.text("pathspec", _TASK), q.namespace())


class CardHandler(MfnsHandler):
    """`GET card?pathspec=F/R/S/T&hash=H&namespace=`: the card's HTML, sandboxed."""

    route = "card"
    accepted = ("pathspec", "hash", "namespace")

    @property
    def content_security_policy(self) -> str:
        # Jupyter's own policy (or the operator's), without the API's `default-src 'none'`
        # (the card's inline scripts must run), always confined to an opaque origin
        base = JupyterHandler.content_security_policy.fget(self)  # type: ignore[attr-defined]
        return f"{base}; {CARD_SANDBOX}"

    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.query()
        pathspec, card_hash = q.text("pathspec", _TASK), q.text("hash", _HASH)
        html = await asyncio.to_thread(self.catalog.card_html, pathspec, card_hash, q.namespace())
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Cache-Control", "no-cache")
        self.finish(html, set_content_type="text/html; charset=utf-8")


class CardDataHandler(MfnsHandler):
    """`GET card/data?pathspec=F/R/S/T&hash=H&namespace=`: a live card's latest data."""

    route = "card/data"
    accepted = ("pathspec", "hash", "namespace")

    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.query()
        pathspec, card_hash = q.text("pathspec", _TASK), q.text("hash", _HASH)
        await self.answer(self.catalog.card_data, pathspec, card_hash, q.namespace())


ROUTES: List[Type[MfnsHandler]] = [CardsHandler, CardHandler, CardDataHandler]
