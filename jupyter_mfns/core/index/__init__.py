"""The SQLite run index: schema and file (`schema`), writes (`writes`), queries over named rows
(`queries`, `rows`), keyset cursors (`cursor`) and answers cached per generation (`derived`)."""

from .cursor import decode_cursor, encode_cursor
from .derived import DerivedCache
from .rows import RunRow
from .run_index import RunIndex
from .schema import SCHEMA_VERSION, default_cache_dir, index_path_for
from .writes import Written

__all__ = [
    "SCHEMA_VERSION",
    "DerivedCache",
    "RunIndex",
    "RunRow",
    "Written",
    "decode_cursor",
    "default_cache_dir",
    "encode_cursor",
    "index_path_for",
]
