"""Metaflow's tag rules and how a tag reads as a namespace.

Rules are Metaflow's (`metaflow/tagging_util.py`): a tag is a non-empty string of at most 500
characters that encodes to UTF-8; a run holds at most 50 user tags (a larger existing set may
only shrink); system tags (`user:`, `production:`, `runtime:`, ...) are immutable.
"""

from __future__ import annotations

from typing import Iterable, Optional

from .errors import InvalidTag
from .model import NamespaceKind

MAX_TAG_LENGTH = 500
MAX_USER_TAGS = 50


def validate_tag(tag: object) -> str:
    """Return the tag when it obeys Metaflow's rules, else raise InvalidTag saying why."""
    if not isinstance(tag, str):
        raise InvalidTag(f"Tags must be strings, got {type(tag).__name__}.")
    if not tag:
        raise InvalidTag("Tags must not be empty.")
    if len(tag) > MAX_TAG_LENGTH:
        raise InvalidTag(
            f"Tag {tag[:40]!r}... is {len(tag)} characters long; the limit is {MAX_TAG_LENGTH}."
        )
    try:
        tag.encode("utf-8")
    except UnicodeError:
        raise InvalidTag(f"Tag {tag[:40]!r} is not valid Unicode text.") from None
    return tag


def validate_tag_list(tags: object, field: str) -> list[str]:
    """Validate a JSON list of tags (a body field or query values)."""
    if tags is None:
        return []
    if not isinstance(tags, (list, tuple)):
        raise InvalidTag(f"'{field}' must be a list of tags.")
    if len(tags) > 10 * MAX_USER_TAGS:
        raise InvalidTag(f"'{field}' lists {len(tags)} tags; a run holds at most {MAX_USER_TAGS}.")
    return [validate_tag(t) for t in tags]


def check_user_tag_count(new: Iterable[str], existing: Iterable[str]) -> None:
    """Metaflow allows at most 50 user tags, but lets an oversized set shrink."""
    new_n, old_n = len(frozenset(new)), len(frozenset(existing))
    if new_n > MAX_USER_TAGS and new_n > old_n:
        raise InvalidTag(
            f"A run holds at most {MAX_USER_TAGS} user tags; this change would make {new_n}."
        )


def namespace_kind(tag: str, is_system: bool) -> NamespaceKind:
    """'user', 'production', 'system' (another system tag) or 'tag' (a user tag)."""
    if tag.startswith("user:"):
        return "user"
    if tag.startswith("production:"):
        return "production"
    return "system" if is_system else "tag"


def user_of(system_tags: Iterable[str]) -> Optional[str]:
    """The `user:` system tag's name, if any."""
    for t in system_tags:
        if t.startswith("user:"):
            return t[len("user:") :]
    return None
