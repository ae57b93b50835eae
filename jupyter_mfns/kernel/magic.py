"""`%load_ext jupyter_mfns`: the `%mfns` line magic, its completion and the sidebar sync.

Every error a user can cause (a bad argument, an unknown flow, another namespace's run, a bad
tag) is shown as one line (IPython's UsageError), never as a traceback. See `cli.usage()` for the
syntax and the README (section "In a notebook") for examples.
"""

from __future__ import annotations

from typing import Any, Optional

from IPython.core.error import StdinNotImplementedError, UsageError
from IPython.core.magic import Magics, line_magic, magics_class

from ..core.errors import MfnsError
from . import cli
from .commands import Commands
from .completion import MATCHER_ID, make_matcher
from .session import KernelSession, get_session
from .sync import get_hub, register_sync, unregister_sync


@magics_class
class MfnsMagics(Magics):
    """Holds the `%mfns` magic; one instance per shell."""

    def __init__(self, shell: Any, session: Optional[KernelSession] = None) -> None:
        super().__init__(shell)
        self.commands = Commands(
            session or get_session(),
            user_ns=shell.user_ns,
            links=lambda: get_hub().links,
            confirm=ask_yes_no,
        )

    @line_magic
    def mfns(self, line: str) -> Any:
        # (the docstring is the parser's usage: set below the class)
        try:
            return self.commands.run(line)
        except (MfnsError, cli.CommandLineError) as error:
            raise UsageError(str(error)) from None


# `%mfns?` shows what `%mfns help` says: the one parser's usage
MfnsMagics.mfns.__doc__ = (
    "Metaflow namespaces, runs, tags, logs, artifacts, cards and comparisons.\n\n" + (cli.usage())
)


def ask_yes_no(question: str) -> Optional[bool]:
    """Ask in the cell's input box (or a terminal); None when this kernel cannot ask (a
    notebook executed without a frontend, e.g. by nbconvert, or no terminal)."""
    try:
        answer = input(question)
    except (StdinNotImplementedError, EOFError, OSError):
        return None
    return answer.strip().lower() in ("y", "yes")


def _supports_matcher_api_v2() -> bool:
    """IPython >= 8.6 passes a CompletionContext to matchers that ask for it."""
    try:
        from IPython.core.completer import context_matcher  # noqa: F401
    except ImportError:
        return False
    return True


def _post_run_cell(*_: Any) -> None:
    """After each cell: tell linked views when user code called `metaflow.namespace()`."""
    get_session().check_for_change()


def load_ipython_extension(ipython: Any) -> None:
    """Register `%mfns`, its tab completion, and the `jupyter_mfns` comm target."""
    ipython.register_magics(MfnsMagics(ipython))
    completer = getattr(ipython, "Completer", None)
    matchers = getattr(completer, "custom_matchers", None)
    if (
        _supports_matcher_api_v2()
        and matchers is not None
        and not any(getattr(m, "matcher_identifier", None) == MATCHER_ID for m in matchers)
    ):
        matchers.append(make_matcher())
    if _post_run_cell not in ipython.events.callbacks.get("post_run_cell", []):
        ipython.events.register("post_run_cell", _post_run_cell)
    if getattr(ipython, "kernel", None) is not None:
        register_sync()


def unload_ipython_extension(ipython: Any) -> None:
    """Undo `load_ipython_extension` (the magic stays until the shell restarts, as usual)."""
    completer = getattr(ipython, "Completer", None)
    matchers = getattr(completer, "custom_matchers", None)
    if matchers is not None:
        matchers[:] = [m for m in matchers if getattr(m, "matcher_identifier", None) != MATCHER_ID]
    if _post_run_cell in ipython.events.callbacks.get("post_run_cell", []):
        ipython.events.unregister("post_run_cell", _post_run_cell)
    unregister_sync()
