"""Rules for loading an artifact into pandas.

`to_pandas(obj)` turns tabular artifacts into pandas objects and leaves everything else
alone, always saying why in one sentence (`Conversion.note`). It never raises.

- pandas `DataFrame` / `Series`: unchanged (already pandas).
- `dict` whose values are all 1-D list-likes (list, tuple, 1-D numpy array, pandas Series)
  of one length: `DataFrame`, one column per key, in key order.
- `dict` of scalars, e.g. `{"lr": 0.1, "epochs": 3}`: unchanged. It is a record, not a table,
  and pandas has no single obvious shape for it (`pd.Series(d)` makes one).
- `dict` with ragged, nested or mixed values, and the empty `dict`: unchanged.
- `list` of dicts: `DataFrame`, columns in first-seen key order, missing keys as NaN.
- `list` of namedtuples of one type: `DataFrame` with the field names as columns.
- `list` of dataclass instances of one type: `DataFrame` with the fields as columns.
- other lists (scalars, plain tuples, mixed items) and the empty list: unchanged.
- 1-D numpy array: `Series` (a 1-D structured array: `DataFrame` with its field names).
- 2-D numpy array: `DataFrame` with columns `0..k-1`.
- numpy arrays of 0 or 3+ dimensions, numpy scalars: unchanged.
- polars `DataFrame` / `Series`: pandas `DataFrame` / `Series`. A polars `LazyFrame` is
  unchanged: collecting it could be arbitrarily expensive.
- pyarrow `Table` / `RecordBatch`: `DataFrame`; pyarrow `ChunkedArray` / `Array`: `Series`.
- anything else (scalars, strings, bytes, sets, tuples, generators, models, ...): unchanged.

Dict values that are pandas Series keep their index when all of them share one index;
otherwise values are taken by position. Generators and other iterators are never consumed.
polars and pyarrow are imported only when the object's type comes from them, so importing
this module stays cheap.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, Optional

__all__ = ["Conversion", "to_pandas"]


@dataclass(frozen=True)
class Conversion:
    """The outcome of `to_pandas`.

    value: the pandas object, or the original object when not converted.
    converted: True when `value` is a pandas DataFrame or Series.
    kind: "DataFrame", "Series", or the original type's qualified name (e.g. "set").
    note: one human sentence saying what happened and why.
    """

    value: Any
    converted: bool
    kind: str
    note: str


def type_name(obj: Any) -> str:
    """Qualified name of obj's type, without the `builtins.` prefix."""
    cls = type(obj)
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


def to_pandas(obj: Any) -> Conversion:
    """Convert `obj` to a pandas DataFrame or Series when it is tabular (see module docstring).

    Never raises: a failed conversion returns the object unchanged with a note naming the error.
    """
    import pandas as pd

    if isinstance(obj, pd.DataFrame):
        return Conversion(obj, True, "DataFrame", "already a pandas DataFrame; unchanged")
    if isinstance(obj, pd.Series):
        return Conversion(obj, True, "Series", "already a pandas Series; unchanged")

    top_module = type(obj).__module__.split(".", 1)[0]
    rule: Optional[Callable[[Any], Conversion]] = {
        "numpy": _from_numpy,
        "polars": _from_polars,
        "pyarrow": _from_pyarrow,
    }.get(top_module)
    if rule is None and isinstance(obj, dict):
        rule = _from_dict
    elif rule is None and isinstance(obj, list):
        rule = _from_list
    if rule is None:
        return _unchanged(obj, f"{type_name(obj)} is not tabular")
    try:
        return rule(obj)
    except Exception as error:  # the contract is "never raises": report instead
        return _unchanged(
            obj, f"conversion of {type_name(obj)} failed ({type(error).__name__}: {error})"
        )


def _unchanged(obj: Any, why: str) -> Conversion:
    return Conversion(obj, False, type_name(obj), f"{why}; left unchanged")


def _frame(value: Any, what: str) -> Conversion:
    rows, cols = value.shape
    return Conversion(
        value, True, "DataFrame", f"{what} -> DataFrame ({rows} rows x {cols} columns)"
    )


def _series(value: Any, what: str) -> Conversion:
    return Conversion(value, True, "Series", f"{what} -> Series ({len(value)} values)")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _from_numpy(obj: Any) -> Conversion:
    import numpy as np
    import pandas as pd

    if not isinstance(obj, np.ndarray):
        return _unchanged(obj, f"{type_name(obj)} is a numpy scalar, not tabular")
    if obj.ndim == 1 and obj.dtype.names:
        return _frame(pd.DataFrame(obj), "1-D structured numpy array")
    if obj.ndim == 1:
        return _series(pd.Series(obj), "1-D numpy array")
    if obj.ndim == 2:
        return _frame(pd.DataFrame(obj), "2-D numpy array")
    return _unchanged(obj, f"numpy array with {obj.ndim} dimensions is not tabular")


def _from_polars(obj: Any) -> Conversion:
    import polars as pl

    if isinstance(obj, pl.DataFrame):
        return _frame(obj.to_pandas(), "polars DataFrame")
    if isinstance(obj, pl.Series):
        return _series(obj.to_pandas(), "polars Series")
    if isinstance(obj, pl.LazyFrame):
        return _unchanged(obj, "polars LazyFrame is not collected (call .collect() first)")
    return _unchanged(obj, f"{type_name(obj)} is not tabular")


def _from_pyarrow(obj: Any) -> Conversion:
    import pyarrow as pa

    if isinstance(obj, pa.Table):
        return _frame(obj.to_pandas(), "pyarrow Table")
    if isinstance(obj, pa.RecordBatch):
        return _frame(obj.to_pandas(), "pyarrow RecordBatch")
    if isinstance(obj, (pa.ChunkedArray, pa.Array)):
        return _series(obj.to_pandas(), f"pyarrow {type(obj).__name__}")
    return _unchanged(obj, f"{type_name(obj)} is not tabular")


def _column_length(value: Any) -> Optional[int]:
    """Length of a 1-D list-like usable as a column, or None when value is not one."""
    import numpy as np
    import pandas as pd

    if isinstance(value, (list, tuple, pd.Series)):
        return len(value)
    if isinstance(value, np.ndarray) and value.ndim == 1:
        return len(value)
    return None


def _from_dict(obj: dict[Any, Any]) -> Conversion:
    import pandas as pd

    if not obj:
        return _unchanged(obj, "empty dict has no columns")
    lengths = [_column_length(value) for value in obj.values()]
    if all(length is None for length in lengths):
        return _unchanged(
            obj,
            f"dict of {_plural(len(obj), 'scalar value')} is a record, not a table "
            "(pd.Series(value) makes it one)",
        )
    if any(length is None for length in lengths):
        return _unchanged(obj, "dict mixes list-like and other values, so it is not a table")
    known = [length for length in lengths if length is not None]
    if len(set(known)) > 1:
        return _unchanged(obj, f"dict columns have different lengths ({min(known)}..{max(known)})")
    values = list(obj.values())
    columns: Any = obj
    if any(isinstance(v, pd.Series) for v in values):
        first = values[0]
        one_index = all(isinstance(v, pd.Series) for v in values) and all(
            v.index.equals(first.index) for v in values
        )
        if not one_index:
            # pandas would align differing indexes into NaN-padded rows; take values by position.
            columns = {k: v.to_numpy() if isinstance(v, pd.Series) else v for k, v in obj.items()}
    what = f"dict of {len(obj)} equal-length columns"
    return _frame(pd.DataFrame(columns), what)


def _from_list(obj: list[Any]) -> Conversion:
    import pandas as pd

    if not obj:
        return _unchanged(obj, "empty list has no columns")
    first = obj[0]
    if all(isinstance(item, dict) for item in obj):
        return _frame(pd.DataFrame(obj), f"list of {_plural(len(obj), 'dict')}")
    fields = getattr(first, "_fields", None)
    if isinstance(first, tuple) and fields is not None:
        if all(type(item) is type(first) for item in obj):
            return _frame(
                pd.DataFrame(obj, columns=list(fields)),
                f"list of {_plural(len(obj), type(first).__name__ + ' namedtuple')}",
            )
        return _unchanged(obj, "list holds namedtuples of different types")
    if dataclasses.is_dataclass(first) and not isinstance(first, type):
        if all(type(item) is type(first) for item in obj):
            return _frame(
                pd.DataFrame([dataclasses.asdict(item) for item in obj]),
                f"list of {_plural(len(obj), type(first).__name__ + ' dataclass')}",
            )
        return _unchanged(obj, "list holds dataclasses of different types")
    item_types = sorted({type_name(item) for item in obj})
    if len(item_types) == 1:
        return _unchanged(obj, f"list of {item_types[0]} is not tabular")
    return _unchanged(obj, f"list of mixed items ({', '.join(item_types[:4])}) is not tabular")
