"""The card folder of a Metaflow datastore (`mf.cards`), laid out as Metaflow's `CardDatastore`
lays it out (`metaflow/plugins/cards/card_datastore.py`):

- `<Flow>/runs/<run>/steps/<step>/tasks/<task>/cards/<type>[-<id>]-<hash>.html`: a task's cards
  (written this way since June 2022);
- `<Flow>/runs/<run>/tasks/<task>/cards/...`: cards of older clients (no `steps/<step>`), read
  only when the first folder holds nothing, as Metaflow does;
- `<Flow>/runs/<run>/steps/<step>/tasks/<task>/runtime/<type>[-<id>]-<hash>.data.json`: a card's
  latest live data (`current.card.refresh()`), always in the newer layout.

Every path is built from validated pathspec parts and from card names parsed out of the folder's
own listing (type, id and hash each checked against a strict pattern, then joined again), so no
name found in the store or in metadata can point a read elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Tuple

from .s3 import DatastoreReader, FolderEntry

#: the card folder under a datastore root (Metaflow's CARD_SUFFIX)
CARD_SUFFIX = "mf.cards"
#: a card's hash: a uuid4 in hex for current cards, a content hash for older ones
CARD_HASH = re.compile(r"^[0-9A-Za-z]{1,128}$")
#: a card type or id (Metaflow's TYPE_CHECK_REGEX)
_TYPE_OR_ID = re.compile(r"^[A-Za-z0-9_]{1,256}$")
HTML = ".html"
DATA = ".data.json"

TaskParts = Tuple[str, str, str, str]


@dataclass(frozen=True)
class CardFile:
    """One card of a task, as its file in the card folder names it."""

    type: str
    id: Optional[str]
    hash: str
    size: int  # bytes of the HTML file
    with_steps: bool  # found in the current layout (else the pre-2022 one)

    def file_name(self, suffix: str = HTML) -> str:
        """Metaflow's `get_card_location` name: `type-hash` or `type-id-hash`, plus suffix."""
        stem = (
            f"{self.type}-{self.hash}" if self.id is None else f"{self.type}-{self.id}-{self.hash}"
        )
        return stem + suffix


def parse_card_name(name: str, size: int = 0, with_steps: bool = True) -> Optional[CardFile]:
    """A card file name split as Metaflow's `info_from_path` splits it (`type-hash.html` or
    `type-id-hash.html`); None for any other name (Metaflow would fail on it)."""
    if not name.endswith(HTML):
        return None
    parts = name[: -len(HTML)].split("-")
    if len(parts) not in (2, 3):
        return None
    card_type, card_id, card_hash = (parts[0], None, parts[1]) if len(parts) == 2 else parts
    if not _TYPE_OR_ID.match(card_type) or not CARD_HASH.match(card_hash):
        return None
    if card_id is not None and not _TYPE_OR_ID.match(card_id):
        return None
    return CardFile(card_type, card_id, card_hash, size, with_steps)


class CardFolder:
    """Listing and reading a datastore's card folder, through a DatastoreReader."""

    def __init__(self, reader: DatastoreReader, base: Tuple[str, ...] = (CARD_SUFFIX,)) -> None:
        self.reader = reader
        self.base = base

    @property
    def root(self) -> str:
        """Where the cards are, as Metaflow names it (`s3://bucket/prefix/mf.cards`)."""
        return "/".join((self.reader.root.rstrip("/"), *self.base))

    def _folder(self, task: TaskParts, kind: str, with_steps: bool) -> Tuple[str, ...]:
        flow, run, step, task_id = task
        middle = ("steps", step, "tasks", task_id) if with_steps else ("tasks", task_id)
        return (*self.base, flow, "runs", run, *middle, kind)

    def list_cards(self, task: TaskParts) -> List[CardFile]:
        """The task's cards, in the order Metaflow's `get_cards` lists them (the backend's
        listing order), from the current layout or, when that folder is empty, the old one."""
        with_steps = True
        entries: List[FolderEntry] = self.reader.list_folder(self._folder(task, "cards", True))
        if not entries:
            with_steps = False
            entries = self.reader.list_folder(self._folder(task, "cards", False))
        cards = []
        for entry in entries:
            card = parse_card_name(entry.name, entry.size, with_steps) if entry.is_file else None
            if card is not None:
                cards.append(card)
        return cards

    def read_html(self, task: TaskParts, card: CardFile, max_bytes: int) -> Optional[bytes]:
        """The card's HTML (None when it went away since it was listed)."""
        folder = self._folder(task, "cards", card.with_steps)
        return self.reader.read_small((*folder, card.file_name()), max_bytes)

    def read_data(self, task: TaskParts, card: CardFile, max_bytes: int) -> Optional[bytes]:
        """The card's latest live data file, None when there is none (or it is larger)."""
        folder = self._folder(task, "runtime", True)
        return self.reader.read_small((*folder, card.file_name(DATA)), max_bytes)
