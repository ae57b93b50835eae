"""Parsing and validating Metaflow pathspecs (`Flow/Run/Step/Task[/artifact]`).

Every component is checked against a strict character set before it is used anywhere, so a
pathspec can never climb out of the store (`..`, absolute paths, backslashes, NUL, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .errors import InvalidPathspec

# Flow and step names are Python identifiers (class and method names); run and task ids are
# digits locally and scheduler-made strings elsewhere (e.g. "argo-flow-x1y2", "sfn-...").
#: a flow, step or artifact name: an ASCII Python identifier
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:=+@-]*$")
_MAX_COMPONENT = 256

_LEVELS = ("flow", "run", "step", "task", "artifact")


@dataclass(frozen=True)
class Pathspec:
    """A validated pathspec; components beyond its depth are None."""

    flow: str
    run: Optional[str] = None
    step: Optional[str] = None
    task: Optional[str] = None
    artifact: Optional[str] = None

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(
            p for p in (self.flow, self.run, self.step, self.task, self.artifact) if p is not None
        )

    @property
    def type(self) -> str:
        """'flow', 'run', 'step', 'task' or 'artifact'."""
        return _LEVELS[len(self.parts) - 1]

    def task_parts(self) -> tuple[str, str, str, str]:
        """(flow, run, step, task) of a task or artifact pathspec."""
        if self.run is None or self.step is None or self.task is None:
            raise InvalidPathspec(f"{self} does not name a task.")
        return self.flow, self.run, self.step, self.task

    @property
    def task_pathspec(self) -> Optional[str]:
        if self.task is None:
            return None
        return f"{self.flow}/{self.run}/{self.step}/{self.task}"

    def __str__(self) -> str:
        return "/".join(self.parts)


def _check(kind: str, value: str, text: str) -> str:
    pattern = IDENTIFIER if kind in ("flow", "step", "artifact") else _ID
    if not value:
        raise InvalidPathspec(f"Invalid pathspec {text!r}: the {kind} part is empty.")
    if len(value) > _MAX_COMPONENT or not pattern.match(value) or value in (".", ".."):
        what = "a Python identifier" if pattern is IDENTIFIER else "letters, digits and _.:=+@-"
        raise InvalidPathspec(f"Invalid pathspec {text!r}: {kind} {value[:60]!r} must be {what}.")
    return value


def parse_pathspec(
    text: object, *, min_depth: int = 1, max_depth: int = 4, what: str = "pathspec"
) -> Pathspec:
    """Parse `text` into a Pathspec of depth min_depth..max_depth (1=flow ... 5=artifact).

    Raises InvalidPathspec with a sentence a person understands.
    """
    if not isinstance(text, str):
        raise InvalidPathspec(f"The {what} must be a string like 'Flow/Run/Step/Task'.")
    stripped = text.strip()
    if not stripped:
        raise InvalidPathspec(f"The {what} is empty; expected 'Flow/Run[/Step[/Task]]'.")
    parts = stripped.split("/")
    shape = "/".join(("Flow", "Run", "Step", "Task", "artifact")[:max_depth])
    if not min_depth <= len(parts) <= max_depth:
        raise InvalidPathspec(
            f"Invalid {what} {text[:200]!r}: expected {min_depth} to {max_depth} parts "
            f"like '{shape}', got {len(parts)}."
        )
    checked = [_check(_LEVELS[i], p, text[:200]) for i, p in enumerate(parts)]
    return Pathspec(*checked)  # type: ignore[arg-type]


def check_flow_name(flow: object) -> str:
    """Validate a bare flow name (query parameter)."""
    return parse_pathspec(flow, max_depth=1, what="flow name").flow
