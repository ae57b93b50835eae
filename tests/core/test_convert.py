"""Load-into-pandas rules: every rule converts with the right contents or explains why not."""

from __future__ import annotations

import subprocess
import sys
from collections import namedtuple
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from jupyter_mfns.core.convert import Conversion, to_pandas

Point = namedtuple("Point", ["x", "y"])
Other = namedtuple("Other", ["x", "y"])


@dataclass
class Row:
    name: str
    score: float


def assert_unchanged(result: Conversion, original: object, kind: str, because: str) -> None:
    assert result.converted is False
    assert result.value is original
    assert result.kind == kind
    assert because in result.note
    assert result.note.endswith("left unchanged")


# --- already pandas ---------------------------------------------------------------------------


def test_dataframe_and_series_pass_through_as_the_same_objects() -> None:
    # Given pandas objects
    frame = pd.DataFrame({"a": [1, 2]})
    series = pd.Series([1.5, 2.5], name="s")
    # When converted
    got_frame, got_series = to_pandas(frame), to_pandas(series)
    # Then they are returned as they are
    assert got_frame == Conversion(
        frame, True, "DataFrame", "already a pandas DataFrame; unchanged"
    )
    assert got_frame.value is frame
    assert got_series.value is series and got_series.converted and got_series.kind == "Series"
    assert "unchanged" in got_series.note


# --- dicts ------------------------------------------------------------------------------------


def test_dict_of_equal_length_columns_becomes_a_dataframe() -> None:
    # Given a dict of a list, a tuple, a numpy array and a Series, all of length 3
    data = {
        "name": ["a", "b", "c"],
        "n": (1, 2, 3),
        "score": np.array([0.5, 0.25, 0.125]),
        "flag": pd.Series([True, False, True]),
    }
    # When converted
    result = to_pandas(data)
    # Then each key is a column with the given values, in key order
    assert result.converted and result.kind == "DataFrame"
    assert result.note == "dict of 4 equal-length columns -> DataFrame (3 rows x 4 columns)"
    frame = result.value
    assert list(frame.columns) == ["name", "n", "score", "flag"]
    assert frame["name"].tolist() == ["a", "b", "c"]
    assert frame["n"].dtype == np.int64 and frame["n"].tolist() == [1, 2, 3]
    assert frame["score"].dtype == np.float64 and frame["score"].tolist() == [0.5, 0.25, 0.125]
    assert frame["flag"].dtype == bool and frame["flag"].tolist() == [True, False, True]
    assert frame.index.tolist() == [0, 1, 2]


def test_dict_of_series_sharing_an_index_keeps_that_index() -> None:
    # Given Series columns indexed by the same labels
    index = ["x", "y"]
    data = {"a": pd.Series([1, 2], index=index), "b": pd.Series([3, 4], index=index)}
    # When converted
    frame = to_pandas(data).value
    # Then the frame is indexed by those labels
    assert frame.index.tolist() == ["x", "y"]
    assert frame.loc["y"].tolist() == [2, 4]


def test_dict_of_series_with_different_indexes_is_taken_by_position() -> None:
    # Given equal-length Series whose indexes differ (pandas would align them into 4 NaN rows)
    data = {"a": pd.Series([1, 2], index=[0, 1]), "b": pd.Series([3, 4], index=[5, 6])}
    # When converted
    frame = to_pandas(data).value
    # Then rows pair the values by position
    assert frame.shape == (2, 2)
    assert frame["b"].tolist() == [3, 4]
    assert frame.index.tolist() == [0, 1]


def test_dict_of_empty_columns_is_an_empty_frame_with_those_columns() -> None:
    result = to_pandas({"a": [], "b": []})
    assert result.converted
    assert list(result.value.columns) == ["a", "b"]
    assert len(result.value) == 0


def test_dict_of_scalars_is_a_record_and_stays_a_dict() -> None:
    # Given hyper-parameters: a dict of scalars
    params = {"lr": 0.1, "epochs": 3, "model": "resnet"}
    # When converted
    result = to_pandas(params)
    # Then it is left as the dict, with the way to make it pandas in the note
    assert_unchanged(result, params, "dict", "dict of 3 scalar values is a record, not a table")
    assert "pd.Series(value)" in result.note


def test_ragged_dict_stays_a_dict_and_says_the_lengths() -> None:
    ragged = {"a": [1, 2, 3], "b": [1, 2]}
    assert_unchanged(to_pandas(ragged), ragged, "dict", "different lengths (2..3)")


def test_nested_ragged_dict_stays_a_dict() -> None:
    nested = {"train": {"loss": [0.9, 0.5, 0.1]}, "test": {"loss": [0.7]}}
    assert_unchanged(to_pandas(nested), nested, "dict", "record, not a table")


def test_dict_mixing_columns_and_scalars_stays_a_dict() -> None:
    mixed = {"a": [1, 2], "b": 3}
    assert_unchanged(to_pandas(mixed), mixed, "dict", "mixes list-like and other values")


def test_dict_with_a_2d_array_value_is_not_a_column() -> None:
    value = {"a": [1, 2], "m": np.zeros((2, 2))}
    assert_unchanged(to_pandas(value), value, "dict", "mixes list-like and other values")


def test_empty_dict_stays_a_dict() -> None:
    empty: dict[str, list[int]] = {}
    assert_unchanged(to_pandas(empty), empty, "dict", "empty dict")


# --- lists ------------------------------------------------------------------------------------


def test_list_of_dicts_becomes_a_dataframe() -> None:
    rows = [{"id": 1, "label": "cat"}, {"id": 2, "label": "dog"}]
    result = to_pandas(rows)
    assert result.converted and result.kind == "DataFrame"
    assert result.note == "list of 2 dicts -> DataFrame (2 rows x 2 columns)"
    assert result.value.to_dict("list") == {"id": [1, 2], "label": ["cat", "dog"]}
    assert result.value["id"].dtype == np.int64


def test_list_of_mixed_dicts_unions_the_keys_with_nan_for_missing() -> None:
    # Given records that do not all have the same keys
    rows = [{"a": 1, "b": 2.5}, {"a": 2, "c": "x"}]
    # When converted
    frame = to_pandas(rows).value
    # Then columns are the union in first-seen order and missing cells are NaN
    assert list(frame.columns) == ["a", "b", "c"]
    assert frame["a"].tolist() == [1, 2]
    assert frame["b"].iloc[0] == 2.5 and np.isnan(frame["b"].iloc[1])
    assert pd.isna(frame["c"].iloc[0]) and frame["c"].iloc[1] == "x"


def test_list_of_namedtuples_uses_the_field_names() -> None:
    points = [Point(1, 2.0), Point(3, 4.0), Point(5, 6.0)]
    result = to_pandas(points)
    assert result.converted
    assert result.note == "list of 3 Point namedtuples -> DataFrame (3 rows x 2 columns)"
    assert list(result.value.columns) == ["x", "y"]
    assert result.value["x"].tolist() == [1, 3, 5]
    assert result.value["y"].dtype == np.float64


def test_list_of_namedtuples_of_different_types_stays_a_list() -> None:
    mixed = [Point(1, 2), Other(3, 4)]
    assert_unchanged(to_pandas(mixed), mixed, "list", "namedtuples of different types")


def test_list_of_dataclasses_uses_the_fields() -> None:
    rows = [Row("a", 1.0), Row("b", 0.5)]
    frame = to_pandas(rows).value
    assert frame.to_dict("list") == {"name": ["a", "b"], "score": [1.0, 0.5]}


def test_empty_list_stays_a_list() -> None:
    empty: list[dict[str, int]] = []
    assert_unchanged(to_pandas(empty), empty, "list", "empty list has no columns")


def test_list_of_scalars_and_list_of_mixed_items_stay_lists() -> None:
    numbers = [1, 2, 3]
    assert_unchanged(to_pandas(numbers), numbers, "list", "list of int is not tabular")
    mixed = [{"a": 1}, 2]
    assert_unchanged(to_pandas(mixed), mixed, "list", "list of mixed items (dict, int)")


def test_list_of_plain_tuples_stays_a_list() -> None:
    rows = [(1, 2), (3, 4)]
    assert_unchanged(to_pandas(rows), rows, "list", "list of tuple is not tabular")


# --- numpy ------------------------------------------------------------------------------------


def test_1d_array_becomes_a_series_with_its_dtype() -> None:
    result = to_pandas(np.array([1.5, 2.5, 3.5], dtype=np.float32))
    assert result.converted and result.kind == "Series"
    assert result.note == "1-D numpy array -> Series (3 values)"
    assert result.value.dtype == np.float32
    assert result.value.tolist() == [1.5, 2.5, 3.5]


def test_2d_array_becomes_a_dataframe_with_numbered_columns() -> None:
    result = to_pandas(np.arange(6, dtype=np.int32).reshape(2, 3))
    assert result.converted and result.kind == "DataFrame"
    assert result.value.shape == (2, 3)
    assert list(result.value.columns) == [0, 1, 2]
    assert result.value.values.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert (result.value.dtypes == np.int32).all()


def test_structured_array_becomes_a_dataframe_with_its_field_names() -> None:
    records = np.array([(1, 2.0), (3, 4.0)], dtype=[("id", "i8"), ("w", "f8")])
    frame = to_pandas(records).value
    assert frame.to_dict("list") == {"id": [1, 3], "w": [2.0, 4.0]}


def test_3d_array_and_numpy_scalars_stay_as_they_are() -> None:
    cube = np.zeros((2, 2, 2))
    assert_unchanged(to_pandas(cube), cube, "numpy.ndarray", "3 dimensions is not tabular")
    zero_d = np.array(5)
    assert_unchanged(to_pandas(zero_d), zero_d, "numpy.ndarray", "0 dimensions")
    scalar = np.float64(1.5)
    assert_unchanged(to_pandas(scalar), scalar, "numpy.float64", "numpy scalar")


# --- polars and pyarrow -----------------------------------------------------------------------


def test_polars_dataframe_and_series_become_pandas() -> None:
    # Given polars objects
    frame = pl.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    series = pl.Series("s", [0.5, 1.5])
    # When converted
    got_frame, got_series = to_pandas(frame), to_pandas(series)
    # Then they are pandas objects with the same contents and names
    assert got_frame.converted and isinstance(got_frame.value, pd.DataFrame)
    assert got_frame.note == "polars DataFrame -> DataFrame (3 rows x 2 columns)"
    assert got_frame.value.to_dict("list") == {"a": [1, 2, 3], "b": ["x", "y", "z"]}
    assert got_frame.value["a"].dtype == np.int64
    assert isinstance(got_series.value, pd.Series) and got_series.kind == "Series"
    assert got_series.value.name == "s" and got_series.value.tolist() == [0.5, 1.5]


def test_polars_lazyframe_is_not_collected() -> None:
    lazy = pl.LazyFrame({"a": [1]})
    assert_unchanged(
        to_pandas(lazy), lazy, "polars.lazyframe.frame.LazyFrame", "LazyFrame is not collected"
    )


def test_pyarrow_table_and_record_batch_become_dataframes() -> None:
    table = pa.table({"a": [1, 2], "b": ["u", "v"]})
    batch = pa.record_batch({"a": [3], "b": ["w"]})
    got_table, got_batch = to_pandas(table), to_pandas(batch)
    assert got_table.converted and got_table.kind == "DataFrame"
    assert got_table.note == "pyarrow Table -> DataFrame (2 rows x 2 columns)"
    assert got_table.value.to_dict("list") == {"a": [1, 2], "b": ["u", "v"]}
    assert got_batch.note == "pyarrow RecordBatch -> DataFrame (1 rows x 2 columns)"
    assert got_batch.value.to_dict("list") == {"a": [3], "b": ["w"]}


def test_pyarrow_arrays_become_series() -> None:
    chunked = pa.chunked_array([[1, 2], [3]])
    array = pa.array([0.5, None])
    got_chunked, got_array = to_pandas(chunked), to_pandas(array)
    assert got_chunked.kind == "Series" and got_chunked.value.tolist() == [1, 2, 3]
    assert got_chunked.note == "pyarrow ChunkedArray -> Series (3 values)"
    assert got_array.value.iloc[0] == 0.5 and np.isnan(got_array.value.iloc[1])


def test_other_pyarrow_objects_stay_as_they_are() -> None:
    scalar = pa.scalar(1)
    result = to_pandas(scalar)
    assert result.converted is False and result.value is scalar
    assert result.kind.startswith("pyarrow.")


# --- everything else --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (42, "int"),
        (1.5, "float"),
        ("text", "str"),
        (b"raw", "bytes"),
        ({1, 2}, "set"),
        (None, "NoneType"),
        ((1, 2), "tuple"),
        (Point(1, 2), f"{__name__}.Point"),
    ],
)
def test_non_tabular_values_stay_as_they_are(value: object, kind: str) -> None:
    result = to_pandas(value)
    assert result.converted is False and result.value is value
    assert result.kind == kind
    assert result.note == f"{kind} is not tabular; left unchanged"


def test_generator_is_left_unconsumed() -> None:
    # Given a generator of rows
    rows = ({"a": i} for i in range(3))
    # When converted
    result = to_pandas(rows)
    # Then it is returned untouched and can still be iterated in full
    assert_unchanged(result, rows, "generator", "generator is not tabular")
    assert [row["a"] for row in rows] == [0, 1, 2]


def test_a_failing_conversion_returns_the_object_with_the_error() -> None:
    # Given a dict whose column has a length but cannot be iterated
    class Flaky(list):  # type: ignore[type-arg]
        def __iter__(self):  # type: ignore[no-untyped-def]
            raise RuntimeError("boom")

    data = {"a": Flaky([1, 2])}
    # When converted
    result = to_pandas(data)
    # Then it does not raise and the note names the error
    assert_unchanged(result, data, "dict", "conversion of dict failed (RuntimeError: boom)")


def test_importing_convert_is_cheap_and_plain_objects_never_load_polars() -> None:
    # Given a fresh interpreter
    code = (
        "import sys; import jupyter_mfns.core.convert as c;"
        "print(sorted(m for m in ('pandas', 'polars', 'pyarrow') if m in sys.modules));"
        "c.to_pandas({'a': [1]}); c.to_pandas([{'a': 1}]); c.to_pandas(c.__name__);"
        "print('polars' in sys.modules)"
    )
    # When it imports the module, then converts plain objects
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=str(Path(__file__).resolve().parents[2]),
    ).stdout.split("\n")
    # Then the import loads none of pandas, polars, pyarrow; converting plain objects loads
    # pandas (which may load pyarrow itself) but never polars
    assert out[0] == "[]"
    assert out[1] == "False"
