"""Read pickled artifact values without unpickling them.

The server never runs `pickle.loads` on artifacts, which may come from anyone: unpickling can
import any module and call any function. Here `pickletools.genops` only disassembles the opcode
stream, and a small stack machine rebuilds plain data from a safe subset of opcodes: None, bool,
int, float, str, bytes, and lists, tuples, dicts, sets and frozensets of them, with the memo
(shared references) as pickle keeps it. Any opcode that would import or call something (GLOBAL,
STACK_GLOBAL, REDUCE, BUILD, NEWOBJ, INST, OBJ, PERSID, EXT*) makes the value opaque.

One exception, opt-in: `decode(..., objects=True)` turns `module.name` references and the calls
or state applied to them into inert `PickledObject` records (names and data, nothing imported,
nothing called). The failure reader uses it to read the message out of Metaflow's pickled
`MetaflowExceptionWrapper` (`_exception`).
"""

from __future__ import annotations

import gzip
import io
import math
import pickletools
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple, Union

Scalar = Union[bool, int, None]

#: decompressed bytes a blob may have before it is called too large to read here
MAX_BYTES = 1 << 20
#: values (items of containers included) one blob may build
MAX_ITEMS = 100_000
#: encodings (Metaflow's `<attempt>.data.json` "encoding") whose blobs are pickles
PICKLE_ENCODINGS = frozenset({"pickle-v2", "pickle-v4", "gzip+pickle-v2", "gzip+pickle-v4"})


class NotDecodable(ValueError):
    """The blob holds something this decoder will not rebuild (or is not a pickle at all)."""


#: kept for callers of the scalar reader
NotAScalar = NotDecodable


@dataclass
class PickledObject:
    """What a pickle says about an object of class `module.name`, never instantiated: the
    arguments it would be called with and the state it would be given (`called` is False for
    a bare reference to the class or function itself)."""

    module: str
    name: str
    args: Tuple[Any, ...] = ()
    state: Any = None
    called: bool = False
    #: what the pickle appends or sets on the object (list items, or (key, value) pairs)
    items: List[Any] = field(default_factory=list)

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass(frozen=True)
class _Builtin:
    """A reference to one of the few constructors protocols 0-3 use for plain data (bytes are
    `_codecs.encode(text, "latin1")`, sets `builtins.set(list)`); applied by our own code."""

    module: str
    name: str


def _latin1(text: Any, encoding: Any = "utf-8") -> bytes:
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise NotDecodable("an unexpected _codecs.encode call")
    return text.encode("latin-1")


def _items(kind: Any) -> Any:
    def build(items: Any = ()) -> Any:
        if not isinstance(items, (list, tuple)):
            raise NotDecodable(f"an unexpected {kind.__name__}() call")
        return kind(_freeze(v) for v in items) if kind is not bytes else bytes(items)

    return build


#: the constructors `_Builtin` may name, implemented here (never looked up by name)
_BUILTINS: Dict[Tuple[str, str], Any] = {
    ("_codecs", "encode"): _latin1,
    ("builtins", "set"): _items(set),
    ("__builtin__", "set"): _items(set),
    ("builtins", "frozenset"): _items(frozenset),
    ("__builtin__", "frozenset"): _items(frozenset),
    ("builtins", "bytes"): _items(bytes),
    ("__builtin__", "bytes"): _items(bytes),
    ("builtins", "bytearray"): lambda *a: _latin1(*a) if a else b"",
    ("__builtin__", "bytearray"): lambda *a: _latin1(*a) if a else b"",
}


class _Mark:
    """pickle's MARK: where a variable-length group of stack items begins."""


_MARK = _Mark()
_INTS = {"INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4"}
_TEXT = {"UNICODE", "BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8"}
_BYTES = {"BINBYTES", "SHORT_BINBYTES", "BINBYTES8", "BYTEARRAY8"}
_PY2_STR = {"STRING", "BINSTRING", "SHORT_BINSTRING"}  # Python 2 str: unpickled as ASCII text
_NOOP = {"PROTO", "FRAME"}
_CONSTANTS = {"NONE": None, "NEWTRUE": True, "NEWFALSE": False}


def _unzip(blob: bytes, max_bytes: int) -> bytes:
    if blob[:2] != b"\x1f\x8b":
        return blob
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(blob)) as f:
            data = f.read(max_bytes + 1)
    except (OSError, EOFError) as exc:
        raise NotDecodable(f"not a readable gzip stream ({exc})") from None
    if len(data) > max_bytes:
        raise NotDecodable(f"larger than {max_bytes} bytes once decompressed")
    return data


def _pop_mark(stack: List[Any]) -> List[Any]:
    """The items above the topmost MARK (removed with it)."""
    for i in range(len(stack) - 1, -1, -1):
        if stack[i] is _MARK:
            items = stack[i + 1 :]
            del stack[i:]
            return items
    raise NotDecodable("MARK missing")


def _freeze(value: Any) -> Any:
    if isinstance(value, PickledObject) or not _hashable(value):
        raise NotDecodable("an unhashable dict key or set member")
    return value


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def decode(
    blob: bytes,
    *,
    objects: bool = False,
    max_bytes: int = MAX_BYTES,
    max_items: int = MAX_ITEMS,
) -> Any:
    """The value pickled in `blob` (gzip-compressed or not), rebuilt without unpickling.

    Raises NotDecodable when the pickle needs anything beyond plain data (or, with
    `objects=True`, beyond inert PickledObject records), or is larger than the caps.
    """
    data = _unzip(blob, max_bytes)
    if len(data) > max_bytes:
        raise NotDecodable(f"larger than {max_bytes} bytes")
    stack: List[Any] = []
    memo: Dict[int, Any] = {}
    built = 0
    try:
        for op, raw_arg, _pos in pickletools.genops(data):
            arg: Any = raw_arg
            name = op.name
            built += 1
            if built > max_items:
                raise NotDecodable(f"more than {max_items} values")
            if name in _NOOP:
                continue
            if name == "STOP":
                if len(stack) != 1:
                    raise NotDecodable("malformed pickle (stack at STOP)")
                return stack[0]
            if name in _CONSTANTS:
                stack.append(_CONSTANTS[name])
            elif name in _INTS:
                stack.append(arg)  # protocol 0 INT gives True/False for "01"/"00"
            elif name in ("FLOAT", "BINFLOAT"):
                stack.append(float(arg))
            elif name in _TEXT:
                stack.append(str(arg))
            elif name in _BYTES:
                stack.append(bytes(arg))
            elif name in _PY2_STR:
                raw = arg if isinstance(arg, bytes) else str(arg).encode("latin-1")
                try:
                    stack.append(raw.decode("ascii"))
                except UnicodeDecodeError:
                    raise NotDecodable("a Python 2 str that is not ASCII") from None
            elif name == "EMPTY_LIST":
                stack.append([])
            elif name == "EMPTY_DICT":
                stack.append({})
            elif name == "EMPTY_TUPLE":
                stack.append(())
            elif name == "EMPTY_SET":
                stack.append(set())
            elif name == "MARK":
                stack.append(_MARK)
            elif name == "LIST":
                stack.append(_pop_mark(stack))
            elif name == "TUPLE":
                stack.append(tuple(_pop_mark(stack)))
            elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
                n = int(name[-1])
                if len(stack) < n:
                    raise NotDecodable("malformed pickle (short stack)")
                group = tuple(stack[-n:])
                del stack[-n:]
                stack.append(group)
            elif name == "DICT":
                items = _pop_mark(stack)
                stack.append({_freeze(k): v for k, v in zip(items[::2], items[1::2])})
            elif name == "FROZENSET":
                stack.append(frozenset(_freeze(v) for v in _pop_mark(stack)))
            elif objects and name in _ADDS and _on_object(stack, name):
                pass
            elif name == "APPEND":
                value = stack.pop()
                _target(stack, list).append(value)
            elif name == "APPENDS":
                items = _pop_mark(stack)
                _target(stack, list).extend(items)
            elif name == "SETITEM":
                value, key = stack.pop(), stack.pop()
                _target(stack, dict)[_freeze(key)] = value
            elif name == "SETITEMS":
                items = _pop_mark(stack)
                target = _target(stack, dict)
                for k, v in zip(items[::2], items[1::2]):
                    target[_freeze(k)] = v
            elif name == "ADDITEMS":
                items = _pop_mark(stack)
                target_set = _target(stack, set)
                for v in items:
                    target_set.add(_freeze(v))
            elif name in ("PUT", "BINPUT", "LONG_BINPUT"):
                memo[int(arg)] = stack[-1]
            elif name == "MEMOIZE":
                memo[len(memo)] = stack[-1]
            elif name in ("GET", "BINGET", "LONG_BINGET"):
                if int(arg) not in memo:
                    raise NotDecodable("malformed pickle (memo)")
                stack.append(memo[int(arg)])
            elif name == "POP":
                stack.pop()
            elif name == "POP_MARK":
                _pop_mark(stack)
            elif name == "DUP":
                stack.append(stack[-1])
            elif name in ("GLOBAL", "STACK_GLOBAL"):
                if name == "GLOBAL":
                    module, _, attr = str(arg).partition(" ")
                else:
                    attr, module = stack.pop(), stack.pop()
                    if not isinstance(module, str) or not isinstance(attr, str):
                        raise NotDecodable("malformed pickle (STACK_GLOBAL)")
                if (module, attr) in _BUILTINS:
                    stack.append(_Builtin(module, attr))
                elif objects:
                    stack.append(PickledObject(module, attr))
                else:
                    raise NotDecodable(
                        f"the pickle needs {module}.{attr}, which this reader never imports"
                    )
            elif name == "REDUCE" and len(stack) >= 2 and isinstance(stack[-2], _Builtin):
                args, ref = stack.pop(), stack.pop()
                if not isinstance(args, tuple):
                    raise NotDecodable("malformed pickle (REDUCE)")
                stack.append(_BUILTINS[(ref.module, ref.name)](*args))
            elif objects and name in ("REDUCE", "NEWOBJ"):
                args, ref = stack.pop(), stack.pop()
                if not isinstance(ref, PickledObject) or not isinstance(args, tuple):
                    raise NotDecodable(f"malformed pickle ({name})")
                stack.append(PickledObject(ref.module, ref.name, args, called=True))
            elif objects and name == "BUILD":
                state = stack.pop()
                _target(stack, PickledObject).state = state
            else:
                raise NotDecodable(f"the pickle needs {name}, which this reader never runs")
    except (ValueError, EOFError, IndexError) as exc:
        if isinstance(exc, NotDecodable):
            raise
        raise NotDecodable(f"not a readable pickle ({exc})") from None
    raise NotDecodable("malformed pickle (no STOP)")


_ADDS = {"APPEND", "APPENDS", "SETITEM", "SETITEMS"}


def _on_object(stack: List[Any], name: str) -> bool:
    """Record APPEND(S)/SETITEM(S) aimed at a PickledObject in its `items`; False when the
    target is a plain container (the caller then applies the opcode)."""
    if name in ("APPEND", "SETITEM"):
        width = 1 if name == "APPEND" else 2
        if len(stack) <= width or not isinstance(stack[-1 - width], PickledObject):
            return False
        values = stack[-width:]
        del stack[-width:]
    else:
        marks = [i for i, v in enumerate(stack) if v is _MARK]
        if not marks or marks[-1] == 0 or not isinstance(stack[marks[-1] - 1], PickledObject):
            return False
        values = _pop_mark(stack)
    target: PickledObject = stack[-1]
    if name.startswith("SETITEM"):
        target.items.extend(zip(values[::2], values[1::2]))
    else:
        target.items.extend(values)
    return True


def _target(stack: List[Any], kind: type) -> Any:
    if not stack or not isinstance(stack[-1], kind):
        raise NotDecodable("malformed pickle (unexpected container)")
    return stack[-1]


def decode_scalar(blob: bytes) -> Scalar:
    """Decode a (possibly gzip-compressed) pickle of a bool, None or int."""
    value = decode(blob, max_bytes=64)
    if value is not None and not isinstance(value, int):
        raise NotDecodable("not a bool, None or int")
    return value


def decode_bool(blob: bytes) -> Optional[bool]:
    """A pickled bool as bool; None when the blob is not a plain bool."""
    try:
        value = decode_scalar(blob)
    except NotDecodable:
        return None
    return value if isinstance(value, bool) else None


#: nesting depth `to_json` follows (a pickle can hold a list that contains itself)
MAX_DEPTH = 64


def to_json(value: Any, _depth: int = 0) -> Any:
    """A decoded value as JSON can carry it: tuples and sets as lists (sets sorted when they
    can be), bytes as UTF-8 text (invalid bytes replaced), non-finite floats as the strings
    "NaN", "Infinity", "-Infinity", dict keys as strings (JSON's own rule)."""
    if _depth > MAX_DEPTH:
        raise NotDecodable(f"nested deeper than {MAX_DEPTH} levels (or self-referencing)")
    inner = _depth + 1
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, (list, tuple)):
        return [to_json(v, inner) for v in value]
    if isinstance(value, (set, frozenset)):
        items = [to_json(v, inner) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(value, dict):
        return {_json_key(k): to_json(v, inner) for k, v in value.items()}
    if isinstance(value, PickledObject):
        return {"__object__": value.qualname}
    raise NotDecodable(f"cannot express {type(value).__name__} in JSON")


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, bool):
        return {None: "null", True: "true", False: "false"}[key]
    if isinstance(key, float):
        value = to_json(key)
        return value if isinstance(value, str) else repr(key)
    return str(key) if isinstance(key, int) else str(to_json(key))
