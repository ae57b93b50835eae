"""The jupyter_server extension: one Catalog per server, REST routes under `{base_url}mfns/api/`.

Configure it like any Jupyter application, e.g. in `jupyter_server_config.py`::

    c.MfnsExtension.metaflow_root = "/data/metaflow-demo"   # folder holding `.metaflow`
    c.MfnsExtension.max_page_size = 200

or on the command line: `jupyter lab --MfnsExtension.metaflow_profile=prod`.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any, Optional, Tuple

from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Enum, Float, Int, TraitError, Unicode, validate

from ..core import limits as core_limits
from ..core.catalog import Catalog
from ..core.detect import STRATEGIES, UI_BACKEND_WS_ENV
from ..core.limits import MAX_PAGE, MAX_TAIL
from .limits import CATALOG_ERROR_KEY, CATALOG_KEY, LIMITS_KEY, Limits
from .routes import handler_specs

#: (lowest, highest, unit) each bounded trait accepts, from core/limits.py
TRAIT_BOUNDS = {
    "refresh_interval": (
        core_limits.MIN_REFRESH_INTERVAL,
        core_limits.MAX_REFRESH_INTERVAL,
        " seconds",
    ),
    "default_page_size": (1, MAX_PAGE, " runs"),
    "max_page_size": (1, MAX_PAGE, " runs"),
    "max_log_tail": (1, MAX_TAIL, " lines"),
    "max_body_size": (core_limits.MIN_BODY_SIZE, core_limits.MAX_BODY_SIZE, " bytes"),
}


class MfnsExtension(ExtensionApp):
    """Serves the jupyter_mfns REST API (v1) over one Metaflow store."""

    name = "jupyter_mfns"
    load_other_extensions = True

    metaflow_root = Unicode(
        None,
        allow_none=True,
        help="""Folder holding the local Metaflow store (its `.metaflow` directory). Default:
        what Metaflow itself uses here (METAFLOW_DATASTORE_SYSROOT_LOCAL, the active profile,
        else the nearest `.metaflow` above the server's working directory).""",
    ).tag(config=True)

    metaflow_profile = Unicode(
        None,
        allow_none=True,
        help="""Metaflow profile to read (`$METAFLOW_HOME/config_<profile>.json`), as
        METAFLOW_PROFILE does. It is set in the server's environment, so kernels started by
        this server read the same profile. Environment variables still override it.""",
    ).tag(config=True)

    cache_dir = Unicode(
        None,
        allow_none=True,
        help="Folder for the run index (SQLite). Default: $XDG_CACHE_HOME/jupyter_mfns.",
    ).tag(config=True)

    refresh_interval = Float(
        core_limits.DEFAULT_REFRESH_INTERVAL,
        help="Seconds between incremental refreshes of the run index from the store.",
    ).tag(config=True)

    background_refresh = Bool(
        True, help="Refresh the run index in a background thread (else on demand)."
    ).tag(config=True)

    change_detection = Enum(
        list(STRATEGIES),
        default_value="auto",
        help="""How the background refresh notices changes in the store. "watch": file system
        notifications for a local store (with a slow safety rescan), incremental reads (and
        the ui_backend feed, if configured) for a metadata service; "scan": rescan every
        refresh_interval (costs grow with the store); "auto": "watch" where it works (not on
        network file systems, whose remote writes raise no notifications), else "scan".
        `GET status` says which is in use (`detection`).""",
    ).tag(config=True)

    safety_rescan_interval = Float(
        None,
        allow_none=True,
        help="""Seconds between the safety rescans that catch what notifications missed (local
        store, default 300), or between pages of a metadata service's slow full listing
        (default 30).""",
    ).tag(config=True)

    ui_backend_ws = Unicode(
        None,
        allow_none=True,
        help=f"""Websocket URL of the metadata service's ui_backend (e.g.
        ws://host:8083/api/ws), used as a change feed: new runs and tag changes arrive pushed.
        Default: ${UI_BACKEND_WS_ENV}.""",
    ).tag(config=True)

    default_page_size = Int(
        core_limits.DEFAULT_PAGE_SIZE, help="Runs per page when `limit` is not given."
    ).tag(config=True)

    max_page_size = Int(
        core_limits.DEFAULT_MAX_PAGE_SIZE,
        help=f"Largest `limit` a runs query may ask for (at most {MAX_PAGE}).",
    ).tag(config=True)

    max_log_tail = Int(
        core_limits.DEFAULT_MAX_LOG_TAIL,
        help=f"Most log lines one request returns; also the default `tail` (at most {MAX_TAIL}).",
    ).tag(config=True)

    max_body_size = Int(
        core_limits.DEFAULT_MAX_BODY_SIZE,
        help="Largest JSON request body accepted, in bytes (larger: 413).",
    ).tag(config=True)

    @validate(*TRAIT_BOUNDS)
    def _check_bounds(self, proposal: Any) -> Any:
        name = proposal["trait"].name
        low, high, unit = TRAIT_BOUNDS[name]
        if not low <= proposal["value"] <= high:
            raise TraitError(f"MfnsExtension.{name} must be from {low} to {high}{unit}.")
        return proposal["value"]

    def limits(self) -> Limits:
        """The request limits as configured (a page is never larger than the maximum)."""
        return Limits(
            default_page_size=min(self.default_page_size, self.max_page_size),
            max_page_size=self.max_page_size,
            max_log_tail=self.max_log_tail,
            max_body_size=self.max_body_size,
        )

    def initialize_settings(self) -> None:
        catalog, error = self._open_catalog()
        self.settings.update(
            {CATALOG_KEY: catalog, CATALOG_ERROR_KEY: error, LIMITS_KEY: self.limits()}
        )

    def initialize_handlers(self) -> None:
        self.handlers.extend(handler_specs())

    async def stop_extension(self) -> None:
        catalog: Optional[Catalog] = self.settings.get(CATALOG_KEY)
        if catalog is not None:
            self.settings[CATALOG_KEY] = None
            self.settings[CATALOG_ERROR_KEY] = "The jupyter_mfns extension has stopped."
            # the web app holds its own copy of the settings
            if self.serverapp is not None and self.serverapp.web_app is not None:
                self.serverapp.web_app.settings[CATALOG_KEY] = None
            await asyncio.to_thread(catalog.close)

    # -- the Catalog -------------------------------------------------------------------------
    def _open_catalog(self) -> Tuple[Optional[Catalog], Optional[str]]:
        """Build the server's Catalog; on failure keep serving, answering 503 with why."""
        try:
            self._apply_profile()
            catalog = Catalog.from_metaflow_config(
                self.metaflow_root or None,
                cache_dir=self.cache_dir or None,
                refresh_interval=self.refresh_interval,
                background_refresh=self.background_refresh,
                change_detection=self.change_detection,
                safety_interval=self.safety_rescan_interval,
                ui_backend_ws=self.ui_backend_ws or None,
            )
        except Exception as exc:
            self.log.error("jupyter_mfns: cannot open the Metaflow store", exc_info=True)
            return None, f"The Metaflow store cannot be opened: {exc}"
        self.log.info("jupyter_mfns: browsing Metaflow store %s", catalog.store.identity)
        return catalog, None

    def _apply_profile(self) -> None:
        profile = self.metaflow_profile
        if not profile:
            return
        home = os.environ.get("METAFLOW_HOME", "~/.metaflowconfig")
        path = os.path.expanduser(os.path.join(home, f"config_{profile}.json"))
        if not os.path.isfile(path):
            raise ValueError(f"Metaflow profile {profile!r} not found: there is no {path}.")
        if (
            "metaflow.metaflow_config" in sys.modules
            and os.environ.get("METAFLOW_PROFILE") != profile
        ):
            raise ValueError(
                f"Metaflow was already imported in this server with another profile, so profile "
                f"{profile!r} cannot apply; set METAFLOW_PROFILE={profile} before starting Jupyter."
            )
        os.environ["METAFLOW_PROFILE"] = profile
