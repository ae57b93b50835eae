"""What each `%mfns` subcommand does, over the kernel session's Catalog (IPython-free).

Commands print short human lines to `out` and return a value for the cell's output (a pandas
object) or None. They raise `MfnsError` (bad name, unknown flow, another namespace's run, ...)
or `cli.CommandLineError`; the magic turns both into one line without a traceback.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from typing import Any, Callable, Dict, List, MutableMapping, Optional, TextIO

from ..core.errors import InvalidPathspec, MfnsError
from ..core.limits import MAX_PAGE
from ..core.pathspec import parse_pathspec
from ..core.results.where import DEFAULT_SORT
from . import cli
from .bulk_tags import Confirm, bulk_tag
from .cards import task_cards
from .compare import run_compare
from .frames import (
    artifacts_frame,
    dag_frame,
    dag_text,
    namespace_label,
    params_series,
    records_frame,
    run_series,
    runs_frame,
)
from .loading import bind, check_variable_name, default_variable_name, load_conversion
from .session import KernelSession, get_session

GLOBAL_LATEST_NOTE = (
    "note: in the global namespace the latest run is simply the newest run by anyone."
)


class Commands:
    """Runs parsed `%mfns` lines against a KernelSession, binding loads into `user_ns`."""

    def __init__(
        self,
        session: Optional[KernelSession] = None,
        user_ns: Optional[MutableMapping[str, Any]] = None,
        out: Optional[TextIO] = None,
        links: Callable[[], int] = lambda: 0,
        confirm: Confirm = lambda question: None,
    ) -> None:
        self.session = session or get_session()
        self.user_ns: MutableMapping[str, Any] = user_ns if user_ns is not None else {}
        self._out = out
        self._links = links
        self._confirm = confirm
        self._parser = cli.build_parser()

    @property
    def out(self) -> TextIO:
        return self._out or sys.stdout

    def say(self, text: str) -> None:
        print(text, file=self.out)

    def run(self, line: str) -> Any:
        """Parse and execute one `%mfns` line."""
        try:
            args = cli.parse(line, self._parser)
        except cli.HelpRequested as shown:
            self.say(str(shown).rstrip())
            return None
        handler: Dict[Optional[str], Callable[[argparse.Namespace], Any]] = {
            None: self.status,
            "namespace": self.namespace,
            "namespaces": self.namespaces,
            "flows": self.flows,
            "runs": self.runs,
            "latest": self.latest,
            "params": self.params,
            "dag": self.dag,
            "tag": self.tag,
            "load": self.load,
            "logs": self.logs,
            "cards": self.cards,
            "compare": self.compare,
            "help": self.help,
        }
        return handler[args.command](args)

    # -- namespace ---------------------------------------------------------------------------
    def status(self, args: argparse.Namespace) -> None:
        """`%mfns`: current namespace, default, store, sidebar links."""
        session = self.session
        default = session.default
        try:
            current = namespace_label(session.namespace)
        except MfnsError as error:
            current = f"none yet ({error})"
        self.say(f"Metaflow namespace: {current}")
        self.say(
            "default namespace:  "
            + (repr(default) if default else "none (Metaflow cannot tell who you are)")
        )
        self.say(f"store:              {session.catalog.store.identity}")
        links = self._links()
        if links:
            self.say(f"linked sidebars:    {links} (they follow this kernel's namespace)")

    def namespace(self, args: argparse.Namespace) -> None:
        """`%mfns namespace NAME | --global | --default` (no argument: the status)."""
        session = self.session
        if args.global_:
            ns = session.set_namespace(None)
        elif args.default:
            ns = session.reset_namespace()
        elif args.name is not None:
            ns = session.set_namespace(args.name)
        else:
            return self.status(args)
        self.say(f"Metaflow namespace is now {namespace_label(ns)}.")
        if ns is not None and not self._namespace_in_store(ns):
            self.say(f"note: no run in this store is in namespace {ns!r} (yet).")
        return None

    def _namespace_in_store(self, ns: str) -> bool:
        listing = self.session.catalog.namespaces()["namespaces"]
        return any(item["namespace"] == ns for item in listing)

    def namespaces(self, args: argparse.Namespace) -> Any:
        """`%mfns namespaces`: every namespace in the store with its kind and run count."""
        listing = self.session.catalog.namespaces()
        rows = [
            {**item, "flows": ", ".join(item.get("flows", []))} for item in listing["namespaces"]
        ]
        return records_frame(
            rows, ["namespace", "kind", "runs", "flows"], default=listing["default"]
        )

    def flows(self, args: argparse.Namespace) -> Any:
        """`%mfns flows`: flows with a run in the current namespace."""
        ns = self.session.namespace
        listing = self.session.catalog.flows(ns)
        return records_frame(listing["flows"], ["flow", "runs", "latest_run"], namespace=ns)

    # -- runs --------------------------------------------------------------------------------
    def runs(self, args: argparse.Namespace) -> Any:
        """`%mfns runs FLOW [--tag T ...] [--where EXPR ...] [--sort ORDER] [--limit N|--all]`."""
        ns = self.session.namespace
        catalog = self.session.catalog
        if args.limit == 0 and not args.all:
            raise cli.CommandLineError("%mfns runs: --limit must be at least 1")
        query = {"where": args.where, "sort": args.sort}
        if args.all or args.limit > MAX_PAGE:  # more than one page: follow the cursors
            runs = catalog.iter_runs(args.flow, ns, args.tag, **query)
            picked = list(runs if args.all else itertools.islice(runs, args.limit))
            total = (
                len(picked)
                if args.all
                else catalog.runs(args.flow, ns, args.tag, 1, **query)["total"]
            )
        else:
            page = catalog.runs(args.flow, ns, args.tag, limit=args.limit, **query)
            picked, total = page["runs"], page["total"]
        where = "the global namespace" if ns is None else f"namespace {ns!r}"
        tagged = f" tagged {', '.join(map(repr, args.tag))}" if args.tag else ""
        if args.where:
            tagged += f" where {' and '.join(args.where)}"
        if not picked:
            self.say(f"No {args.flow} run{tagged} in {where}.")
        elif len(picked) < total:
            self.say(
                f"Showing the newest {len(picked)} of {total} {args.flow} runs{tagged} in {where}"
                " (--limit N or --all for more)."
            )
        return runs_frame(
            picked,
            namespace=ns,
            flow=args.flow,
            tags=args.tag,
            where=args.where,
            sort=args.sort or DEFAULT_SORT,
            total=total,
        )

    def params(self, args: argparse.Namespace) -> Any:
        """`%mfns params RUN`: the run's parameters (opaque ones named, never unpickled)."""
        ns = self.session.namespace
        run = self.session.catalog.run(args.pathspec, ns)
        for name in run["opaque_parameters"]:
            kind = run["parameter_types"].get(name, "unknown type")
            self.say(
                f"{name}: a {kind} that cannot be read without unpickling (left out); "
                f"`%mfns load TASK/{name}` loads it from any task of {run['pathspec']}"
            )
        return params_series(run, namespace=ns)

    def dag(self, args: argparse.Namespace) -> Any:
        """`%mfns dag RUN`: the run's steps in graph order, with status, tasks and times."""
        ns = self.session.namespace
        dag = self.session.catalog.dag(args.pathspec, ns)
        self.say(dag_text(dag))
        return dag_frame(dag, namespace=ns)

    def latest(self, args: argparse.Namespace) -> Any:
        """`%mfns latest FLOW [--tag T ...] [--successful]`."""
        ns = self.session.namespace
        run = self.session.catalog.latest_run(args.flow, ns, args.tag, args.successful)
        if ns is None:
            self.say(GLOBAL_LATEST_NOTE)
        return run_series(run, namespace=ns)

    # -- tags --------------------------------------------------------------------------------
    def tag(self, args: argparse.Namespace) -> Any:
        """`%mfns tag list|add|remove PATHSPEC [TAG ...]` in the current namespace, or
        `add|remove RUN RUN ... -- TAG ...` on many runs (`bulk_tags.py`)."""
        ns = self.session.namespace
        catalog = self.session.catalog
        if args.action == "list":
            ps = parse_pathspec(args.pathspec, min_depth=1, max_depth=2, what="flow or run")
            if ps.run is None:
                listing = catalog.tags(ns, ps.flow)
                return records_frame(
                    listing["tags"], ["tag", "system", "runs"], namespace=ns, flow=ps.flow
                )
            run = catalog.run(str(ps), ns)
            self._show_tags(run["pathspec"], run["tags"], run["system_tags"])
            return None
        if args.runs is not None:
            adding = args.action == "add"
            bulk_tag(self.session, args.runs, args.tags, adding, args.yes, self._confirm, self.say)
            return None
        add = args.tags if args.action == "add" else []
        remove = args.tags if args.action == "remove" else []
        result = catalog.mutate_tags(args.pathspec, add=add, remove=remove, namespace=ns)
        self._show_tags(result["pathspec"], result["tags"], result["system_tags"])
        return None

    def _show_tags(self, pathspec: str, tags: List[str], system_tags: List[str]) -> None:
        self.say(f"{pathspec} tags: {', '.join(map(repr, tags)) if tags else '(none)'}")
        self.say(f"system tags: {', '.join(system_tags)}")

    # -- artifacts and logs ------------------------------------------------------------------
    def load(self, args: argparse.Namespace) -> Any:
        """`%mfns load TASK/ARTIFACT [--as NAME]`, or `%mfns load TASK` to list artifacts."""
        ns = self.session.namespace
        ps = parse_pathspec(args.pathspec, min_depth=4, max_depth=5, what="artifact pathspec")
        if ps.artifact is None:
            if args.name:
                raise InvalidPathspec(
                    f"--as needs an artifact: {ps}/ARTIFACT (see the list without --as)."
                )
            listing = self.session.catalog.artifacts(str(ps), ns)
            self.say(f"Artifacts of {ps} (load one with %mfns load {ps}/NAME):")
            return artifacts_frame(listing["artifacts"], pathspec=str(ps), namespace=ns)
        name = check_variable_name(args.name or default_variable_name(ps.artifact))
        conversion = load_conversion(str(ps), ns, self.session)
        self.say(bind(self.user_ns, name, conversion))
        return None

    def logs(self, args: argparse.Namespace) -> None:
        """`%mfns logs TASK [--stderr] [--tail N]`: the lines, as they were printed."""
        ns = self.session.namespace
        stream = "stderr" if args.stderr else "stdout"
        result = self.session.catalog.logs(args.pathspec, stream, ns, args.tail)
        if result["truncated"]:
            self.say(f"[... earlier lines not shown: the last {len(result['lines'])} follow]")
        if not result["lines"]:
            self.say(f"[{result['pathspec']} wrote nothing to {stream}]")
        else:
            self.say("\n".join(line["text"] for line in result["lines"]))
        return None

    def cards(self, args: argparse.Namespace) -> Any:
        """`%mfns cards TASK [--id ID] [--type T]`: the cards, each in a sandboxed frame."""
        ns = self.session.namespace
        shown = task_cards(
            self.session.catalog, args.pathspec, ns, args.card_id, args.card_type, args.height
        )
        if not shown.shown:
            which = " matching" if args.card_id or args.card_type else ""
            self.say(f"{shown.listing['pathspec']} has no{which} card.")
            return None
        return shown

    def compare(self, args: argparse.Namespace) -> Any:
        """`%mfns compare RUN RUN [...] [--all] [--load NAME]`."""
        value, line = run_compare(self.session, args.runs, args.all, args.load)
        self.say(line)
        return value

    def help(self, args: argparse.Namespace) -> None:
        self.say(cli.usage())
