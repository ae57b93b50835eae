"""Stores: where run metadata, artifacts and logs are read from."""

from .base import RunDetails, RunRecord, ScanResult, StepRecord, Store, TaskRecord
from .local import LocalStore

__all__ = [
    "LocalStore",
    "RunDetails",
    "RunRecord",
    "ScanResult",
    "StepRecord",
    "Store",
    "TaskRecord",
]
