"""Reading the REST API's query parameters and JSON bodies, with messages a person understands.

Pure functions over the raw request (query values as bytes, body as bytes): no tornado import,
so every input rule of the API lives here and is testable on its own. Everything a caller can
get wrong raises an `MfnsError` (400, or 413 for an oversized body), never anything else.
"""

from __future__ import annotations

import json
import re
from typing import Any, Collection, Dict, List, Mapping, Optional, Sequence

from ..core.catalog import DEFAULT, Namespace
from ..core.errors import InvalidArgument, MfnsError
from ..core.limits import MAX_TAG_EDIT, MAX_TAG_FILTERS, MAX_TAG_LENGTH, MAX_USER_TAGS
from ..core.tags import validate_tag

#: Query parameters Jupyter itself reads on any route (token auth, XSRF, activity tracking).
JUPYTER_PARAMS = frozenset({"token", "_xsrf", "no_track_activity"})

_DIGITS = re.compile(r"^[0-9]{1,9}$")
_TRUE = ("1", "true")
_FALSE = ("0", "false")


class InvalidJSON(MfnsError):
    """The request body is not a JSON object."""

    reason = "invalid_json"


class BodyTooLarge(MfnsError):
    """The request body exceeds the configured limit."""

    reason = "body_too_large"
    status = 413


def _show(text: str, limit: int = 60) -> str:
    """A value quoted for a message, shortened so error bodies stay small."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _is_cache_buster(name: str, values: Sequence[bytes]) -> bool:
    """JupyterLab's `ServerConnection.makeRequest` appends `?<timestamp>` to GETs by default."""
    return name.isdigit() and all(v == b"" for v in values)


class Query:
    """The query string of one request, checked against the parameters its route accepts."""

    def __init__(self, raw: Mapping[str, Sequence[bytes]], accepted: Collection[str]) -> None:
        unknown = sorted(
            name
            for name in set(raw) - set(accepted) - JUPYTER_PARAMS
            if not _is_cache_buster(name, raw[name])
        )
        if unknown:
            takes = ", ".join(sorted(accepted)) or "no parameters"
            names = ", ".join(_show(n, 40) for n in unknown[:5])
            raise InvalidArgument(f"Unknown query parameter {names}; this route takes {takes}.")
        self._raw = raw

    def values(self, name: str) -> List[str]:
        """Every value given for `name`, decoded as UTF-8 and otherwise untouched."""
        out = []
        for value in self._raw.get(name, ()):
            try:
                out.append(value.decode("utf-8"))
            except UnicodeDecodeError:
                raise InvalidArgument(
                    f"The '{name}' parameter is not valid UTF-8 text once percent-decoded."
                ) from None
        return out

    def one(self, name: str, *, required: bool = False) -> Optional[str]:
        """The single value of `name` (None when absent); repeating it is an error."""
        values = self.values(name)
        if len(values) > 1:
            raise InvalidArgument(
                f"The '{name}' parameter was given {len(values)} times; give it once."
            )
        if not values:
            if required:
                raise InvalidArgument(f"The '{name}' query parameter is required.")
            return None
        return values[0]

    def text(self, name: str, what: str) -> str:
        """A required, non-empty value."""
        value = self.one(name, required=True)
        assert value is not None
        if not value:
            raise InvalidArgument(f"The '{name}' parameter is empty; give {what}.")
        return value

    def namespace(self) -> Namespace:
        """`namespace`: omitted = the default namespace, empty = global, else that namespace."""
        value = self.one("namespace")
        if value is None:
            return DEFAULT
        if value == "":
            return None
        if len(value) > MAX_TAG_LENGTH:
            raise InvalidArgument(
                f"The namespace is {len(value)} characters long; a namespace is a tag of at most "
                f"{MAX_TAG_LENGTH} characters."
            )
        return value

    def tags(self, name: str = "tag") -> List[str]:
        """Repeated tag filters (`tag=a&tag=b`), each checked with Metaflow's tag rules."""
        values = self.values(name)
        if len(values) > MAX_TAG_FILTERS:
            raise InvalidArgument(
                f"{len(values)} '{name}' filters given; at most {MAX_TAG_FILTERS} are allowed "
                f"(a run holds at most {MAX_USER_TAGS} user tags)."
            )
        return [validate_tag(v) for v in values]

    def integer(
        self, name: str, *, default: Optional[int], minimum: int, maximum: int
    ) -> Optional[int]:
        """A whole number in [minimum, maximum], or `default` when absent."""
        value = self.one(name)
        if value is None:
            return default
        if not _DIGITS.match(value) or not minimum <= int(value) <= maximum:
            raise InvalidArgument(
                f"The '{name}' parameter must be a whole number from {minimum} to {maximum}, "
                f"got {_show(value)}."
            )
        return int(value)

    def boolean(self, name: str, *, default: bool) -> bool:
        """`1`/`true` or `0`/`false` (any case), or `default` when absent."""
        value = self.one(name)
        if value is None:
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise InvalidArgument(
            f"The '{name}' parameter must be 1 or 0 (true or false), got {_show(value)}."
        )

    def choice(self, name: str, choices: Sequence[str], *, default: str) -> str:
        """One of `choices`, or `default` when absent."""
        value = self.one(name)
        if value is None:
            return default
        if value not in choices:
            raise InvalidArgument(
                f"The '{name}' parameter must be {' or '.join(choices)}, got {_show(value)}."
            )
        return value


def json_object(body: bytes, *, max_size: int) -> Dict[str, Any]:
    """Parse a request body that must be a JSON object of at most `max_size` bytes."""
    if len(body) > max_size:
        raise BodyTooLarge(
            f"The request body is {len(body)} bytes; this server accepts at most {max_size}."
        )
    if not body.strip():
        raise InvalidJSON("The request body is empty; send a JSON object.")
    try:
        value = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidJSON("The request body is not UTF-8 text; send a JSON object.") from None
    except json.JSONDecodeError as exc:
        raise InvalidJSON(
            f"The request body is not valid JSON: {exc.msg} at line {exc.lineno}, "
            f"column {exc.colno}."
        ) from None
    except RecursionError:
        raise InvalidJSON("The request body nests JSON too deeply.") from None
    if not isinstance(value, dict):
        raise InvalidJSON(
            f"The request body must be a JSON object, got a JSON {_json_type(value)}."
        )
    return value


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def check_fields(
    body: Mapping[str, Any], required: Collection[str], optional: Collection[str]
) -> None:
    """Refuse unknown fields (a typo would silently do nothing) and missing required ones."""
    unknown = sorted(set(body) - set(required) - set(optional))
    if unknown:
        takes = ", ".join(sorted({*required, *optional}))
        names = ", ".join(_show(n, 40) for n in unknown[:5])
        raise InvalidArgument(f"Unknown field {names} in the request body; it takes {takes}.")
    missing = sorted(set(required) - set(body))
    if missing:
        raise InvalidArgument(f"The request body lacks the required field {', '.join(missing)}.")


def body_namespace(body: Mapping[str, Any]) -> Namespace:
    """`namespace` in a JSON body: absent = default, null or "" = global, else a string."""
    if "namespace" not in body:
        return DEFAULT
    value = body["namespace"]
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidArgument(
            f"'namespace' must be a string, or null for the global namespace; got a JSON "
            f"{_json_type(value)}."
        )
    if len(value) > MAX_TAG_LENGTH:
        raise InvalidArgument(
            f"The namespace is {len(value)} characters long; a namespace is a tag of at most "
            f"{MAX_TAG_LENGTH} characters."
        )
    return value


def body_string(body: Mapping[str, Any], name: str) -> str:
    """A required string field."""
    value = body.get(name)
    if not isinstance(value, str):
        raise InvalidArgument(f"'{name}' must be a string, got a JSON {_json_type(value)}.")
    return value


def body_tag_list(body: Mapping[str, Any], name: str) -> List[str]:
    """An optional list-of-tags field (absent or null = empty)."""
    from ..core.errors import InvalidTag

    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidTag(f"'{name}' must be a list of tags, got a JSON {_json_type(value)}.")
    if len(value) > MAX_TAG_EDIT:
        raise InvalidTag(
            f"'{name}' lists {len(value)} tags; a run holds at most {MAX_USER_TAGS} user tags."
        )
    return [validate_tag(v) for v in value]
