"""Errors the Catalog raises for bad input or missing objects.

Each carries a stable machine `reason` and the HTTP status the REST layer answers with, so the
server maps them in one place and the magic prints `str(error)` as its one-line message.
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Optional


class MfnsError(Exception):
    """Base of every error a caller can cause; never a bug in jupyter_mfns itself."""

    reason: ClassVar[str] = "error"
    status: ClassVar[int] = 400

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra: Dict[str, Any] = extra

    def to_json(self) -> Dict[str, Any]:
        """The REST error body: `{"reason", "message", ...extra}`."""
        return {"reason": self.reason, "message": self.message, **self.extra}


class InvalidArgument(MfnsError):
    """A parameter has the wrong type or value (limit, cursor, stream, ...)."""

    reason = "invalid_argument"


class InvalidPathspec(MfnsError):
    """A pathspec that cannot name any object (wrong shape, forbidden characters)."""

    reason = "invalid_pathspec"


class NotFound(MfnsError):
    """A well-formed pathspec naming nothing in the store."""

    reason = "not_found"
    status = 404


class NoRun(MfnsError):
    """`latest` asked of a flow with no matching run in the namespace."""

    reason = "no_run"
    status = 404


class NamespaceMismatch(MfnsError):
    """The object exists but not in the asked namespace; says which namespaces own it."""

    reason = "namespace_mismatch"
    status = 409

    def __init__(self, pathspec: str, namespace: Optional[str], owners: List[str]) -> None:
        where = ", ".join(owners) if owners else "another namespace"
        super().__init__(
            f"{pathspec} is not in namespace {namespace!r}; it belongs to {where}.",
            pathspec=pathspec,
            namespace=namespace,
            namespaces=owners,
        )


class InvalidTag(MfnsError):
    """A tag that breaks Metaflow's rules (empty, too long, too many, not a string)."""

    reason = "invalid_tag"


class SystemTag(MfnsError):
    """An attempt to remove (or add as user tag) a system tag, which Metaflow keeps immutable."""

    reason = "system_tag"


class TagConflict(MfnsError):
    """Concurrent writers kept overwriting the run's tags; nothing was lost, retry."""

    reason = "tag_conflict"
    status = 409


class ArtifactNotFound(NotFound):
    """The task exists but has no artifact of that name."""


class CardTooLarge(MfnsError):
    """A card larger than this server reads (`limits.MAX_CARD_BYTES`)."""

    reason = "card_too_large"
    status = 422


class StoreUnavailable(MfnsError):
    """The Metaflow store (directory, metadata service, S3) cannot be reached or read."""

    reason = "store_unavailable"
    status = 503
