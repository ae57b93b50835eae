"""Loading artifacts into the kernel as pandas objects (`jupyter_mfns.load_artifact`).

The only place jupyter_mfns unpickles: the Catalog checks the task and its namespace and lists
its artifacts from metadata, Metaflow's client unpickles the value, `core.convert` makes pandas.
This module adds the kernel's conveniences: the kernel's current namespace as the default,
progress for slow loads, one-line errors, and binding the result to a variable. The server
process never imports it.
"""

from __future__ import annotations

from typing import Any, MutableMapping, Optional, Union

from ..core.catalog import Catalog
from ..core.convert import Conversion, to_pandas
from ..core.errors import ArtifactNotFound, InvalidArgument, MfnsError
from ..core.loadcode import is_variable_name, variable_for
from ..core.pathspec import Pathspec, parse_pathspec
from .progress import Show, run_with_progress
from .session import KernelSession, check_namespace, get_session


class _Current:
    """Sentinel: the kernel's current Metaflow namespace (`metaflow.get_namespace()`)."""

    def __repr__(self) -> str:
        return "CURRENT"


CURRENT: Any = _Current()
NamespaceArg = Union[str, None, _Current]


class ArtifactLoadError(MfnsError):
    """The artifact exists but cannot be unpickled here (missing module, broken pickle...)."""

    reason = "artifact_unloadable"


def resolve(namespace: NamespaceArg, session: Optional[KernelSession] = None) -> Optional[str]:
    """`CURRENT` -> the kernel's namespace; None stays global; a string is validated."""
    if isinstance(namespace, _Current):
        return (session or get_session()).namespace
    return check_namespace(namespace)


def load_conversion(
    pathspec: str,
    namespace: NamespaceArg = CURRENT,
    session: Optional[KernelSession] = None,
    show: Optional[Show] = None,
) -> Conversion:
    """Load `Flow/Run/Step/Task/artifact` in `namespace` and convert it (core rules).

    Shows progress (through `show`, default a cell output) when loading takes over a second.
    Raises MfnsError subclasses only.
    """
    session = session or get_session()
    ns = resolve(namespace, session)
    ps = parse_pathspec(pathspec, min_depth=5, max_depth=5, what="artifact pathspec")
    catalog = session.catalog
    task = ps.task_pathspec or ""
    listing = catalog.artifacts(task, ns, include_private=True)
    size = next((a["size"] for a in listing["artifacts"] if a["name"] == ps.artifact), None)
    if size is None:
        raise ArtifactNotFound(f"Task {task} has no artifact {ps.artifact!r}.")

    def load() -> Conversion:
        try:
            conversion = unpickle(catalog, ps)
        except MfnsError:
            raise
        except Exception as error:  # unpickling runs arbitrary code; say what broke
            hint = ""
            if isinstance(error, (AttributeError, ImportError)):
                hint = " (its class must be importable in this kernel)"
            first_line = f"{type(error).__name__}: {error}".splitlines()[0]
            raise ArtifactLoadError(f"Cannot load {ps}: {first_line}{hint}") from error
        return conversion

    return run_with_progress(load, str(ps), size, show=show)


def unpickle(catalog: Catalog, ps: Pathspec) -> Conversion:
    """The artifact's value through Metaflow's client (it unpickles), converted to pandas.

    The caller has checked the task's namespace already (Catalog.artifacts)."""
    from metaflow import Task

    if ps.artifact is None:
        raise ArtifactLoadError(f"{ps} names a task, not one of its artifacts")
    task = Task(
        ps.task_pathspec, _namespace_check=False, _current_metadata=catalog.store.metadata_spec
    )
    return to_pandas(task[ps.artifact].data)


def load_artifact(pathspec: str, namespace: NamespaceArg = CURRENT) -> Any:
    """Load an artifact, as a pandas DataFrame or Series when it is tabular.

    `namespace`: the namespace to look in, checked like Metaflow's: by default the kernel's
    current Metaflow namespace, None for the global namespace, or a name such as "user:anne".
    Objects that are not tabular come back unchanged.
    """
    return load_conversion(pathspec, namespace).value


def check_variable_name(name: str) -> str:
    """A name usable as a Python variable, else InvalidArgument."""
    if not is_variable_name(name):
        raise InvalidArgument(f"{name!r} is not a valid Python variable name.")
    return name


def default_variable_name(artifact: str) -> str:
    """The artifact's own name when it can be a variable, else `artifact` (as the load cell)."""
    return variable_for(artifact)


def describe(conversion: Conversion) -> str:
    """One line on what was loaded, e.g. `list of 3 dicts -> DataFrame (3 rows x 2 columns)`."""
    value = conversion.value
    if conversion.converted and conversion.note.startswith("already"):
        if conversion.kind == "DataFrame":
            rows, cols = value.shape
            return f"DataFrame ({rows} rows x {cols} columns)"
        return f"Series ({len(value)} values)"
    if conversion.converted:
        return conversion.note
    return f"{conversion.kind} ({conversion.note})"


def bind(user_ns: MutableMapping[str, Any], name: str, conversion: Conversion) -> str:
    """Put the loaded value in the user's namespace; returns a one-line summary."""
    user_ns[check_variable_name(name)] = conversion.value
    return f"{name} = {describe(conversion)}"
