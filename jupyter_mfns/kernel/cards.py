"""A task's cards in a notebook's output, sandboxed: `%mfns cards TASK` and the widget's Cards tab.

Metaflow's own `CardContainer._repr_html_` pastes each card's HTML (and scripts) into the
notebook page itself, and `get_cards("F/R/S/T")` switches the kernel to the global namespace
to find them. Here cards come from the session's Catalog in the session's namespace (Metaflow's
namespace is never touched), and each card page goes into `<iframe sandbox="allow-scripts"
srcdoc=...>`: its scripts run, in an opaque origin that reaches neither the notebook page, its
cookies and token, nor the Jupyter server. IPython is not imported: the output is any object
with `_repr_html_`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import List, Optional, Sequence

from ..core.catalog import Catalog
from ..core.model import CardJSON, CardsJSON
from .progress import human_size

#: the frame's `sandbox`: scripts only (never allow-same-origin)
SANDBOX = "allow-scripts"
#: height of a card's frame in an output (the box around it can be dragged taller)
DEFAULT_HEIGHT = 600


def card_title(card: CardJSON) -> str:
    """`blank card "model_report"`, or `default card`."""
    return f'{card["type"]} card "{card["id"]}"' if card["id"] else f"{card['type']} card"


def sandboxed_frame(page: str, title: str, height: int = DEFAULT_HEIGHT) -> str:
    """HTML of a resizable box holding the page in a sandboxed frame."""
    return (
        f'<div class="mfns-card-box" style="resize:vertical;overflow:hidden;height:{height}px;'
        'border:1px solid var(--jp-border-color2,#ccc)">'
        f'<iframe sandbox="{SANDBOX}" title="{html.escape(title)}" '
        'style="width:100%;height:100%;border:0;background:#fff" '
        f'srcdoc="{html.escape(page, quote=True)}"></iframe></div>'
    )


@dataclass(frozen=True)
class ShownCard:
    card: CardJSON
    page: str  # the card's HTML


class CardsOutput:
    """Cards of one task as a cell's output (`_repr_html_`), each in its sandboxed frame."""

    def __init__(self, listing: CardsJSON, shown: Sequence[ShownCard], height: int) -> None:
        self.listing = listing
        self.shown = list(shown)
        self.height = height

    def _repr_html_(self) -> str:
        parts = []
        origin = self.listing["origin_task"]
        for item in self.shown:
            head = f"{card_title(item.card)} of {self.listing['pathspec']}"
            if origin:
                head += f" (made by {origin}, which it was resumed from)"
            size = human_size(item.card["size"])
            parts.append(
                f'<div class="mfns-card"><p style="margin:8px 0 4px"><b>{html.escape(head)}</b>'
                f" <small>{size}</small></p>"
                f"{sandboxed_frame(item.page, head, self.height)}</div>"
            )
        return "\n".join(parts)

    def __repr__(self) -> str:
        names = ", ".join(card_title(s.card) for s in self.shown)
        return f"<{len(self.shown)} card(s) of {self.listing['pathspec']}: {names}>"


def select_cards(
    cards: Sequence[CardJSON], card_id: Optional[str] = None, card_type: Optional[str] = None
) -> List[CardJSON]:
    """The cards with that id and type (as `get_cards(task, id=, type=)` filters them)."""
    return [
        c
        for c in cards
        if (card_id is None or c["id"] == card_id) and (card_type is None or c["type"] == card_type)
    ]


def task_cards(
    catalog: Catalog,
    pathspec: str,
    namespace: Optional[str],
    card_id: Optional[str] = None,
    card_type: Optional[str] = None,
    height: int = DEFAULT_HEIGHT,
) -> CardsOutput:
    """The task's cards (those with `card_id` / `card_type` when given), read to show."""
    listing = catalog.cards(pathspec, namespace)
    chosen = select_cards(listing["cards"], card_id, card_type)
    shown = [
        ShownCard(
            c,
            catalog.card_html(listing["pathspec"], c["hash"], namespace).decode("utf-8", "replace"),
        )
        for c in chosen
    ]
    return CardsOutput(listing, shown, height)
