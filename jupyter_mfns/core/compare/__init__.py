"""Comparing runs side by side without loading anything (`GET compare`, `%mfns compare`)."""

from .cell import compare_cell
from .room import CompareQueries, check_runs

__all__ = ["CompareQueries", "check_runs", "compare_cell"]
