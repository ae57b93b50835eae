"""The server's configurable limits, shared by the extension app and the handlers."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.limits import (
    DEFAULT_MAX_BODY_SIZE,
    DEFAULT_MAX_LOG_TAIL,
    DEFAULT_MAX_PAGE_SIZE,
    DEFAULT_PAGE_SIZE,
    MAX_TAG_LENGTH,
    MAX_USER_TAGS,
)
from ..core.model import LimitsJSON

#: tornado settings keys (one Catalog per server, built at load time)
CATALOG_KEY = "mfns_catalog"
CATALOG_ERROR_KEY = "mfns_catalog_error"
LIMITS_KEY = "mfns_limits"


@dataclass(frozen=True)
class Limits:
    """Bounds on what one request may ask for (see the `MfnsExtension` traitlets); the
    defaults are a server's out of the box (`core/limits.py`)."""

    default_page_size: int = DEFAULT_PAGE_SIZE
    max_page_size: int = DEFAULT_MAX_PAGE_SIZE
    max_log_tail: int = DEFAULT_MAX_LOG_TAIL
    max_body_size: int = DEFAULT_MAX_BODY_SIZE

    def to_json(self) -> LimitsJSON:
        """Limits as the `status` route reports them, with Metaflow's fixed tag rules."""
        return LimitsJSON(
            default_page_size=self.default_page_size,
            max_page_size=self.max_page_size,
            max_log_tail=self.max_log_tail,
            max_body_size=self.max_body_size,
            max_tag_length=MAX_TAG_LENGTH,
            max_user_tags=MAX_USER_TAGS,
        )
