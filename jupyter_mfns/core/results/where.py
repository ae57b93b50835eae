"""Filtering and sorting runs by their parameters: the grammar, and the one comparison rule.

`where` expressions are `NAME OP LITERAL`: NAME a parameter name, OP one of `== != < <= > >=`,
LITERAL a JSON value (`0.5`, `"xgb"`, `true`, `null`, `[1, 2]`, `{"a": 1}`; `NaN`, `Infinity`
and `-Infinity` too, as Python's `json` reads them). Several expressions are ANDed.

How values compare (the index's SQL and `matches` below implement this rule, nothing else):
- a value belongs to one kind: **number** (int or float, NaN included; bool is not a number),
  **string**, **bool**, or **json** (None, lists, tuples, dicts: anything else decoded);
- an expression matches only a run whose parameter is decoded and of the literal's kind: a run
  without the parameter, with it opaque, or with a value of another kind never matches (so
  `alpha != 1` does not match a run whose alpha is the string "1");
- numbers compare as Python compares them (NaN is unequal to everything, ordered with
  nothing; integers beyond 64 bits compare as floats), strings by code point (Python's order,
  and SQLite's for UTF-8 text);
- bools and json values take only `==` and `!=` (an ordering of them is an invalid
  expression); json values are equal when their canonical JSON texts are.

Sorting by `param:NAME` (ascending) or `-param:NAME` (descending) puts runs in groups, each
group in value order: numbers, then NaN, then strings, then bools (false before true), then json
values (by canonical text), and last the runs without a decoded value; ties (and the NaN and
missing groups) newest first. Descending reverses the value order inside each group only.
"""

from __future__ import annotations

import json
import math
import operator
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ..errors import InvalidArgument
from ..safepickle import NotDecodable, to_json

#: sort groups (the index stores a parameter's group beside its value)
NUMBER, NAN, STRING, BOOL, JSON, MISSING = range(6)
#: integers SQLite holds exactly; larger ones are stored, and compared, as floats
_INT64 = (-(2**63), 2**63 - 1)
OPS: Dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
}
_EXPRESSION = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(==|!=|<=|>=|<|>)\s*(.*?)\s*$", re.S)
#: longest `where` expression accepted, and most expressions per query
MAX_EXPRESSION = 1000
MAX_EXPRESSIONS = 20
SORTS = ("created_at", "-created_at")
DEFAULT_SORT = "-created_at"


def canonical(value: Any) -> str:
    """The canonical JSON text of a decoded value (json kinds compare by it)."""
    return json.dumps(to_json(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def kind_and_value(value: Any) -> Tuple[int, Any]:
    """(group, comparable value) of a decoded parameter value; see the module docstring."""
    if isinstance(value, bool):
        return BOOL, int(value)
    if isinstance(value, int):
        return NUMBER, value if _INT64[0] <= value <= _INT64[1] else float(value)
    if isinstance(value, float):
        return (NAN, None) if math.isnan(value) else (NUMBER, value)
    if isinstance(value, str):
        return STRING, value
    return JSON, canonical(value)


def _kind(group: int) -> int:
    return NUMBER if group == NAN else group


@dataclass(frozen=True)
class Condition:
    """One parsed `where` expression."""

    name: str
    op: str
    group: int  # the literal's group (NAN for a NaN literal)
    value: Any  # the literal's comparable value (None for NaN)
    text: str

    def matches(self, value: Any) -> bool:
        """True when a run whose parameter decoded to `value` matches (the Python side of the
        rule: tests filter Metaflow's answers with it)."""
        group, comparable = kind_and_value(value)
        if _kind(group) != _kind(self.group):
            return False
        if group == NAN or self.group == NAN:
            return self.op == "!="
        return OPS[self.op](comparable, self.value)


def parse_condition(text: str) -> Condition:
    """A `where` expression, or InvalidArgument saying what is wrong with it."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidArgument("A where expression is empty; write NAME OP VALUE, e.g. alpha>=0.5.")
    if len(text) > MAX_EXPRESSION:
        raise InvalidArgument(f"A where expression is longer than {MAX_EXPRESSION} characters.")
    match = _EXPRESSION.match(text)
    if not match:
        hint = " (equality is ==)" if re.search(r"[^=!<>]=[^=]", text) else ""
        raise InvalidArgument(
            f"{_show(text)} is not NAME OP VALUE with OP one of == != < <= > >={hint}; "
            'e.g. alpha>=0.5 or model=="xgb".'
        )
    name, op, literal_text = match.groups()
    try:
        literal = json.loads(literal_text)
    except (ValueError, RecursionError):
        raise InvalidArgument(
            f"In {_show(text)}, {_show(literal_text)} is not a JSON value; quote strings "
            f'(model=="xgb"), write true/false/null in lower case.'
        ) from None
    try:
        group, value = kind_and_value(literal)
    except NotDecodable:
        raise InvalidArgument(f"In {_show(text)}, the value nests too deeply.") from None
    if op not in ("==", "!=") and _kind(group) in (BOOL, JSON):
        raise InvalidArgument(
            f"In {_show(text)}, {op} needs a number or a string; true, false, null, lists and "
            "objects take only == and !=."
        )
    return Condition(name, op, group, value, text.strip())


def parse_conditions(texts: Sequence[str]) -> List[Condition]:
    if len(texts) > MAX_EXPRESSIONS:
        raise InvalidArgument(f"At most {MAX_EXPRESSIONS} where expressions per query.")
    return [parse_condition(t) for t in texts]


@dataclass(frozen=True)
class Sort:
    """A runs order: by creation time (newest first by default) or by one parameter."""

    param: Optional[str]  # None: by created_at
    descending: bool

    @property
    def text(self) -> str:
        name = "created_at" if self.param is None else f"param:{self.param}"
        return f"-{name}" if self.descending else name


def parse_sort(text: Optional[str]) -> Sort:
    if text is None or text == "":
        text = DEFAULT_SORT
    descending = text.startswith("-")
    body = text[1:] if descending else text
    if body == "created_at":
        return Sort(None, descending)
    if body.startswith("param:") and re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", body[6:]):
        return Sort(body[6:], descending)
    raise InvalidArgument(
        f"sort {_show(text)} is not one of created_at, -created_at, param:NAME, -param:NAME."
    )


def sort_key(value: Any, present: bool, descending: bool) -> Tuple[int, Any]:
    """The Python side of the sort rule: the (group, value) a run sorts by, with `value`
    negated (numbers) or wrapped (text) for a descending order; ties are the caller's
    (newest first)."""
    if not present:
        return (MISSING, 0)
    group, comparable = kind_and_value(value)
    if comparable is None or not descending:
        return (group, comparable if comparable is not None else 0)
    return (group, _Reversed(comparable))


class _Reversed:
    """Orders values in reverse (a descending group inside an ascending sort)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Reversed) -> bool:
        return bool(other.value < self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and other.value == self.value


def _show(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")
