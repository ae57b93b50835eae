"""The kernel's Metaflow namespace and Catalog, shared by the magic, the widgets and the comm.

Metaflow keeps one process-global namespace (`metaflow.namespace()`); in a kernel that global is
exactly what the user works in, so the magic sets it. `KernelSession` wraps it: it validates
names, tells subscribers (the sidebar comm, linked widgets) about every change, and notices
changes made by user code (`metaflow.namespace(...)` in a cell) after each cell runs.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Callable, List, Optional

from ..core.catalog import Catalog
from ..core.errors import MfnsError
from ..core.tags import validate_tag

log = logging.getLogger(__name__)


class UnknownUser(MfnsError):
    """Metaflow cannot name the user, so it has no default namespace."""

    reason = "unknown_user"


UNKNOWN_USER_MESSAGE = (
    "Metaflow cannot tell who you are (it refuses the user 'root'): set METAFLOW_USER before "
    "starting the kernel, or pick a namespace with `%mfns namespace NAME` or `--global`."
)


@dataclass(frozen=True)
class NamespaceChange:
    """The kernel's namespace after a change, and who made it.

    `origin` identifies the requester (e.g. the comm that asked), so it can recognise its echo;
    `request_id` is the requester's id for the request, when it gave one.
    """

    namespace: Optional[str]
    default: Optional[str]
    source: str  # who: "kernel" (user code or the magic), "sidebar" or "widget"
    origin: Any = None
    request_id: Optional[str] = None


Listener = Callable[[NamespaceChange], None]


def metaflow_default_namespace() -> Optional[str]:
    """What `metaflow.default_namespace()` would set, without setting it (None: unknown user)."""
    from metaflow.exception import MetaflowUnknownUser
    from metaflow.util import resolve_identity

    try:
        return str(resolve_identity())
    except MetaflowUnknownUser:
        return None


def check_namespace(namespace: object) -> Optional[str]:
    """A namespace as Metaflow accepts it: None (global) or a valid tag."""
    if namespace is None:
        return None
    return validate_tag(namespace)


class KernelSession:
    """The kernel's namespace (Metaflow's global) and one Catalog over Metaflow's store."""

    def __init__(self, catalog: Optional[Catalog] = None) -> None:
        self._catalog = catalog
        self._catalog_lock = threading.Lock()
        self._listeners: List[Listener] = []
        self._last_seen: Any = False  # what the last notification said; False = none yet

    # -- the Catalog -------------------------------------------------------------------------
    @property
    def catalog(self) -> Catalog:
        """The Catalog over the store Metaflow uses in this kernel (built on first use)."""
        with self._catalog_lock:
            if self._catalog is None:
                self._catalog = Catalog.from_metaflow_config()
            return self._catalog

    # -- the namespace -----------------------------------------------------------------------
    @property
    def namespace(self) -> Optional[str]:
        """`metaflow.get_namespace()`; raises UnknownUser when Metaflow cannot resolve it."""
        import metaflow
        from metaflow.exception import MetaflowUnknownUser

        try:
            return metaflow.get_namespace()
        except MetaflowUnknownUser:
            raise UnknownUser(UNKNOWN_USER_MESSAGE) from None

    @property
    def default(self) -> Optional[str]:
        """Metaflow's default namespace here (`user:<name>` or `production:<token>`)."""
        return metaflow_default_namespace()

    def set_namespace(
        self,
        namespace: Optional[str],
        source: str = "kernel",
        origin: Any = None,
        request_id: Optional[str] = None,
    ) -> Optional[str]:
        """Set Metaflow's namespace (None = global) and tell every subscriber."""
        import metaflow

        checked = check_namespace(namespace)
        metaflow.namespace(checked)
        self._notify(checked, source, origin, request_id)
        return checked

    def reset_namespace(
        self, source: str = "kernel", origin: Any = None, request_id: Optional[str] = None
    ) -> Optional[str]:
        """`metaflow.default_namespace()`, then tell every subscriber."""
        import metaflow
        from metaflow.exception import MetaflowUnknownUser

        try:
            namespace = metaflow.default_namespace()
        except MetaflowUnknownUser:
            raise UnknownUser(UNKNOWN_USER_MESSAGE) from None
        self._notify(namespace, source, origin, request_id)
        return namespace

    def state(self) -> NamespaceChange:
        """The current namespace and default as a (source "kernel") change record."""
        return NamespaceChange(self.namespace, self.default, "kernel")

    # -- subscribers -------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` after every namespace change; returns the unsubscribe function."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def check_for_change(self) -> None:
        """Notify when user code changed Metaflow's namespace directly (post-cell hook)."""
        import metaflow.client.core as client

        current: Any = client.current_namespace
        if current is False or current == self._last_seen:
            return  # never resolved yet, or already announced
        self._notify(current, "kernel", None, None)

    def _notify(
        self, namespace: Optional[str], source: str, origin: Any, request_id: Optional[str]
    ) -> None:
        self._last_seen = namespace
        change = NamespaceChange(namespace, self.default, source, origin, request_id)
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception:  # one broken view must not break the magic or the others
                log.exception("jupyter_mfns: a namespace listener failed")


_session: Optional[KernelSession] = None
_session_lock = threading.Lock()


def get_session() -> KernelSession:
    """The kernel's one KernelSession."""
    global _session
    with _session_lock:
        if _session is None:
            _session = KernelSession()
        return _session
