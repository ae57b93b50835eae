"""jupyter_mfns: Metaflow namespaces and tags in JupyterLab.

Importing this package is cheap: the server extension, the IPython magic and the widget are
loaded only when Jupyter or the user asks for them.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any, Dict, List

try:
    #: labextension/package.json's version, which the package takes when it is built
    __version__ = version("jupyter_mfns")
except PackageNotFoundError:  # a checkout on sys.path, not installed (e.g. in a flow's process)
    __version__ = "0+unknown"


def _jupyter_labextension_paths() -> List[Dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-mfns"}]


def _jupyter_server_extension_points() -> List[Dict[str, Any]]:
    from .server.app import MfnsExtension

    return [{"module": "jupyter_mfns.server.app", "app": MfnsExtension}]


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext jupyter_mfns`: registers the `%mfns` magic."""
    from .kernel.magic import load_ipython_extension as _load

    _load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from .kernel.magic import unload_ipython_extension as _unload

    _unload(ipython)


def browse(**kwargs: Any) -> Any:
    """Open the ipywidgets results browser (works without the Lab extension)."""
    from .kernel.widget import browse as _browse

    return _browse(**kwargs)


def load_artifact(pathspec: str, *args: Any, **kwargs: Any) -> Any:
    """Load `Flow/Run/Step/Task/name` as a pandas object when it is tabular.

    `namespace=` is checked like Metaflow's: omitted means the kernel's current Metaflow
    namespace, None means global. Code inserted by the sidebar writes both arguments out, so
    the cell is reproducible. See `jupyter_mfns.kernel.loading.load_artifact`.
    """
    from .kernel.loading import load_artifact as _load

    return _load(pathspec, *args, **kwargs)


def compare_values(*values: Any, names: Any = None) -> Any:
    """What differs between one artifact's values loaded from several runs: two DataFrames'
    `DataFrame.compare`, or the columns that differ (see `jupyter_mfns.kernel.compare_values`).
    The compare tab's "Load both into notebook" cell calls it."""
    from .kernel.compare_values import compare_values as _compare

    return _compare(*values, names=names)
