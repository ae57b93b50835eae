"""Cards (`@card`) of tasks, read from the datastore's card folder as Metaflow's card client
reads them (`metaflow/plugins/cards/card_client.py`):

- `cards`: what `metaflow.cards.get_cards(task)` lists (type, id, hash, and the HTML's size), in
  its order. A task that `resume` cloned keeps its cards where they were made: the origin is
  followed, resume after resume, as `get_cards(follow_resumed=True)` does. Metaflow's
  `get_cards("F/R/S/T")` silently switches the process to the global namespace to do this;
  here the asked task is checked against the namespace given and nothing global changes (its
  origin holds the asked task's own cards, so it is read whatever namespace it is in);
- `card_html`: one card's HTML, bytes as stored; it comes from anyone who could run a flow, so
  fronts show it only in a sandbox (`server/cards.py`, the labextension's card frame, the
  magic's iframe);
- `card_data`: a card's latest live data (`current.card.refresh()`), with the task's status so
  a viewer knows when to stop asking.

The card folder is read only through `store/cards.py`, by validated parts.
"""

from __future__ import annotations

import json
from typing import List, Optional, Tuple

from .errors import CardTooLarge, InvalidArgument, InvalidPathspec, NotFound, StoreUnavailable
from .limits import MAX_CARD_BYTES, MAX_CARD_DATA_BYTES, MAX_ORIGIN_HOPS
from .model import CardDataJSON, CardJSON, CardsJSON
from .objects import ObjectQueries
from .pathspec import Pathspec, parse_pathspec
from .store.base import Store
from .store.cards import CARD_HASH, CardFile, CardFolder


def check_card_hash(card_hash: object) -> str:
    """A card hash as the card folder names cards (letters and digits), else InvalidArgument."""
    if not isinstance(card_hash, str) or not CARD_HASH.match(card_hash):
        shown = repr(card_hash)[:60]
        raise InvalidArgument(f"Invalid card hash {shown}: a card hash is 1 to 128 letters/digits.")
    return card_hash


def card_json(card: CardFile) -> CardJSON:
    return CardJSON(type=card.type, id=card.id, hash=card.hash, size=card.size)


class CardQueries:
    """A task's cards, one card's HTML, and a live card's latest data."""

    def __init__(self, store: Store, objects: ObjectQueries) -> None:
        self.store = store
        self.objects = objects

    @property
    def folder(self) -> CardFolder:
        if self.store.card_folder is None:
            raise StoreUnavailable(f"Cards cannot be read from {self.store.identity}.")
        return self.store.card_folder

    def origin_of(self, ps: Pathspec) -> Optional[Pathspec]:
        """The task whose cards `ps` has: the end of its chain of resume origins, or None when
        it was not cloned (Metaflow's `resumed_info`). Origin ids come from metadata, so they
        are validated as pathspec parts before anything is built from them."""
        flow, _, step, _ = ps.task_parts()
        current, origin = ps, None
        seen = {str(ps)}
        for _ in range(MAX_ORIGIN_HOPS):
            record = self.store.task_record(*current.task_parts())
            if record is None or not record.origin_run_id or not record.origin_task_id:
                break
            try:
                nxt = parse_pathspec(
                    f"{flow}/{record.origin_run_id}/{step}/{record.origin_task_id}", min_depth=4
                )
            except InvalidPathspec:
                break  # a malformed origin in metadata: nothing to follow
            if str(nxt) in seen:
                break
            seen.add(str(nxt))
            current = origin = nxt
        return origin

    def _listing(
        self, pathspec: str, ns: Optional[str]
    ) -> Tuple[Pathspec, Pathspec, List[CardFile]]:
        """(asked task, task holding its cards, the cards) after the namespace check."""
        ps = self.objects.task(pathspec, ns)
        holder = self.origin_of(ps) or ps
        return ps, holder, self.folder.list_cards(holder.task_parts())

    def cards(self, pathspec: str, ns: Optional[str]) -> CardsJSON:
        """The task's cards, as `get_cards(task)` lists them (none: an empty list)."""
        ps, holder, cards = self._listing(pathspec, ns)
        return CardsJSON(
            pathspec=str(ps),
            origin_task=None if holder is ps else str(holder),
            cards=[card_json(c) for c in cards],
        )

    def _card(
        self, pathspec: str, ns: Optional[str], card_hash: str
    ) -> Tuple[Pathspec, Pathspec, CardFile]:
        wanted = check_card_hash(card_hash)
        ps, holder, cards = self._listing(pathspec, ns)
        card = next((c for c in cards if c.hash == wanted), None)
        if card is None:
            raise NotFound(f"Task {ps} has no card with hash {wanted}.")
        return ps, holder, card

    def card_html(self, pathspec: str, ns: Optional[str], card_hash: str) -> bytes:
        """One card's HTML (Metaflow's `Card.get()`, as bytes)."""
        ps, holder, card = self._card(pathspec, ns, card_hash)
        if card.size > MAX_CARD_BYTES:
            raise CardTooLarge(
                f"The {card.type} card of {ps} is {card.size // (1024 * 1024)} MiB, more than the "
                f"{MAX_CARD_BYTES // (1024 * 1024)} MiB read here; view it with "
                f"`python <flow>.py card view {ps.step}/{ps.task}` (Metaflow's card viewer)."
            )
        html = self.folder.read_html(holder.task_parts(), card, MAX_CARD_BYTES)
        if html is None:
            raise NotFound(f"The card {card_hash} of {ps} went away while it was read.")
        return html

    def card_data(self, pathspec: str, ns: Optional[str], card_hash: str) -> CardDataJSON:
        """A card's latest live data (Metaflow's `Card.get_data()`) and the task's status."""
        ps, holder, card = self._card(pathspec, ns, card_hash)
        record = self.store.task_record(*ps.task_parts())
        status = record.status if record is not None else "unknown"
        raw = self.folder.read_data(holder.task_parts(), card, MAX_CARD_DATA_BYTES)
        payload = None
        if raw is not None:
            try:
                decoded = json.loads(raw)
            except ValueError:  # being rewritten, or not JSON at all: no data this time
                decoded = None
            payload = decoded if isinstance(decoded, dict) else None
        return CardDataJSON(
            pathspec=str(ps),
            hash=card.hash,
            status=status,
            finished=status != "running",
            payload=payload,
        )
