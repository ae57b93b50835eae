"""The server's configurable limits, shared by the extension app and the handlers."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Dict

from ..core.tags import MAX_TAG_LENGTH, MAX_USER_TAGS

#: tornado settings keys (one Catalog per server, built at load time)
CATALOG_KEY = "mfns_catalog"
CATALOG_ERROR_KEY = "mfns_catalog_error"
LIMITS_KEY = "mfns_limits"


@dataclass(frozen=True)
class Limits:
    """Bounds on what one request may ask for (see the `MfnsExtension` traitlets)."""

    default_page_size: int = 50
    max_page_size: int = 1000
    max_log_tail: int = 100_000
    max_body_size: int = 512 * 1024

    def to_json(self) -> Dict[str, int]:
        """Limits as the `status` route reports them, with Metaflow's fixed tag rules."""
        return {
            **asdict(self),
            "max_tag_length": MAX_TAG_LENGTH,
            "max_user_tags": MAX_USER_TAGS,
        }
