"""Metaflow's tag rules and how a tag reads as a namespace.

Rules are Metaflow's (`metaflow/tagging_util.py`): a tag is a non-empty string of at most 500
characters that encodes to UTF-8; a run holds at most 50 user tags (a larger existing set may
only shrink); system tags (`user:`, `production:`, `runtime:`, ...) are immutable.

A run's owners are its `user:` and `production:` system tags: the namespaces Metaflow puts it
in (`OWNER_PREFIXES`, the one place these prefixes are spelled).
"""

from __future__ import annotations

from typing import Iterable, List, Optional

from .errors import InvalidTag
from .limits import MAX_TAG_LENGTH, MAX_TAG_LIST, MAX_USER_TAGS
from .model import NamespaceKind

USER_PREFIX = "user:"
PRODUCTION_PREFIX = "production:"
#: system tag prefixes that name a namespace owning the run
OWNER_PREFIXES = (USER_PREFIX, PRODUCTION_PREFIX)

__all__ = [
    "MAX_TAG_LENGTH",
    "MAX_USER_TAGS",
    "OWNER_PREFIXES",
    "check_user_tag_count",
    "namespace_kind",
    "owner_namespaces",
    "user_of",
    "validate_tag",
    "validate_tag_list",
]


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


def validate_tag_list(tags: object, field: str, max_items: int = MAX_TAG_LIST) -> list[str]:
    """Validate a JSON list of tags (a body field or query values) of at most `max_items`."""
    if tags is None:
        return []
    if not isinstance(tags, (list, tuple)):
        raise InvalidTag(f"'{field}' must be a list of tags.")
    if len(tags) > max_items:
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
    if tag.startswith(USER_PREFIX):
        return "user"
    if tag.startswith(PRODUCTION_PREFIX):
        return "production"
    return "system" if is_system else "tag"


def owner_namespaces(system_tags: Iterable[str]) -> List[str]:
    """The run's own namespaces (its `user:`/`production:` system tags), sorted."""
    return sorted({t for t in system_tags if t.startswith(OWNER_PREFIXES)})


def user_of(system_tags: Iterable[str]) -> Optional[str]:
    """The `user:` system tag's name, if any."""
    for t in system_tags:
        if t.startswith(USER_PREFIX):
            return t[len(USER_PREFIX) :]
    return None


def production_token(namespace: str) -> Optional[str]:
    """The token of a `production:` namespace, None for any other namespace."""
    if namespace.startswith(PRODUCTION_PREFIX):
        return namespace[len(PRODUCTION_PREFIX) :]
    return None
