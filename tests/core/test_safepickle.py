"""The safe pickle reader: equal to `pickle.loads` on plain data, inert on everything else.

Given values of every plain type pickled by Python itself at every protocol (gzip-compressed or
not, as Metaflow stores blobs), when they are decoded without unpickling, then the result equals
what `pickle.loads` gives. Given pickles that would import or call code, when they are decoded,
then nothing runs and the value is refused (or, with objects=True, read as inert records).
"""

from __future__ import annotations

import collections
import gzip
import math
import os
import pickle
import pickletools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_mfns.core.safepickle import (
    NotDecodable,
    PickledObject,
    decode,
    decode_bool,
    to_json,
)

PROTOCOLS = range(0, pickle.HIGHEST_PROTOCOL + 1)

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=40)
    | st.binary(max_size=40)
)
hashables = st.recursive(
    scalars, lambda inner: st.tuples(inner, inner) | st.frozensets(inner, max_size=3), max_leaves=6
)
plain = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=10) | st.integers(), inner, max_size=5)
        | st.sets(hashables, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(value=plain, protocol=st.sampled_from(list(PROTOCOLS)), zipped=st.booleans())
def test_plain_values_equal_pickle_loads(value: object, protocol: int, zipped: bool) -> None:
    blob = pickle.dumps(value, protocol=protocol)
    if zipped:
        blob = gzip.compress(blob)
    assert decode(blob) == pickle.loads(gzip.decompress(blob) if zipped else blob)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_shared_references_and_non_finite_floats(protocol: int) -> None:
    shared = [1, 2]
    value = {"a": shared, "b": shared, "nan": math.nan, "inf": -math.inf, "t": (shared,)}
    got = decode(pickle.dumps(value, protocol=protocol))
    assert got["a"] is got["b"]  # the memo is kept as pickle keeps it
    assert math.isnan(got["nan"]) and got["inf"] == -math.inf
    assert to_json(got) == {
        "a": [1, 2],
        "b": [1, 2],
        "nan": "NaN",
        "inf": "-Infinity",
        "t": [[1, 2]],
    }


def test_to_json_of_bytes_sets_and_keys() -> None:
    value = {1: b"caf\xc3\xa9", None: {3, 1, 2}, 2.5: b"\xff"}
    assert to_json(value) == {"1": "café", "null": [1, 2, 3], "2.5": "\ufffd"}


def test_self_referencing_list_is_refused_by_to_json() -> None:
    loop: list = []
    loop.append(loop)
    decoded = decode(pickle.dumps(loop, protocol=4))
    assert decoded[0] is decoded
    with pytest.raises(NotDecodable):
        to_json(decoded)


class _Boom:
    def __reduce__(self):  # noqa: D105 - a pickle that runs a command when unpickled
        return (os.system, (f"touch {self.path}",))

    def __init__(self, path: str) -> None:
        self.path = path


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_code_running_pickles_never_run(tmp_path, protocol: int) -> None:
    marker = tmp_path / "pwned"
    blob = pickle.dumps({"alpha": _Boom(str(marker))}, protocol=protocol)
    with pytest.raises(NotDecodable, match="never"):
        decode(blob)
    # objects=True reads it as inert data, and still runs nothing
    record = decode(blob, objects=True)["alpha"]
    assert isinstance(record, PickledObject)
    assert record.name == "system" and record.args == (f"touch {marker}",)
    assert not marker.exists()


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_objects_mode_reads_instance_state(protocol: int) -> None:
    point = collections.OrderedDict(x=1)  # a class outside the plain subset
    record = decode(pickle.dumps(point, protocol=protocol), objects=True)
    assert isinstance(record, PickledObject) and record.qualname == "collections.OrderedDict"
    assert record.items == [("x", 1)]


def test_caps_and_garbage() -> None:
    with pytest.raises(NotDecodable, match="larger"):
        decode(gzip.compress(pickle.dumps("x" * 5000)), max_bytes=1000)
    with pytest.raises(NotDecodable, match="values"):
        decode(pickle.dumps(list(range(1000))), max_items=100)
    for garbage in (b"", b"not a pickle", b"\x1f\x8bnot gzip", pickle.dumps([1])[:-1]):
        with pytest.raises(NotDecodable):
            decode(garbage)


def test_every_opcode_is_either_handled_or_refused() -> None:
    """A new pickle protocol adding opcodes must be looked at, not silently mishandled."""
    known = {
        *(
            "PROTO FRAME STOP NONE NEWTRUE NEWFALSE INT BININT BININT1 BININT2 LONG LONG1 LONG4"
            " FLOAT BINFLOAT UNICODE BINUNICODE SHORT_BINUNICODE BINUNICODE8 BINBYTES"
            " SHORT_BINBYTES BINBYTES8 BYTEARRAY8 STRING BINSTRING SHORT_BINSTRING EMPTY_LIST"
            " EMPTY_DICT EMPTY_TUPLE EMPTY_SET MARK LIST TUPLE TUPLE1 TUPLE2 TUPLE3 DICT FROZENSET"
            " APPEND APPENDS SETITEM SETITEMS ADDITEMS PUT BINPUT LONG_BINPUT MEMOIZE GET BINGET"
            " LONG_BINGET POP POP_MARK DUP"
        ).split(),
    }
    refused = set(
        "GLOBAL STACK_GLOBAL REDUCE BUILD NEWOBJ NEWOBJ_EX INST OBJ PERSID BINPERSID EXT1 EXT2"
        " EXT4 NEXT_BUFFER READONLY_BUFFER".split()
    )
    assert {op.name for op in pickletools.opcodes} == known | refused


def test_decode_bool_keeps_its_contract() -> None:
    assert decode_bool(gzip.compress(pickle.dumps(True))) is True
    assert decode_bool(pickle.dumps(False, protocol=0)) is False
    assert decode_bool(pickle.dumps(1)) is None
    assert decode_bool(pickle.dumps(_Boom("/nonexistent"))) is None
