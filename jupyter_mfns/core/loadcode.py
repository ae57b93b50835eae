"""The notebook cell that loads an artifact, written in one place for every front.

The sidebar's "Load into notebook" inserts it, the widget and the magic show it: explicit and
reproducible code naming the namespace it was loaded from, e.g.

    from jupyter_mfns import load_artifact
    df = load_artifact("PredictionFlow/12/train/3/df", namespace="user:anne", explain=True)
    df

(`explain=True`: a value left as it is, not made a DataFrame, is said so in one line, as the
magic says it.)
"""

from __future__ import annotations

import json
import keyword
from typing import Optional

from .pathspec import IDENTIFIER

#: the variable a cell binds when the artifact's name cannot be one
FALLBACK_VARIABLE = "artifact"


def is_variable_name(name: object) -> bool:
    """Python's rule for a name a cell may bind: an identifier that is not a keyword."""
    return isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)


def variable_for(artifact: str) -> str:
    """The artifact's own name when it can be a variable (artifact names are ASCII
    identifiers, as pathspecs require), else `artifact`."""
    if IDENTIFIER.match(artifact) and is_variable_name(artifact):
        return artifact
    return FALLBACK_VARIABLE


def python_string(text: str) -> str:
    """A Python string literal (JSON's escapes are valid Python escapes)."""
    return json.dumps(text, ensure_ascii=False)


def python_namespace(namespace: Optional[str]) -> str:
    """The `namespace=` argument: a string literal, or None for the global namespace."""
    return "None" if namespace is None else python_string(namespace)


def load_line(
    pathspec: str, namespace: Optional[str], variable: Optional[str] = None, explain: bool = False
) -> str:
    """`name = load_artifact("F/R/S/T/name", namespace=...[, explain=True])`."""
    name = variable or variable_for(pathspec.rsplit("/", 1)[-1])
    args = f"{python_string(pathspec)}, namespace={python_namespace(namespace)}"
    return f"{name} = load_artifact({args}{', explain=True' if explain else ''})"


def load_cell(pathspec: str, namespace: Optional[str], variable: Optional[str] = None) -> str:
    """The whole cell: import, load into `variable` (default: from the name) saying why a
    value stays as it is, show it."""
    name = variable or variable_for(pathspec.rsplit("/", 1)[-1])
    return "\n".join(
        [
            "from jupyter_mfns import load_artifact",
            load_line(pathspec, namespace, name, explain=True),
            name,
        ]
    )
