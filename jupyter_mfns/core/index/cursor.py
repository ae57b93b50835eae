"""Keyset cursors of runs pages: an opaque text naming the last run of a page."""

from __future__ import annotations

import base64
import json
from typing import Any, List, Sequence, Tuple

from ..errors import InvalidArgument


def encode_cursor(created_at: int, run_id: str) -> str:
    raw = json.dumps([created_at, run_id]).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> Tuple[int, str]:
    """(created_at, run_id) of a cursor this code handed out, else InvalidArgument."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, run_id = json.loads(raw)
        if isinstance(created_at, int) and isinstance(run_id, str):
            return created_at, run_id
    except (ValueError, TypeError, UnicodeDecodeError):
        pass
    raise InvalidArgument("The cursor is not one this server handed out; restart paging.")


def encode_position(position: Sequence[Any]) -> str:
    """A cursor naming any JSON position (a parameter sort's, a tasks page's)."""
    raw = json.dumps(list(position)).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_position(cursor: str) -> List[Any]:
    """The position of a cursor from `encode_position`, else InvalidArgument."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
        if isinstance(position, list):
            return position
    except (ValueError, TypeError, UnicodeDecodeError, RecursionError):
        pass
    raise InvalidArgument("The cursor is not one this server handed out; restart paging.")
