"""`%mfns tag add|remove RUN RUN ... -- TAG [TAG ...] [--yes]`: one tag change on many runs,
confirmed once.

Every run is read first (a run that does not exist or lies outside the kernel's namespace
stops the command before anything changes), then a summary says what will change on which
run. The change is made with `--yes`, or after a "y" to the question when the kernel can ask
(JupyterLab's notebooks can: `input()` shows a box under the cell). A kernel that cannot ask
(a notebook run by nbconvert or papermill, a script) changes nothing and says to add `--yes`:
a notebook re-run from the top should not block on a question nor tag silently, so the
re-runnable form is the explicit one. Each run is then changed on its own (Metaflow has no
multi-run transaction); one that fails is named in one line and the others stay changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence

from ..core.errors import MfnsError
from ..core.tags import validate_tag_list
from .session import KernelSession

#: asks a yes/no question; None when it cannot be asked here
Confirm = Callable[[str], Optional[bool]]


@dataclass(frozen=True)
class RunChange:
    pathspec: str
    tags: List[str]  # the tags that change on this run (added or removed)


def plan(
    session: KernelSession, runs: Sequence[str], tags: Sequence[str], adding: bool
) -> List[RunChange]:
    """What the change does to each run, read fresh in the kernel's namespace."""
    checked = validate_tag_list(list(tags), "add" if adding else "remove")
    out = []
    for pathspec in dict.fromkeys(runs):
        run = session.catalog.run(pathspec, session.namespace)
        carried = set(run["tags"])
        changing = [t for t in checked if (t not in carried) == adding]
        out.append(RunChange(run["pathspec"], changing))
    return out


def summary(changes: Sequence[RunChange], adding: bool) -> List[str]:
    verb, sign = ("add", "+") if adding else ("remove", "-")
    lines = []
    for change in changes:
        what = ", ".join(f"{sign}{t!r}" for t in change.tags) if change.tags else "unchanged"
        lines.append(f"  {change.pathspec}: {what}")
    touched = sum(1 for c in changes if c.tags)
    head = f"This will {verb} tags on {touched} of {len(changes)} runs:"
    return [head, *lines]


def bulk_tag(
    session: KernelSession,
    runs: Sequence[str],
    tags: Sequence[str],
    adding: bool,
    yes: bool,
    confirm: Confirm,
    say: Callable[[str], None],
) -> None:
    changes = plan(session, runs, tags, adding)
    todo = [c for c in changes if c.tags]
    if not todo:
        state = "already carry" if adding else "carry none of"
        say(f"Nothing to change: the {len(changes)} runs {state} {', '.join(map(repr, tags))}.")
        return
    for line in summary(changes, adding):
        say(line)
    if not yes:
        answer = confirm(f"Apply to {len(todo)} runs? [y/N] ")
        if answer is None:
            say("Nothing changed: this kernel cannot ask; run the line again with --yes.")
            return
        if not answer:
            say("Nothing changed.")
            return
    failed = []
    for change in todo:
        add = change.tags if adding else []
        remove = [] if adding else change.tags
        try:
            session.catalog.mutate_tags(change.pathspec, add, remove, session.namespace)
        except MfnsError as error:
            failed.append(f"{change.pathspec}: {error}")
    done = len(todo) - len(failed)
    say(f"{'Tagged' if adding else 'Untagged'} {done} of {len(todo)} runs.")
    for line in failed:
        say(f"  not changed: {line}")
