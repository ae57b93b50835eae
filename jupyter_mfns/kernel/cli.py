"""The `%mfns` command line: its grammar (argparse) and tokenizing, without IPython.

Parsing never exits the process: a bad argument raises `CommandLineError` with argparse's one-line
message, and `--help` raises `HelpRequested` carrying the help text.
"""

from __future__ import annotations

import argparse
import shlex
from typing import Any, Dict, List, NoReturn, Optional, Tuple

from ..core.limits import DEFAULT_PAGE_SIZE

TAG_ACTIONS = ("add", "remove", "list")
YES_FLAGS = ("--yes", "-y")

#: what the usage lines cannot say: the words' grammar
GRAMMAR = """\
RUN is Flow/RunId, TASK is Flow/RunId/step/TaskId. Quote arguments with spaces:
%mfns namespace "note: best so far". EXPR is NAME OP VALUE (OP one of == != < <= > >=, VALUE
JSON: --where "alpha>=0.5" --where 'model=="xgb"'); ORDER is created_at, -created_at,
param:NAME or -param:NAME. Many runs: %mfns tag add RUN RUN ... -- TAG [TAG ...] [--yes].
`%mfns COMMAND --help` gives details."""


class CommandLineError(Exception):
    """A `%mfns` line that does not parse; `str()` is one line."""


class HelpRequested(Exception):
    """`--help` was given; `str()` is the help text."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CommandLineError(f"{self.prog}: {message}")

    def exit(self, status: int = 0, message: Optional[str] = None) -> NoReturn:
        raise HelpRequested(self.format_help() if message is None else message)

    def print_help(self, file: object = None) -> None:
        raise HelpRequested(self.format_help())


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argparse grammar of `%mfns`."""
    parser = _Parser(prog="%mfns", description="Metaflow namespaces and tags in this kernel.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("namespace", help="show or set Metaflow's namespace in this kernel")
    p.add_argument("name", nargs="?", help="a namespace: user:NAME, production:TOKEN, any tag")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--global", dest="global_", action="store_true", help="no namespace")
    group.add_argument("--default", action="store_true", help="Metaflow's default namespace")

    sub.add_parser("namespaces", help="namespaces in the store")
    sub.add_parser("flows", help="flows with runs in the current namespace")

    p = sub.add_parser("runs", help="runs of a flow in the current namespace, newest first")
    p.add_argument("flow", metavar="FLOW")
    p.add_argument("--tag", action="append", default=[], metavar="T", help="carry this tag")
    p.add_argument(
        "--limit", type=_positive_int, default=DEFAULT_PAGE_SIZE, metavar="N", help="at most N"
    )
    p.add_argument("--all", action="store_true", help="every matching run")
    p.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="EXPR",
        help='a parameter filter, e.g. "alpha>=0.5" (repeat: all must hold)',
    )
    p.add_argument(
        "--sort",
        metavar="ORDER",
        help="created_at, -created_at (default), param:NAME or -param:NAME",
    )

    p = sub.add_parser("latest", help="the latest run of a flow in the current namespace")
    p.add_argument("flow", metavar="FLOW")
    p.add_argument("--tag", action="append", default=[], metavar="T", help="carry this tag")
    p.add_argument("--successful", action="store_true", help="latest successful run")

    p = sub.add_parser("params", help="a run's parameters")
    p.add_argument("pathspec", metavar="RUN", help="Flow/Run")

    p = sub.add_parser("dag", help="a run's steps with their status, tasks and times")
    p.add_argument("pathspec", metavar="RUN", help="Flow/Run")

    p = sub.add_parser(
        "tag", help="list, add or remove a run's tags (or many runs': RUN RUN ... -- TAG)"
    )
    p.add_argument("action", choices=TAG_ACTIONS)
    p.add_argument("pathspec", metavar="RUN", help="Flow/Run (list also takes a Flow)")
    p.add_argument("tags", nargs="*", metavar="TAG")
    p.add_argument("--yes", "-y", action="store_true", help="many runs: change without asking")

    p = sub.add_parser("load", help="load an artifact into a variable, or list a task's")
    p.add_argument(
        "pathspec",
        metavar="TASK[/ARTIFACT]",
        help="Flow/Run/Step/Task/artifact or Flow/Run/Step/Task",
    )
    p.add_argument("--as", dest="name", metavar="NAME", help="variable name (default: artifact)")

    p = sub.add_parser("logs", help="print a task's stdout or stderr")
    p.add_argument("pathspec", metavar="TASK", help="Flow/Run/Step/Task")
    p.add_argument("--stderr", action="store_true", help="stderr instead of stdout")
    p.add_argument("--tail", type=_positive_int, metavar="N", help="only the last N lines")

    p = sub.add_parser("cards", help="show a task's cards (@card), each in a sandboxed frame")
    p.add_argument("pathspec", metavar="TASK", help="Flow/Run/Step/Task")
    p.add_argument("--id", dest="card_id", metavar="ID", help="only the card with this id")
    p.add_argument("--type", dest="card_type", metavar="T", help="only cards of this type")
    p.add_argument(
        "--height", type=_positive_int, default=600, metavar="PX", help="frame height (600)"
    )
    p = sub.add_parser("compare", help="2 to 8 runs side by side: what differs")
    p.add_argument("runs", nargs="+", metavar="RUN", help="Flow/Run")
    p.add_argument("--all", action="store_true", help="every row, not only differences")
    p.add_argument("--load", metavar="NAME", help="load step.artifact from each run (a dict)")

    sub.add_parser("help", help="show the usage")
    return parser


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction[Any]:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def usage(parser: Optional[argparse.ArgumentParser] = None) -> str:
    """Every subcommand's usage and purpose, written by the one parser (`%mfns help`, the
    magic's docstring)."""
    sub = _subcommands(parser or build_parser())
    purpose = {choice.dest: choice.help or "" for choice in sub._choices_actions}
    lines = ["%mfns\n    the kernel's Metaflow namespace and the default"]
    for name, command in sub.choices.items():
        text = command.format_usage().removeprefix("usage: ").replace(" [-h]", "")
        line = " ".join(text.split())  # argparse wraps at the terminal's width
        lines.append(f"{line}\n    {purpose.get(name, '')}")
    return "\n".join(lines) + "\n" + GRAMMAR


#: the subcommands, in the parser's order
SUBCOMMANDS = tuple(_subcommands(build_parser()).choices)


def options(parser: Optional[argparse.ArgumentParser] = None) -> Dict[str, Dict[str, bool]]:
    """Each subcommand's options, and whether each takes a value, from the one parser (so
    completion offers exactly what parsing accepts)."""
    parser = parser or build_parser()
    out: Dict[str, Dict[str, bool]] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out[name] = {
                    flag: a.nargs != 0
                    for a in sub._actions
                    for flag in a.option_strings
                    if flag.startswith("--") and flag != "--help"
                }
    return out


def tokenize(line: str) -> List[str]:
    """Shell-like words of a magic line (quotes group words with spaces)."""
    try:
        return shlex.split(line)
    except ValueError as error:  # "No closing quotation"
        raise CommandLineError(f"%mfns: {error}") from None


#: options whose value may start with "-" (`--sort -param:alpha`), which argparse would take
#: for an option
_DASHED_VALUES = ("--sort",)


def _joined_values(words: List[str]) -> List[str]:
    """`--sort -x` as `--sort=-x`."""
    out: List[str] = []
    for word in words:
        if out and out[-1] in _DASHED_VALUES and word.startswith("-"):
            out[-1] = f"{out[-1]}={word}"
        else:
            out.append(word)
    return out


def _split_bulk_tags(words: List[str]) -> Tuple[List[str], Optional[List[str]]]:
    """`tag add A B -- t1 t2`: the words before `--` (with `--yes` wherever it was), and the
    tags after it (None without `--`)."""
    if len(words) < 2 or words[0] != "tag" or "--" not in words:
        return words, None
    cut = words.index("--")
    after = words[cut + 1 :]
    yes = [w for w in after if w in YES_FLAGS]
    return words[:cut] + yes, [w for w in after if w not in YES_FLAGS]


def parse(line: str, parser: Optional[argparse.ArgumentParser] = None) -> argparse.Namespace:
    """Parse one `%mfns` line; raises CommandLineError or HelpRequested."""
    words, bulk_tags = _split_bulk_tags(_joined_values(tokenize(line)))
    args = (parser or build_parser()).parse_args(words)
    args.runs = getattr(args, "runs", None)
    if args.command == "tag":
        args.runs = None
        if bulk_tags is not None:
            if args.action == "list":
                raise CommandLineError("%mfns tag list: takes only a pathspec")
            args.runs, args.tags = [args.pathspec, *args.tags], bulk_tags
        elif args.yes:
            raise CommandLineError("%mfns tag: --yes goes with many runs: RUN RUN ... -- TAG")
    if args.command == "compare" and args.all and args.load:
        raise CommandLineError("%mfns compare: use either --all or --load")
    if args.command == "runs" and args.all and "--limit" in words:
        raise CommandLineError("%mfns runs: use either --limit or --all")
    if args.command == "tag" and args.action != "list" and not args.tags:
        raise CommandLineError(f"%mfns tag {args.action}: name at least one tag")
    if args.command == "tag" and args.action == "list" and args.tags:
        raise CommandLineError("%mfns tag list: takes only a pathspec")
    if args.command == "namespace" and args.name is not None and (args.global_ or args.default):
        raise CommandLineError("%mfns namespace: give a name, --global or --default, not two")
    return args
