"""How any failure becomes a JSON error body: the one place errors are mapped to HTTP.

Caller mistakes (`MfnsError`) keep their own reason and status; tornado's own refusals (auth,
XSRF, unknown method) get a stable reason; anything else is a 500 whose body says only that
the details are in the server log (never a traceback).
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from tornado.web import HTTPError

from ..core.errors import MfnsError

INTERNAL_MESSAGE = (
    "jupyter_mfns hit an unexpected error answering this request; "
    "the details are in the Jupyter server log."
)

_HTTP_REASONS = {
    400: "bad_request",
    403: "forbidden",
    404: "unknown_route",
    405: "method_not_allowed",
    413: "body_too_large",
}

_HTTP_MESSAGES = {
    400: "The request is malformed.",
    403: "This request is not allowed.",
    404: "No such jupyter_mfns API route.",
    405: "This route does not accept that HTTP method.",
    413: "The request body is too large.",
}

NOT_AUTHENTICATED = (
    "Not authenticated: send the Jupyter token (header 'Authorization: token <token>') or log "
    "in to Jupyter first."
)


def error_reply(
    status_code: int, error: Optional[BaseException], *, authenticated: bool = True
) -> Tuple[int, Dict[str, Any]]:
    """The HTTP status and `{"reason", "message", ...}` body answering `error`."""
    if isinstance(error, MfnsError):
        return error.status, error.to_json()
    if isinstance(error, HTTPError) or error is None:
        code = error.status_code if isinstance(error, HTTPError) else status_code
        message = _log_message(error) if isinstance(error, HTTPError) else ""
        reason = _HTTP_REASONS.get(code, f"http_{code}")
        if code == 403 and not authenticated:
            return code, {"reason": "not_authenticated", "message": NOT_AUTHENTICATED}
        if code == 403 and "xsrf" in message.lower():
            return code, {
                "reason": "xsrf_failed",
                "message": (
                    f"{message}. A request made with a login cookie must also send the "
                    "'_xsrf' cookie value in the 'X-XSRFToken' header."
                ),
            }
        if code >= 500:
            return code, {"reason": "internal_error", "message": INTERNAL_MESSAGE}
        return code, {"reason": reason, "message": message or _HTTP_MESSAGES.get(code, reason)}
    return 500, {"reason": "internal_error", "message": INTERNAL_MESSAGE}


def _log_message(error: HTTPError) -> str:
    if not error.log_message:
        return ""
    try:
        return str(error.log_message % error.args) if error.args else str(error.log_message)
    except (TypeError, ValueError):
        return str(error.log_message)
