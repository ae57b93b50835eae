"""`compare_values(a, b, ..., names=[...])`: what differs between one artifact's values in
several runs, as the compare tab's "Load both into notebook" cell shows it.

- DataFrames (or Series) with the same labels: `DataFrame.compare` (`Series.compare`), the
  cells that differ side by side (an empty frame when none does);
- DataFrames whose shapes or labels do not line up: the columns that differ, one row per
  column with its dtype in each run and why it differs (missing, dtype, values);
- anything else: the values side by side (a Series indexed by the runs' names).
More than two values: each is compared with the first, every result displayed in turn.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence


def _aligned(a: Any, b: Any) -> Optional[Any]:
    """`b` with `a`'s labels when both frames hold the same labels (order aside), else None."""
    import pandas as pd

    if isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame):
        same = set(a.columns) == set(b.columns) and a.index.sort_values().equals(
            b.index.sort_values()
        )
        if same and a.index.is_unique and b.index.is_unique and a.columns.is_unique:
            return b.loc[a.index, a.columns]
        return None
    if isinstance(a, pd.Series) and isinstance(b, pd.Series):
        if a.index.is_unique and set(a.index) == set(b.index) and b.index.is_unique:
            return b.loc[a.index]
    return None


def columns_that_differ(a: Any, b: Any, names: Sequence[str]) -> Any:
    """One row per column of either frame whose presence, dtype or values differ."""
    import pandas as pd

    first, second = names
    rows: List[dict] = []
    for column in list(dict.fromkeys([*a.columns, *b.columns])):
        left = a[column] if column in a.columns else None
        right = b[column] if column in b.columns else None
        why = None
        if left is None or right is None:
            why = f"only in {first if right is None else second}"
        elif left.dtype != right.dtype:
            why = "dtype"
        elif len(left) != len(right) or not left.reset_index(drop=True).equals(
            right.reset_index(drop=True)
        ):
            why = "values"
        if why is not None:
            rows.append(
                {
                    "column": column,
                    first: None if left is None else str(left.dtype),
                    second: None if right is None else str(right.dtype),
                    "differs": why,
                }
            )
    frame = pd.DataFrame(rows, columns=["column", first, second, "differs"]).set_index("column")
    frame.attrs["shapes"] = {first: a.shape, second: b.shape}
    return frame


def _pair(a: Any, b: Any, names: Sequence[str]) -> Any:
    import pandas as pd

    aligned = _aligned(a, b)
    if aligned is not None:
        return a.compare(aligned, result_names=(names[0], names[1]))
    if isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame):
        return columns_that_differ(a, b, names)
    return pd.Series([a, b], index=list(names), dtype=object, name="value")


def compare_values(*values: Any, names: Optional[Sequence[str]] = None) -> Any:
    """What differs between `values` (one artifact loaded from each run, named `names`)."""
    if len(values) < 2:
        raise ValueError("compare_values needs two values or more")
    labels = [str(n) for n in names] if names is not None else [str(i) for i in range(len(values))]
    if len(labels) != len(values):
        raise ValueError(f"{len(values)} values but {len(labels)} names")
    if len(values) == 2:
        return _pair(values[0], values[1], labels)
    from IPython.display import display

    for value, label in zip(values[1:], labels[1:]):
        print(f"{labels[0]} vs {label}:")
        display(_pair(values[0], value, [labels[0], label]))
    return None
