"""Build the demo Metaflow store: real runs of the demo flows telling anne and will's story.

``build_demo_store(root)`` leaves ``root/.metaflow`` (local metadata + datastore) and the marker
``root/.mfns-demo.json`` holding the :class:`~jupyter_mfns.demo.story.DemoStory`. It is idempotent:
a complete store whose marker matches the current flow sources is returned as is; anything else
that the builder itself created (stale marker, or an interrupted build) is deleted and rebuilt.
A ``.metaflow`` folder the builder did not create is never deleted unless ``force=True``.

CLI: ``mfns-demo [DIR]`` or ``python -m jupyter_mfns.demo [DIR]`` (default ``./.demo-store``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Optional

from .runner import FlowRun, FlowRunError, StrPath, resume_flow, run_flow
from .story import DemoRun, DemoStory, select_runs

DEMO_DIR = Path(__file__).resolve().parent
FLOWS_DIR = DEMO_DIR / "flows"
MARKER_NAME = ".mfns-demo.json"
BUILDING_NAME = ".mfns-demo.building"  # present while a build runs: proves .metaflow is ours
LOCK_NAME = ".mfns-demo.lock"

USERS = ("anne", "will")
PRODUCTION_TOKEN = "demo-prod-1"
DATE_TAGS = ("2026-11-20", "2026-11-21", "2026-11-22")
FIX_ENV = "MFNS_DEMO_FIXED"  # read by PredictionFlow's score step: will's "bug fix"

#: Artifact kind -> artifact name in ShowcaseFlow's ``make_artifacts`` task.
ARTIFACT_KINDS = {
    "pandas_dataframe": "predictions_df",
    "pandas_series": "scores_series",
    "dict_of_columns": "columns",
    "list_of_dicts": "records",
    "list_of_namedtuples": "prediction_tuples",
    "numpy_1d": "vector",
    "numpy_2d": "matrix",
    "large_dataframe": "big_df",
    "int": "n_rows",
    "float": "auc",
    "str": "model_name",
    "bool": "is_champion",
    "none": "nothing",
    "nested_dict": "config",
    "set": "label_set",
    "unloadable": "opaque_objects",  # class defined in the flow script (__main__)
    "polars_dataframe": "predictions_pl",  # only if polars was importable
    "pyarrow_table": "predictions_arrow",  # only if pyarrow was importable
}


class DemoStoreError(RuntimeError):
    """The demo store cannot be built in this folder."""


#: Demo flow name -> script in FLOWS_DIR.
FLOW_FILES = {
    "FeatureFlow": "feature_flow.py",
    "PredictionFlow": "prediction_flow.py",
    "ShowcaseFlow": "showcase_flow.py",
}


def flow_file(name: str) -> Path:
    """Path of a demo flow script, e.g. ``flow_file("PredictionFlow")``."""
    return FLOWS_DIR / FLOW_FILES[name]


def source_hash() -> str:
    """Hash of everything that shapes the store: the demo sources and the versions of Python,
    Metaflow and the libraries whose pickles the artifacts hold."""
    digest = hashlib.sha256()
    sources = sorted(FLOWS_DIR.glob("*.py")) + [
        DEMO_DIR / name for name in ("build.py", "records.py", "runner.py", "story.py")
    ]
    for path in sources:
        digest.update(path.relative_to(DEMO_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    digest.update(sys.version.split()[0].encode())
    for dist in ("metaflow", "numpy", "pandas", "polars", "pyarrow"):
        digest.update(f"{dist}={_version(dist)}".encode())
    return digest.hexdigest()[:16]


def read_story(root: StrPath) -> Optional[DemoStory]:
    """The story of a complete, current demo store in ``root``, else None."""
    root = Path(root)
    marker = root / MARKER_NAME
    if not marker.is_file() or not (root / ".metaflow").is_dir():
        return None
    try:
        story = DemoStory.from_json(marker.read_text(encoding="utf-8"))
    except (ValueError, TypeError, KeyError):
        return None
    return story if story.source_hash == source_hash() else None


def build_demo_store(root: StrPath, *, quiet: bool = True, force: bool = False) -> DemoStory:
    """Make ``root`` hold the complete demo store and return its story (a no-op when it does).

    ``quiet=False`` streams the flows' output. ``force=True`` also deletes a ``root/.metaflow``
    that the builder did not create. Safe to call from concurrent processes (file lock).
    """
    root_path = Path(root).resolve()
    root_path.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(root_path / LOCK_NAME):
        story = read_story(root_path)
        if story is not None:
            return story
        _clear(root_path, force=force)
        (root_path / BUILDING_NAME).write_text(str(os.getpid()), encoding="utf-8")
        story = _play_story(root_path, quiet=quiet)
        _atomic_write(root_path / MARKER_NAME, story.to_json())
        (root_path / BUILDING_NAME).unlink()
        return story


def _play_story(root: Path, *, quiet: bool) -> DemoStory:
    """Run the flows, in this order, so every "latest run" question has a telling answer."""
    d20, d21, d22 = DATE_TAGS
    runs: list[DemoRun] = []

    def play(
        flow: str,
        user: str,
        tags: tuple[str, ...] = (),
        args: tuple[str, ...] = (),
        production: bool = False,
        resume_of: Optional[FlowRun] = None,
        expect_success: bool = True,
    ) -> FlowRun:
        if resume_of is not None:
            result = resume_flow(
                root,
                flow_file(flow),
                resume_of.run_id,
                user=user,
                tags=tags,
                extra_env={FIX_ENV: "1"},
                check=False,
                quiet=quiet,
            )
        else:
            result = run_flow(
                root,
                flow_file(flow),
                user=user,
                args=args,
                tags=tags,
                production_token=PRODUCTION_TOKEN if production else None,
                check=False,
                quiet=quiet,
            )
        if result.succeeded != expect_success:
            raise DemoStoreError(
                f"{result.pathspec} by {user}: expected success={expect_success}, got exit "
                f"status {result.returncode}:\n" + "\n".join(result.output.splitlines()[-30:])
            )
        runs.append(
            DemoRun(
                pathspec=result.pathspec,
                flow=result.flow,
                user=user,
                namespace=f"production:{PRODUCTION_TOKEN}" if production else f"user:{user}",
                tags=sorted(tags),
                successful=result.succeeded,
                created_at=_created_at(root, result),
                origin_run=resume_of.pathspec if resume_of is not None else None,
            )
        )
        return result

    # Features first: the shared tag xyz_features spans both users.
    play("FeatureFlow", "anne", ("xyz_features", d20))
    play("FeatureFlow", "will", ("xyz_features", d20))
    play("PredictionFlow", "anne", ("crazy_test", d20), args=("--alpha", "0.1"))
    play("PredictionFlow", "will", (d20,), args=("--alpha", "0.25"))
    play("FeatureFlow", "anne", (d21, "ünïcode ✓"))  # not in xyz_features
    play(
        "PredictionFlow", "anne", ("crazy_test", d21, "note: best so far"), args=("--alpha", "0.9")
    )
    failed = play(
        "PredictionFlow", "anne", (d21,), args=("--break_scoring", "true"), expect_success=False
    )
    resumed = play("PredictionFlow", "will", (d22,), resume_of=failed)
    # Production run made with METAFLOW_USER=anne: its user is anne, yet it is not in user:anne.
    production = play("PredictionFlow", "anne", (d22,), production=True)
    play("FeatureFlow", "will", ("xyz_features", d22))
    showcase = play("ShowcaseFlow", "anne", ("showcase",))
    play("PredictionFlow", "will", (d22,))  # the global latest PredictionFlow run is will's

    if len({run.created_at for run in runs}) != len(runs):
        raise DemoStoreError("two demo runs share a created_at; Metaflow's order is ambiguous")
    artifact_task = _only_task(root, showcase, "make_artifacts")
    present = _artifact_names(root, artifact_task)
    return DemoStory(
        source_hash=source_hash(),
        metaflow_version=_version("metaflow"),
        users=list(USERS),
        production_token=PRODUCTION_TOKEN,
        date_tags=list(DATE_TAGS),
        runs=runs,
        feature_runs=select_runs(runs, "FeatureFlow"),
        xyz_features_runs=select_runs(runs, "FeatureFlow", "xyz_features"),
        anne_prediction_runs=select_runs(runs, "PredictionFlow", "user:anne"),
        will_prediction_runs=select_runs(runs, "PredictionFlow", "user:will"),
        production_run=production.pathspec,
        failed_run=failed.pathspec,
        resumed_run=resumed.pathspec,
        resumed_from=failed.pathspec,
        showcase_run=showcase.pathspec,
        artifact_task=artifact_task,
        artifacts={kind: name for kind, name in ARTIFACT_KINDS.items() if name in present},
        long_stdout_task=_only_task(root, showcase, "talk"),
        long_stdout_lines=_showcase_constant("STDOUT_LINES"),
        long_stderr_lines=_showcase_constant("STDERR_LINES"),
    )


def _showcase_constant(name: str) -> int:
    """An integer constant of the showcase flow script, read from its source (importing it would
    import Metaflow into this process)."""
    source = flow_file("ShowcaseFlow").read_text(encoding="utf-8")
    found = re.search(rf"^{name} = (\d+)$", source, re.MULTILINE)
    if found is None:
        raise DemoStoreError(f"{name} not found in {flow_file('ShowcaseFlow')}")
    return int(found.group(1))


def _created_at(root: Path, result: FlowRun) -> int:
    """The run's ``ts_epoch`` (ms) from its ``_meta/_self.json``: what Metaflow orders runs by."""
    path = root / ".metaflow" / result.flow / result.run_id / "_meta" / "_self.json"
    return int(json.loads(path.read_text(encoding="utf-8"))["ts_epoch"])


def _only_task(root: Path, result: FlowRun, step: str) -> str:
    """Pathspec of the single task of ``step`` (a local-store folder name is the task id)."""
    step_dir = root / ".metaflow" / result.flow / result.run_id / step
    task_ids = [p.name for p in step_dir.iterdir() if p.is_dir() and not p.name.startswith("_")]
    if len(task_ids) != 1:
        raise DemoStoreError(f"expected one task in {step_dir}, found {task_ids}")
    return f"{result.pathspec}/{step}/{task_ids[0]}"


def _artifact_names(root: Path, task_pathspec: str) -> set[str]:
    """Artifact names listed in a task's ``0.data.json`` (no unpickling)."""
    data_json = root / ".metaflow" / task_pathspec / "0.data.json"
    return set(json.loads(data_json.read_text(encoding="utf-8"))["objects"])


def _clear(root: Path, *, force: bool) -> None:
    """Delete an outdated or half-built demo store, refusing to touch a foreign one."""
    store = root / ".metaflow"
    ours = (root / MARKER_NAME).exists() or (root / BUILDING_NAME).exists()
    if store.is_dir() and not any(store.iterdir()):
        ours = True  # an empty .metaflow holds nothing to lose
    if store.exists():
        if not (ours or force):
            raise DemoStoreError(
                f"{store} exists but was not made by the demo builder; "
                "use an empty folder, or force=True (--force) to delete it"
            )
        shutil.rmtree(store)
    for name in (MARKER_NAME, BUILDING_NAME):
        (root / name).unlink(missing_ok=True)


@contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` (no-op where fcntl is unavailable)."""
    try:
        import fcntl
    except ImportError:  # Windows: concurrent builds are not supported there
        yield
        return
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "absent"


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``mfns-demo [DIR] [--force] [--verbose]``: build (or reuse) the demo store in DIR."""
    parser = argparse.ArgumentParser(
        prog="mfns-demo", description="Build (or reuse) the jupyter_mfns demo Metaflow store."
    )
    parser.add_argument("root", nargs="?", default=".demo-store", help="folder for .metaflow")
    parser.add_argument("--force", action="store_true", help="delete a foreign .metaflow in DIR")
    parser.add_argument("--verbose", action="store_true", help="show the flows' output")
    parser.add_argument("--json", action="store_true", help="print the story as JSON")
    options = parser.parse_args(argv)
    started = time.monotonic()
    try:
        story = build_demo_store(options.root, quiet=not options.verbose, force=options.force)
    except (DemoStoreError, FlowRunError) as error:
        print(f"mfns-demo: {error}", file=sys.stderr)
        return 1
    if options.json:
        print(story.to_json())
        return 0
    root = Path(options.root).resolve()
    print(
        f"demo store ready in {root}/.metaflow ({len(story.runs)} runs, "
        f"{time.monotonic() - started:.1f} s)"
    )
    print("browse it as anne with:")
    print(
        f"  METAFLOW_DEFAULT_METADATA=local METAFLOW_DEFAULT_DATASTORE=local \\\n"
        f"  METAFLOW_DATASTORE_SYSROOT_LOCAL={root} METAFLOW_USER=anne jupyter lab"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
