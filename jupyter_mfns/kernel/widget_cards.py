"""The browser widget's Cards tab: the chosen task's cards, one shown in a sandboxed frame.

A card's page is read only while the tab is open (it is about a megabyte), through the session's
Catalog in the browser's namespace, and shown as `kernel/cards.py` shows it (never same-origin).
"""

from __future__ import annotations

import html
from typing import Any, Callable, List, Optional

import ipywidgets as widgets

from ..core.errors import MfnsError
from ..core.model import CardJSON
from .cards import card_title, sandboxed_frame
from .progress import human_size
from .session import KernelSession

#: the frame's height in the widget
FRAME_HEIGHT = 520


class CardsBox(widgets.VBox):
    """A task's cards: a dropdown of them and the chosen one's page."""

    def __init__(self, session: KernelSession, on_error: Callable[[str], None]) -> None:
        self.session = session
        self._on_error = on_error
        self.task: Optional[str] = None
        self.namespace: Optional[str] = None
        self.cards: List[CardJSON] = []
        self.active = False  # the tab is open: pages may be read
        self._filling = False
        self.card_select = widgets.Dropdown(description="Card", layout={"width": "32em"})
        self.note = widgets.HTML()
        self.frame = widgets.HTML()
        self.card_select.observe(lambda _: self.show_card(), "value")
        super().__init__([self.card_select, self.note, self.frame])

    def show(self, task: Optional[str], namespace: Optional[str]) -> None:
        """List the task's cards (the page of the chosen one follows when the tab is open)."""
        self.task, self.namespace, self.cards = task, namespace, []
        origin = None
        if task:
            try:
                listing = self.session.catalog.cards(task, namespace)
            except MfnsError as error:
                self._on_error(str(error))
                listing = None
            if listing is not None:
                self.cards, origin = listing["cards"], listing["origin_task"]
        options = [(f"{card_title(c)} ({human_size(c['size'])})", c["hash"]) for c in self.cards]
        self._filling = True  # one page read below, not one per option set
        try:
            self.card_select.options = options
            self.card_select.value = options[0][1] if options else None
        finally:
            self._filling = False
        if not task:
            self.note.value = "<i>Choose a task to see its cards.</i>"
        elif not self.cards:
            self.note.value = (
                "<i>This task made no card (a step with <code>@card</code> makes one).</i>"
            )
        else:
            made = f" Made by {html.escape(origin)} (it was resumed from there)." if origin else ""
            self.note.value = f"{len(self.cards)} card(s).{made}"
        self.show_card()

    def set_active(self, active: bool) -> None:
        self.active = active
        self.show_card()

    def show_card(self) -> Any:
        """The chosen card's page, in its sandboxed frame (only while the tab is open)."""
        if self._filling:
            return None
        card = next((c for c in self.cards if c["hash"] == self.card_select.value), None)
        if card is None or not self.active or self.task is None:
            self.frame.value = ""
            return None
        try:
            page = self.session.catalog.card_html(self.task, card["hash"], self.namespace)
        except MfnsError as error:
            self._on_error(str(error))
            return None
        title = f"{card_title(card)} of {self.task}"
        self.frame.value = sandboxed_frame(page.decode("utf-8", "replace"), title, FRAME_HEIGHT)
        return card
