"""Tab completion for `%mfns`: subcommands, options, namespaces, flows, tags and pathspecs.

Registered as an IPython "Matcher API v2" matcher, so it can replace a whole argument, quotes
and colons included (IPython's default word splitting would cut `user:an` at the colon). The
candidates come from the kernel session's Catalog and respect the kernel's current namespace.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from ..core.errors import MfnsError
from . import cli
from .session import KernelSession, get_session

MAGIC = "%mfns"
MATCHER_ID = "jupyter_mfns.completion"
# `%mfns ...` or `name = %mfns ...`, with the cursor past the magic's name
_MAGIC_LINE = re.compile(r"^\s*(?:[A-Za-z_][\w.]*\s*=\s*)?%mfns\s+(.*)$", re.DOTALL)
_SAFE = re.compile(r"^[\w@%+=:,./-]+$")
#: each subcommand's options and whether they take a value, from the magic's own parser
_PARSED = cli.options()
_OPTIONS = {command: list(flags) for command, flags in _PARSED.items()}
_TAKES_VALUE = {flag for flags in _PARSED.values() for flag, value in flags.items() if value}


def quote(word: str) -> str:
    """The word as the magic's tokenizer reads it back (double quotes when needed)."""
    if _SAFE.match(word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def split_words(text: str) -> Tuple[List[str], str, str]:
    """Complete words before the cursor, and the word being typed (raw text and its value).

    Quotes group words as in the shell; an unclosed quote is part of the current word.
    """
    words: List[str] = []
    raw, value, quote_char, escaped = "", "", "", False
    started = False
    for ch in text:
        if escaped:
            raw, value, escaped = raw + ch, value + ch, False
        elif ch == "\\" and quote_char != "'":
            raw, escaped = raw + ch, True
        elif quote_char:
            raw += ch
            if ch == quote_char:
                quote_char = ""
            else:
                value += ch
        elif ch in "\"'":
            raw, quote_char, started = raw + ch, ch, True
        elif ch.isspace():
            if started:
                words.append(value)
            raw, value, started = "", "", False
        else:
            raw, value, started = raw + ch, value + ch, True
    return words, raw, value


def _match(candidates: Iterable[str], typed: str) -> List[str]:
    unique = list(dict.fromkeys(candidates))
    hits = [c for c in unique if c.startswith(typed)]
    if not hits:
        low = typed.lower()
        hits = [c for c in unique if c.lower().startswith(low)]
    return hits


class Completer:
    """Candidates for the word being typed after `%mfns`."""

    def __init__(self, session: Optional[KernelSession] = None) -> None:
        self._session = session

    @property
    def session(self) -> KernelSession:
        return self._session or get_session()

    def _ns(self) -> Optional[str]:
        return self.session.namespace

    def complete(self, words: List[str], typed: str) -> List[str]:
        """Replacement values (unquoted) for `typed`, given the complete `words` before it."""
        try:
            return _match(self._candidates(words, typed), typed)
        except MfnsError:
            return []

    def _candidates(self, words: List[str], typed: str) -> List[str]:
        if not words:
            return [*cli.SUBCOMMANDS, "--help"]
        command, rest = words[0], words[1:]
        previous = rest[-1] if rest else None
        if previous in _TAKES_VALUE:
            return self._option_value(command, previous, rest)
        if typed.startswith("-"):
            return [*_OPTIONS.get(command, []), "--help"]
        positional = _positionals(rest)
        if command == "namespace" and not positional:
            return self.namespaces() + (_OPTIONS["namespace"] if not typed else [])
        if command in ("runs", "latest") and not positional:
            return self.flows()
        if command in ("params", "dag") and not positional:
            return self.pathspecs(typed, max_depth=2)
        if command == "tag":
            return self._tag_candidates(positional, typed)
        if command == "load" and not positional:
            return self.pathspecs(typed, max_depth=5)
        if command in ("logs", "cards") and not positional:
            return self.pathspecs(typed, max_depth=4)
        return []

    def _option_value(self, command: str, option: str, rest: List[str]) -> List[str]:
        flows = _positionals(rest[:-1])
        if option == "--tag":
            return self.tags(flows[0] if flows else None)
        if option in ("--sort", "--where") and flows:
            names = self.parameter_names(flows[0])
            if option == "--sort":
                return ["-created_at", "created_at"] + [
                    f"{sign}param:{n}" for n in names for sign in ("-", "")
                ]
            return names
        return []

    def _tag_candidates(self, positional: List[str], typed: str) -> List[str]:
        if not positional:
            return list(cli.TAG_ACTIONS)
        if len(positional) == 1:
            return self.pathspecs(typed, max_depth=2)
        action, pathspec = positional[0], positional[1]
        if action == "list":
            return []
        run = self.session.catalog.run(pathspec, self._ns())
        if action == "remove":
            return [t for t in run["tags"] if t not in positional[2:]]
        have = set(run["tags"]) | set(positional[2:])
        return [t for t in self.tags(run["flow"], user_only=True) if t not in have]

    # -- sources -------------------------------------------------------------------------------
    def namespaces(self) -> List[str]:
        """Namespaces in the store: users, production tokens, then tags."""
        listing = self.session.catalog.namespaces()["namespaces"]
        return [n["namespace"] for n in listing if n["kind"] != "system"]

    def flows(self) -> List[str]:
        """Flows in the current namespace first, then the others."""
        catalog = self.session.catalog
        here = [f["flow"] for f in catalog.flows(self._ns())["flows"]]
        return here + [f["flow"] for f in catalog.flows(None)["flows"] if f["flow"] not in here]

    def tags(self, flow: Optional[str], user_only: bool = False) -> List[str]:
        """Tags on runs in the current namespace (of `flow`), most used first."""
        listing = self.session.catalog.tags(self._ns(), flow)["tags"]
        user = [t["tag"] for t in listing if not t["system"]]
        return user if user_only else user + [t["tag"] for t in listing if t["system"]]

    def parameter_names(self, flow: str) -> List[str]:
        """Parameters of the flow's latest run in the current namespace."""
        run = self.session.catalog.runs(flow, self._ns(), limit=1)["runs"]
        return list(run[0]["parameters"]) + list(run[0]["opaque_parameters"]) if run else []

    def pathspecs(self, typed: str, max_depth: int) -> List[str]:
        """The next pathspec level below what is typed, in the current namespace."""
        catalog, ns = self.session.catalog, self._ns()
        parts = typed.split("/")
        parent, depth = "/".join(parts[:-1]), len(parts)
        more = "/" if depth < max_depth else ""
        if depth == 1:
            names = self.flows()
        elif depth == 2:
            names = [r["id"] for r in catalog.runs(parts[0], ns, limit=100)["runs"]]
        elif depth in (3, 4):
            children = catalog.get_object(parent, ns)["children"]
            names = [c["name"] if depth == 3 else c["id"] for c in children]
        elif depth == 5:
            names = [a["name"] for a in catalog.artifacts(parent, ns)["artifacts"]]
        else:
            names = []
        prefix = f"{parent}/" if parent else ""
        return [f"{prefix}{name}{more}" for name in names]


def _positionals(words: List[str]) -> List[str]:
    """The words that are not options or option values."""
    out: List[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in _TAKES_VALUE:
            skip = True
        elif not word.startswith("-"):
            out.append(word)
    return out


def make_matcher(completer: Optional[Completer] = None) -> Callable[[Any], Dict[str, Any]]:
    """An IPython v2 matcher completing `%mfns` lines (and leaving other lines alone)."""
    completer = completer or Completer()

    def mfns_matcher(context: Any) -> Dict[str, Any]:
        from IPython.core.completer import SimpleCompletion

        found_line = _MAGIC_LINE.match(context.text_until_cursor)
        if found_line is None:  # not a %mfns line, or the cursor is still on "%mfns"
            return {"completions": [], "suppress": False}
        words, raw, value = split_words(found_line.group(1))
        found = completer.complete(words, value)
        return {
            "completions": [SimpleCompletion(quote(c), type="mfns") for c in found],
            "matched_fragment": raw,
            "suppress": True,
            "ordered": True,
        }

    mfns_matcher.matcher_api_version = 2  # type: ignore[attr-defined]
    mfns_matcher.matcher_identifier = MATCHER_ID  # type: ignore[attr-defined]
    return mfns_matcher
