"""Large Metaflow stores for the benchmarks and tests/scale, multiplied from real runs.

``scaled_store(100_000)`` returns a local store holding exactly that many runs: the real runs
of the demo store (copied whole, as :func:`copy_demo_store` does) plus copies of them with new
run ids, users, namespaces (``user:`` and ``production:``), user tags and creation times.

A copy holds the files of its source run that Metaflow's client and jupyter_mfns read to list
the run and to know its status, finish time and resume origin (found by tracing both over the
source store, so the set follows whatever the installed Metaflow reads). The records that name
the run are rewritten: every ``_self.json`` (run, steps, tasks) and artifact record gets the new
run id, user, tags and system tags, and its ``ts_epoch`` shifted by the copy's offset (so
finish times move with creation times). Task metadata records (``sysmeta_*``: attempts,
``ds-root``, origin, versions) are hard links to the source's: their values do not depend on
the run, and the run number and timestamps inside them are not read for listings or status.
Artifact blobs stay shared in the flow's content-addressed ``data/`` folder, except the
parameter values each copy gets of its own (``scale_params.py``: PredictionFlow's ``alpha``
and ``models``, so parameter filters select subsets). Logs and the other
artifact records are not copied: a copy's steps hold only what the listing reads.

With ``full_copies=N`` only the newest N copies are whole; older ones hold their run record
(``_meta/_self.json``) alone, which is all a listing reads: a 1M-run store then fits a disk
and the inode table (a whole copy takes about 26 inodes and 100 KB). Such a run's status is
"unknown" (it has no tasks), as Metaflow's client would say of it too.

Stores are cached in ``<cache>/bench-<runs>-<key>`` (the key covers the parameters, the demo
sources and this generator) and can be deleted at any time. CLI:
``python -m benchmarks.scaled_store 10000``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from harness.demo_stores import DemoStore, cached_demo_store, copy_demo_store, default_cache_dir
from jupyter_mfns.demo.runner import StrPath, metaflow_env
from jupyter_mfns.demo.story import DemoStory

from . import scale_params

#: bump when the generated stores change shape, so cached ones are rebuilt
SCALE_VERSION = "3"
MANIFEST_NAME = ".mfns-scale.json"
LOCK_SUFFIX = ".lock"

#: the benchmark's "first page" query: a flow's runs in a namespace, filtered by two tags
QUERY_FLOW = "PredictionFlow"
QUERY_NAMESPACE = "user:anne"
QUERY_TAGS = ("team:ranking", "validated")

# Who runs flows: anne and will (the demo story) plus colleagues, few of them busy.
_COLLEAGUES = (
    "maria ahmed chen dmitri elena farid grace hiro ines jonas kofi lena mateo nadia oskar "
    "priya quinn rosa sven tara umar vera wen xavier yuki zara"
).split()
_USER_WEIGHTS = {
    "anne": 45.0,
    "will": 15.0,
    **{u: 30.0 / (i + 1) for i, u in enumerate(_COLLEAGUES)},
}
_PRODUCTION_SHARE = 0.08
_PRODUCTION_TOKENS = ("demo-prod-1", "ranking-prod-2", "search-prod-3")
#: user tags and the chance a run carries each
_TAG_ODDS = {
    "team:ranking": 0.6,
    "team:search": 0.2,
    "validated": 0.6,
    "model:gbm": 0.25,
    "model:rf": 0.15,
    "model:nn": 0.1,
    "xyz_features": 0.12,
    "crazy_test": 0.08,
    "baseline": 0.06,
    "candidate": 0.05,
    "note: best so far": 0.01,
    "ünïcode ✓": 0.01,
}
_DATE_TAG_ODDS = 0.3  # a tag naming the run's day, e.g. "2026-03-14"
_EXPERIMENT_ODDS = 0.3  # one of 400 "exp-NNN" tags
_SPAN_MS = 365 * 24 * 3600 * 1000  # copies are spread over the year before the real runs


@dataclass(frozen=True)
class ScaledStore:
    """A multiplied store on disk (``root/.metaflow``) and how it was made."""

    root: Path
    runs: int
    seed: int
    key: str
    source: DemoStory  # the real runs, copied whole
    users: List[str]
    production_tokens: List[str]
    query_flow: str
    query_namespace: str
    query_tags: List[str]
    build_seconds: float
    files: int  # files written or linked for the copies
    flows: Dict[str, int] = field(default_factory=dict)  # runs per flow
    #: SCALE_VERSION of the generator that built it ("3": built before it was recorded)
    scale_version: str = "3"

    def env(self, user: str = "anne") -> Dict[str, str]:
        """Environment for a Metaflow (or Jupyter) process reading this store as ``user``."""
        return metaflow_env(self.root, user)


@dataclass(frozen=True)
class _Copy:
    flow: str
    source_run: str
    run_id: str
    user: str
    namespace: str
    tags: Tuple[str, ...]
    created_at: int
    params: Tuple[scale_params.Written, ...] = ()  # its own parameter values' blobs
    lite: bool = False  # only the run record, no steps or tasks


@dataclass
class _Template:
    """What a copy of one source run consists of."""

    flow: str
    run_id: str
    created_at: int
    dirs: List[Tuple[str, float]]  # relative dir, source mtime; parents first
    links: List[str]  # relative files shared by hard link
    rewrites: List[Tuple[str, Dict[str, Any]]]  # relative file, parsed JSON


# -- public API ---------------------------------------------------------------------------------
def scaled_store(
    runs: int,
    *,
    seed: int = 0,
    cache_dir: Optional[StrPath] = None,
    source: Optional[DemoStore] = None,
    workers: Optional[int] = None,
    quiet: bool = True,
    full_copies: Optional[int] = None,
) -> ScaledStore:
    """A store of exactly ``runs`` runs in ``<cache>/bench-<runs>-<key>``, built on first use.

    Safe to call from concurrent processes (file lock); an interrupted build is redone.
    """
    source = source or cached_demo_store()
    if runs < len(source.story.runs):
        raise ValueError(f"a scaled store needs at least {len(source.story.runs)} runs")
    base = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    key = _key(runs, seed, source.story, full_copies)
    root = (base / f"bench-{runs}-{key}").resolve()
    base.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(base / f"bench-{runs}-{key}{LOCK_SUFFIX}"):
        found = _read_manifest(root, key)
        if found is not None:
            return found
        if root.exists():
            _log(quiet, f"removing the incomplete store {root}")
            shutil.rmtree(root)
        _remove_outdated(base, runs, key, source.story.source_hash, quiet)
        started = time.monotonic()
        real = copy_demo_store(source, root)
        templates = _trace_templates(real.root)
        copies = _plan_copies(real.story, runs - len(real.story.runs), seed)
        if full_copies is not None:  # oldest first: all but the newest are record-only
            lite = max(0, len(copies) - full_copies)
            copies = [replace(c, lite=True) for c in copies[:lite]] + copies[lite:]
        # record-only copies have no tasks, hence no parameters of their own
        whole = [i for i, c in enumerate(copies) if not c.lite]
        flows_of = [copies[i].flow for i in whole]
        held = scale_params.write_blobs(
            str(root / ".metaflow"), flows_of, scale_params.plan(flows_of, seed)
        )
        for i, h in zip(whole, held):
            copies[i] = replace(copies[i], params=h)
        files = _write_copies(root, templates, copies, workers, quiet)
        flows: Dict[str, int] = {}
        for r in real.story.runs:
            flows[r.flow] = flows.get(r.flow, 0) + 1
        for c in copies:
            flows[c.flow] = flows.get(c.flow, 0) + 1
        store = ScaledStore(
            root=root,
            runs=runs,
            seed=seed,
            key=key,
            source=real.story,
            users=sorted({c.user for c in copies} | set(real.story.users)),
            production_tokens=sorted(
                {c.namespace.split(":", 1)[1] for c in copies if c.namespace.startswith("prod")}
            ),
            query_flow=QUERY_FLOW,
            query_namespace=QUERY_NAMESPACE,
            query_tags=list(QUERY_TAGS),
            build_seconds=round(time.monotonic() - started, 2),
            files=files,
            flows=flows,
            scale_version=SCALE_VERSION,
        )
        _write_manifest(store)
        _log(quiet, f"built {runs} runs in {store.build_seconds:.1f} s: {root}")
        return store


def _key(runs: int, seed: int, story: DemoStory, full_copies: Optional[int] = None) -> str:
    text = f"{SCALE_VERSION}:{runs}:{seed}:{story.source_hash}"
    if full_copies is not None:
        text += f":full{full_copies}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


# -- plan ---------------------------------------------------------------------------------------
def _plan_copies(story: DemoStory, n: int, seed: int) -> List[_Copy]:
    """Who ran what, when, with which tags: deterministic for a seed, distinct milliseconds."""
    rng = random.Random(seed)
    sources = sorted(story.runs, key=lambda r: r.pathspec)
    users, weights = list(_USER_WEIGHTS), list(_USER_WEIGHTS.values())
    end = min(r.created_at for r in story.runs) - 24 * 3600 * 1000
    step = max(1, _SPAN_MS // max(n, 1))
    out = []
    for i in range(n):
        src = sources[rng.randrange(len(sources))]
        created = end - _SPAN_MS + i * step + rng.randrange(step)
        user = rng.choices(users, weights)[0]
        if rng.random() < _PRODUCTION_SHARE:
            namespace = f"production:{rng.choice(_PRODUCTION_TOKENS)}"
        else:
            namespace = f"user:{user}"
        tags = {t for t, odds in _TAG_ODDS.items() if rng.random() < odds}
        if rng.random() < _DATE_TAG_ODDS:
            day = datetime.fromtimestamp(created / 1000, tz=timezone.utc)
            tags.add(day.strftime("%Y-%m-%d"))
        if rng.random() < _EXPERIMENT_ODDS:
            tags.add(f"exp-{rng.randrange(400):03d}")
        out.append(
            _Copy(
                flow=src.flow,
                source_run=src.pathspec.split("/")[1],
                run_id=str(created * 1000 + i % 1000),
                user=user,
                namespace=namespace,
                tags=tuple(sorted(tags)),
                created_at=created,
            )
        )
    return out


# -- which files a copy needs -------------------------------------------------------------------
_TRACE = r"""
import json, os, sys, tempfile
root = os.path.realpath(sys.argv[1])
seen = set()
def hook(event, args):
    if event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], str):
        path = os.path.realpath(args[0])
        if path.startswith(root + os.sep):
            seen.add((path, event != "open"))
sys.addaudithook(hook)
from metaflow import Metaflow, namespace
namespace(None)
for flow in Metaflow().flows:
    for run in flow.runs():
        run.successful, run.finished, run.finished_at, run.origin_pathspec, run.end_task
        params = run["_parameters"].task
        for p in params["_graph_info"].data["parameters"]:
            params[p["name"]].data
from jupyter_mfns.core import Catalog
from jupyter_mfns.core.store import LocalStore
catalog = Catalog(LocalStore(os.path.dirname(root)), cache_dir=tempfile.mkdtemp())
for flow in catalog.flows(None)["flows"]:
    for run in catalog.iter_runs(flow["flow"], None):
        catalog.run(run["pathspec"], None)
catalog.close()
print(json.dumps(sorted([os.path.relpath(p, root), d] for p, d in seen)))
"""


def _trace_templates(root: Path) -> Dict[Tuple[str, str], _Template]:
    """Per source run, the files Metaflow's client and our Catalog read to list it with status."""
    store = root / ".metaflow"
    proc = subprocess.run(
        [sys.executable, "-c", _TRACE, str(store)],
        env=metaflow_env(root, "anne"),
        cwd=str(root),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"tracing the source runs failed:\n{proc.stderr[-3000:]}")
    seen: List[Tuple[str, bool]] = json.loads(proc.stdout.strip().splitlines()[-1])
    files: Dict[Tuple[str, str], set] = {}
    dirs: Dict[Tuple[str, str], set] = {}
    for rel, is_dir in seen:
        parts = rel.split("/")
        if len(parts) < 2 or not parts[1].isdigit():
            continue  # flow-level files (data blobs, the flow's _meta) are shared as they are
        key = (parts[0], parts[1])
        inner = "/".join(parts[2:])
        (dirs if is_dir else files).setdefault(key, set()).add(inner)
    templates = {}
    for key in files:
        flow, run_id = key
        run_dir = store / flow / run_id
        wanted = set(dirs.get(key, set()))
        for f in files[key]:
            parent = os.path.dirname(f)
            while parent:
                wanted.add(parent)
                parent = os.path.dirname(parent)
        wanted.discard("")
        wanted = {d for d in wanted if (run_dir / d).is_dir()}  # listing a missing dir fails
        links, rewrites = [], []
        for f in sorted(files[key]):
            if _shared(f):
                links.append(f)
            else:
                rewrites.append((f, json.loads((run_dir / f).read_text(encoding="utf-8"))))
        self_json = json.loads((run_dir / "_meta" / "_self.json").read_text(encoding="utf-8"))
        templates[key] = _Template(
            flow=flow,
            run_id=run_id,
            created_at=int(self_json["ts_epoch"]),
            dirs=[(d, os.stat(run_dir / d).st_mtime) for d in sorted(wanted, key=_depth)],
            links=links,
            rewrites=rewrites,
        )
    return templates


def _depth(rel: str) -> Tuple[int, str]:
    return (rel.count("/"), rel)


def _shared(rel: str) -> bool:
    """Task metadata records (`sysmeta_*`) are shared: their values do not name the run."""
    return os.path.basename(rel).startswith("sysmeta_")


# -- write --------------------------------------------------------------------------------------
_TEMPLATES: Dict[Tuple[str, str], _Template] = {}


def _write_copies(
    root: Path,
    templates: Dict[Tuple[str, str], _Template],
    copies: Sequence[_Copy],
    workers: Optional[int],
    quiet: bool,
) -> int:
    global _TEMPLATES
    _TEMPLATES = templates  # inherited by forked workers
    store = str(root / ".metaflow")
    chunks = [list(copies[i : i + 500]) for i in range(0, len(copies), 500)]
    workers = workers or min(2, os.cpu_count() or 1)
    total = done = 0
    if workers <= 1 or len(chunks) <= 1:
        results: Iterator[int] = (_write_chunk(store, c) for c in chunks)
        for n in results:
            total += n
        return total
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        for n in pool.map(_write_chunk, [store] * len(chunks), chunks):
            total += n
            done += 1
            if done % 20 == 0:
                _log(quiet, f"  {done * 500} / {len(copies)} copies")
    return total


def _write_chunk(store: str, copies: List[_Copy]) -> int:
    written = 0
    for c in copies:
        written += _write_copy(store, _TEMPLATES[(c.flow, c.source_run)], c)
    return written


def _write_copy(store: str, t: _Template, c: _Copy) -> int:
    src = os.path.join(store, t.flow, t.run_id)
    dst = os.path.join(store, c.flow, c.run_id)
    delta = c.created_at - t.created_at
    os.mkdir(dst)
    if c.lite:
        os.mkdir(os.path.join(dst, "_meta"))
        record = next(obj for f, obj in t.rewrites if f == "_meta/_self.json")
        with open(os.path.join(dst, "_meta", "_self.json"), "w", encoding="utf-8") as out:
            out.write(json.dumps(_rewrite(record, c, delta)))
        run_mtime = c.created_at / 1000 + 1
        os.utime(dst, (run_mtime, run_mtime))
        return 1
    for d, _ in t.dirs:
        os.mkdir(os.path.join(dst, d))
    for f in t.links:
        os.link(os.path.join(src, f), os.path.join(dst, f))
    for f, obj in t.rewrites:
        with open(os.path.join(dst, f), "w", encoding="utf-8") as out:
            out.write(json.dumps(scale_params.rewrite(f, _rewrite(obj, c, delta), c.params)))
    # directories keep their source's age, shifted like the timestamps inside
    for d, mtime in reversed(t.dirs):
        os.utime(os.path.join(dst, d), (mtime + delta / 1000, mtime + delta / 1000))
    run_mtime = c.created_at / 1000 + 1
    os.utime(dst, (run_mtime, run_mtime))
    return len(t.links) + len(t.rewrites)


def _rewrite(obj: Dict[str, Any], c: _Copy, delta: int) -> Dict[str, Any]:
    out = dict(obj)
    if "run_number" in out:
        out["run_number"] = c.run_id
    if "user_name" in out:
        out["user_name"] = c.user
    ts = out.get("ts_epoch")
    if isinstance(ts, int):
        out["ts_epoch"] = ts + delta
    if isinstance(out.get("system_tags"), list):
        kept = [t for t in out["system_tags"] if not t.startswith(("user:", "production:"))]
        out["system_tags"] = kept + [c.namespace]
        out["tags"] = list(c.tags)
    return out


# -- manifest and lock --------------------------------------------------------------------------
def _write_manifest(store: ScaledStore) -> None:
    data = asdict(store)
    data["root"] = str(store.root)
    tmp = store.root / (MANIFEST_NAME + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, store.root / MANIFEST_NAME)


def _manifest_json(root: Path) -> Optional[Dict[str, Any]]:
    """The manifest a finished build wrote, as JSON (None: none, or unreadable)."""
    try:
        data = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _read_manifest(root: Path, key: str) -> Optional[ScaledStore]:
    data = _manifest_json(root)
    if data is None or data.get("key") != key or not (root / ".metaflow").is_dir():
        return None
    data["root"] = Path(data["root"])
    data["source"] = DemoStory.from_json(json.dumps(data["source"]))
    return ScaledStore(**data)


def _remove_outdated(base: Path, runs: int, key: str, source_hash: str, quiet: bool) -> None:
    """Delete stores of this size built from older sources or generators (they are large);
    a current store of another variant (seed, `full_copies`) is kept: someone uses it."""
    for lock in base.glob(f"bench-{runs}-*{LOCK_SUFFIX}"):
        other = lock.with_name(lock.name[: -len(LOCK_SUFFIX)])
        if other.name == f"bench-{runs}-{key}" or _current(other, source_hash):
            continue
        try:
            import fcntl
        except ImportError:
            return
        with open(lock, "a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # in use (being built) by another process
            _log(quiet, f"removing the outdated store {other}")
            shutil.rmtree(other, ignore_errors=True)
            lock.unlink(missing_ok=True)


def _current(root: Path, source_hash: str) -> bool:
    """A complete store built by this generator from the current demo sources."""
    data = _manifest_json(root)
    return (
        data is not None
        and data.get("scale_version", "3") == SCALE_VERSION
        and data.get("source", {}).get("source_hash") == source_hash
    )


class _exclusive_lock:
    """An advisory lock file (no-op where fcntl is unavailable)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: Any = None

    def __enter__(self) -> None:
        try:
            import fcntl
        except ImportError:
            return
        self.handle = open(self.path, "a+b")  # noqa: SIM115 - released in __exit__
        fcntl.flock(self.handle, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            self.handle.close()


def _log(quiet: bool, message: str) -> None:
    if not quiet:
        print(f"[mfns-scale] {message}", file=sys.stderr, flush=True)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m benchmarks.scaled_store RUNS [--seed N]``: build (or find) a scaled store."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--full-copies", type=int, default=None, help="whole copies (newest)")
    args = parser.parse_args(argv)
    store = scaled_store(args.runs, seed=args.seed, quiet=False, full_copies=args.full_copies)
    print(store.root)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
