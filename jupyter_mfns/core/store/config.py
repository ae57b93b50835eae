"""Build the Store that Metaflow's own configuration points at (env vars or profile)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from .base import Store


def find_local_sysroot(start: Optional[str] = None) -> Path:
    """Metaflow's rule: METAFLOW_DATASTORE_SYSROOT_LOCAL, else the nearest `.metaflow` upwards."""
    configured = os.environ.get("METAFLOW_DATASTORE_SYSROOT_LOCAL")
    if configured:
        return Path(configured)
    try:
        from metaflow.metaflow_config import DATASTORE_SYSROOT_LOCAL
    except Exception:
        DATASTORE_SYSROOT_LOCAL = None
    if DATASTORE_SYSROOT_LOCAL:
        return Path(DATASTORE_SYSROOT_LOCAL)
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ".metaflow").is_dir():
            return folder
    return here


def metadata_kind() -> str:
    """'local' or 'service', as METAFLOW_DEFAULT_METADATA (env or profile) says."""
    kind = os.environ.get("METAFLOW_DEFAULT_METADATA")
    if not kind:
        try:
            from metaflow.metaflow_config import DEFAULT_METADATA

            kind = DEFAULT_METADATA
        except Exception:
            kind = "local"
    return kind or "local"


def store_from_config(sysroot: Optional[str] = None) -> Store:
    """The store Metaflow would read here; an explicit `sysroot` forces the local store."""
    from .local import LocalStore

    if sysroot:
        return LocalStore(sysroot)
    if metadata_kind() == "service":
        from .service import ServiceStore

        return ServiceStore.from_config()
    return LocalStore(find_local_sysroot())
