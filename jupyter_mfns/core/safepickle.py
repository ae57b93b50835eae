"""Read a pickled scalar (Metaflow's `_success`, `_task_ok`) without unpickling.

The server never runs `pickle.loads` on artifacts, which may come from anyone: `pickletools`
only disassembles the opcode stream, and we accept nothing but a lone bool/None/int.
"""

from __future__ import annotations

import gzip
import pickletools
from typing import Optional, Union

Scalar = Union[bool, int, None]

_CONSTANTS = {"NEWTRUE": True, "NEWFALSE": False, "NONE": None}
_FRAMING = {"PROTO", "FRAME", "STOP", "MEMOIZE"}
_INTS = {"BININT", "BININT1", "BININT2", "LONG1", "INT"}


class NotAScalar(ValueError):
    """The blob holds something other than a single bool/None/int."""


def decode_scalar(blob: bytes) -> Scalar:
    """Decode a (possibly gzip-compressed) pickle of a bool, None or int."""
    if blob[:2] == b"\x1f\x8b":
        blob = gzip.decompress(blob)
    if len(blob) > 64:
        raise NotAScalar("too large for a scalar pickle")
    values: list[Scalar] = []
    try:
        for op, arg, _pos in pickletools.genops(blob):
            if op.name in _FRAMING:
                continue
            if op.name in _CONSTANTS:
                values.append(_CONSTANTS[op.name])
            elif op.name in _INTS and isinstance(arg, int):
                values.append(arg)
            else:
                raise NotAScalar(f"unexpected opcode {op.name}")
    except (ValueError, EOFError) as exc:
        raise NotAScalar(str(exc)) from exc
    if len(values) != 1:
        raise NotAScalar("expected exactly one value")
    return values[0]


def decode_bool(blob: bytes) -> Optional[bool]:
    """A pickled bool as bool; None when the blob is not a plain bool."""
    try:
        value = decode_scalar(blob)
    except NotAScalar:
        return None
    return value if isinstance(value, bool) else None
