"""Build the Store that Metaflow's own configuration points at (env vars or profile).

All reading of Metaflow's configuration lives here: the stores take plain arguments.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, Optional

from ..errors import StoreUnavailable
from .base import Store
from .cards import CARD_SUFFIX, CardFolder
from .s3 import DatastoreReader, LocalReader, S3Reader


def conf(name: str) -> Optional[str]:
    """METAFLOW_<name> from the environment, else Metaflow's configuration (profile)."""
    value = os.environ.get(f"METAFLOW_{name}")
    if value:
        return value
    try:
        import metaflow.metaflow_config as mc

        configured = getattr(mc, name, None)
    except Exception:
        return None
    return str(configured) if configured else None


def find_local_sysroot(start: Optional[str] = None) -> Path:
    """Metaflow's rule: METAFLOW_DATASTORE_SYSROOT_LOCAL, else the nearest `.metaflow` upwards."""
    configured = conf("DATASTORE_SYSROOT_LOCAL")
    if configured:
        return Path(configured)
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ".metaflow").is_dir():
            return folder
    return here


def metadata_kind() -> str:
    """'local' or 'service', as METAFLOW_DEFAULT_METADATA (env or profile) says."""
    return conf("DEFAULT_METADATA") or "local"


def datastore_from_config() -> DatastoreReader:
    """The datastore Metaflow writes to: S3 (`DATASTORE_SYSROOT_S3`) or a local folder."""
    kind = (conf("DEFAULT_DATASTORE") or "local").lower()
    if kind == "s3":
        root = conf("DATASTORE_SYSROOT_S3")
        if not root:
            raise StoreUnavailable(
                "METAFLOW_DEFAULT_DATASTORE is s3 but METAFLOW_DATASTORE_SYSROOT_S3 is not set."
            )
        return S3Reader(root)
    if kind == "local":
        return LocalReader(find_local_sysroot() / ".metaflow")
    raise StoreUnavailable(
        f"jupyter_mfns reads the {kind!r} datastore only through S3 or a local folder; "
        "please open an issue with your deployment."
    )


def card_folder_from_config(datastore: DatastoreReader) -> CardFolder:
    """Where Metaflow writes cards: METAFLOW_CARD_S3ROOT (S3) or METAFLOW_CARD_LOCALROOT
    (local) when configured, else `<datastore root>/mf.cards` (what `get_cards` reads)."""
    configured = conf("CARD_S3ROOT" if isinstance(datastore, S3Reader) else "CARD_LOCALROOT")
    default = f"{datastore.root.rstrip('/')}/{CARD_SUFFIX}"
    if not configured or configured.rstrip("/") == default:
        return CardFolder(datastore)
    if isinstance(datastore, S3Reader):
        return CardFolder(S3Reader(configured), ())
    return CardFolder(LocalReader(configured), ())


def service_headers() -> Dict[str, str]:
    """Headers Metaflow sends to its service: METAFLOW_SERVICE_HEADERS (profile) and the
    METAFLOW_SERVICE_AUTH_KEY as `x-api-key`."""
    headers: Dict[str, str] = {}
    try:
        from metaflow.metaflow_config import SERVICE_HEADERS

        headers.update(SERVICE_HEADERS or {})
    except Exception:
        pass
    auth_key = os.environ.get("METAFLOW_SERVICE_AUTH_KEY")
    if auth_key:
        headers["x-api-key"] = auth_key
    return headers


def service_store_from_config(**kwargs: Any) -> Store:
    """The deployment Metaflow's configuration names (env vars or the active profile):
    METAFLOW_SERVICE_URL (+ METAFLOW_SERVICE_AUTH_KEY / METAFLOW_SERVICE_HEADERS),
    METAFLOW_DEFAULT_DATASTORE and METAFLOW_DATASTORE_SYSROOT_S3 (or _LOCAL)."""
    from .service import ServiceStore  # requests is imported only for a service deployment

    url = conf("SERVICE_URL")
    if not url:
        raise StoreUnavailable(
            "Metaflow is configured for the metadata service but no METAFLOW_SERVICE_URL "
            "is set (environment or Metaflow profile)."
        )
    datastore = datastore_from_config()
    return ServiceStore(
        url,
        datastore,
        headers=service_headers(),
        cards=card_folder_from_config(datastore),
        **kwargs,
    )


def store_from_config(sysroot: Optional[str] = None) -> Store:
    """The store Metaflow would read here; an explicit `sysroot` forces the local store."""
    from .local import LocalStore

    if metadata_kind() == "service" and not sysroot:
        return service_store_from_config()
    # Metaflow writes cards to METAFLOW_CARD_LOCALROOT when it is set, else into .metaflow
    return LocalStore(sysroot or find_local_sysroot(), card_root=conf("CARD_LOCALROOT"))
