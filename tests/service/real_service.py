"""Netflix's real metaflow-service for tests and benchmarks, through the fixture in shared/.

`start_real_deployment(workdir)` starts moto (S3) like the stand-in deployment, plus the
metadata service (and with `ui=True` its ui_backend) on a private PostgreSQL with
`shared/metaflow-service/start.sh`, in `workdir/mfsvc`. The service's Python environment takes
minutes to build, so it is built once into a template root (`/var/tmp/mfns-mfsvc-<source id>`,
kept across sessions; PostgreSQL runs as its own user, so every root lives where that user can
reach it, never under a private home) and every deployment links to it: a new deployment costs
a PostgreSQL cluster and the migrations (seconds). Deployments live in `/tmp/mfns-mfsvc-*`.

Requests are counted from the service's own access log (method, path, status and bytes of
every answer). `save_db`/`restore_db` dump and load the database (for cached stories), and
`load_synthetic_runs_sql` writes thousands of runs straight into its tables.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import io
import json
import os
import pickle
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from service_deployment import BUCKET, PREFIX, Deployment, route_of, start_moto

_ACCESS = re.compile(
    r'"(GET|POST|PATCH|PUT|DELETE|HEAD) (\S+) HTTP/1\.\d" (\d{3}) (\d+) "[^"]*" "([^"]*)"'
)


def fixture_dir() -> Path:
    """`shared/metaflow-service` beside the checkout (or `$MFNS_MFSVC_DIR`)."""
    configured = os.environ.get("MFNS_MFSVC_DIR")
    if configured:
        return Path(configured)
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "metaflow-service"
        if (candidate / "start.sh").is_file():
            return candidate
    raise RuntimeError("shared/metaflow-service/start.sh not found (set MFNS_MFSVC_DIR)")


def _source_id(fixture: Path) -> str:
    digest = hashlib.sha256((fixture / "metaflow-service.tar.gz").read_bytes())
    digest.update((fixture / "start.sh").read_bytes())
    return digest.hexdigest()[:12]


def _run(cmd: Sequence[str], env: Optional[Dict[str, str]] = None, timeout: float = 1800) -> str:
    proc = subprocess.run(
        list(cmd), env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    return proc.stdout


def _template(fixture: Path) -> Path:
    """The cached root holding the service's source and venv (with ui_backend's packages)."""
    base = Path(os.environ.get("MFNS_MFSVC_CACHE", "/var/tmp"))
    base.mkdir(parents=True, exist_ok=True)
    root = base / f"mfns-mfsvc-{_source_id(fixture)}"
    with open(base / f"{root.name}.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "venv" / ".ok-ui").is_file():
            # start.sh builds what is missing (and installs PostgreSQL when there is none)
            _run([str(fixture / "start.sh"), "--root", str(root), "--ui"])
            _run([str(fixture / "stop.sh"), "--root", str(root)])
    return root


def _link_template(template: Path, root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    if not (root / "venv").exists():
        os.symlink(template / "venv", root / "venv")
    if not (root / "src").exists():
        shutil.copytree(template / "src", root / "src", symlinks=True)


@dataclass
class RealDeployment(Deployment):
    """A Deployment whose metadata service is Netflix's metaflow-service."""

    root: Path = Path()
    fixture: Path = Path()
    pg_port: int = 0
    ui_url: Optional[str] = None
    ui_ws: Optional[str] = None
    _log_mark: int = 0

    @property
    def access_log(self) -> Path:
        return self.root / "metadata.log"

    def requests_since(
        self, mark: int, agent: Optional[str] = None
    ) -> List[Tuple[str, str, int, int]]:
        """(method, path, status, bytes) of every answer the service logged after `mark`
        (only to clients whose User-Agent starts with `agent`, when given)."""
        with open(self.access_log, "rb") as f:
            f.seek(mark)
            text = f.read().decode("utf-8", "replace")
        return [
            (m[1], m[2], int(m[3]), int(m[4]))
            for m in _ACCESS.finditer(text)
            if agent is None or m[5].startswith(agent)
        ]

    def log_mark(self) -> int:
        self._settle_log()
        return self.access_log.stat().st_size

    def _settle_log(self) -> None:
        """Wait until the access log stops growing (aiohttp writes each line as it answers)."""
        size, deadline = -1, time.monotonic() + 2
        while time.monotonic() < deadline:
            now = self.access_log.stat().st_size
            if now == size:
                return
            size = now
            time.sleep(0.05)

    def service_requests(self) -> Counter[str]:
        self._settle_log()
        counts: Counter[str] = Counter()
        for method, path, _, _ in self.requests_since(self._log_mark):
            if path.startswith("/ping"):
                continue
            counts["total"] += 1
            counts[route_of(method, path)] += 1
        return counts

    def reset_service_requests(self) -> None:
        self._log_mark = self.log_mark()

    def psql(self, sql: str, stdin: Optional[str] = None) -> str:
        pg_bin = _pg_bin()
        cmd = [f"{pg_bin}/psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(self.pg_port)]
        cmd += ["-U", "postgres", "-d", "mf", "-tA", "-v", "ON_ERROR_STOP=1", "-c", sql]
        proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"psql failed: {proc.stderr[-2000:]}")
        return proc.stdout

    def start_script(self, *args: str) -> Dict[str, str]:
        """`start.sh --root ROOT ARGS` with this deployment's S3 settings; its KEY=VALUEs."""
        env = {**os.environ, **self.config()}
        out = _run([str(self.fixture / "start.sh"), "--root", str(self.root), *args], env=env)
        values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        self.service_url = values["METAFLOW_SERVICE_URL"]
        self.pg_port = int(values["MFSVC_PG_PORT"])
        self.ui_url, self.ui_ws = values.get("MFSVC_UI_URL"), values.get("MFSVC_UI_WS")
        return values

    def stop_service(self, only: Optional[str] = None) -> None:
        args = ["--only", only] if only else []
        _run([str(self.fixture / "stop.sh"), "--root", str(self.root), *args])

    def service_pids(self) -> List[int]:
        """PIDs of the service processes (metadata service, ui_backend, PostgreSQL)."""
        out = []
        for name in ("metadata", "ui", "postgres"):
            try:
                out.append(int((self.root / f"{name}.pid").read_text().strip()))
            except (OSError, ValueError):
                pass
        return out

    def stop(self) -> None:
        try:
            self.stop_service()
        finally:
            super().stop()
            if self.root.name.startswith("mfns-mfsvc-") and self.root.parent == Path("/tmp"):
                shutil.rmtree(self.root, ignore_errors=True)


def _pg_bin() -> str:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"), reverse=True)
    if found:
        return str(found[0].parent)
    psql = shutil.which("psql")
    if psql is None:
        raise RuntimeError("no PostgreSQL client found")
    return str(Path(psql).parent)


def start_real_deployment(
    workdir: os.PathLike[str] | str, *, ui: bool = False, stock_triggers: bool = False
) -> RealDeployment:
    """moto (S3) and Netflix's metadata service (with `ui`, its ui_backend) on an empty
    database, in `workdir`."""
    work = Path(workdir)
    (work / "client").mkdir(parents=True, exist_ok=True)
    fixture = fixture_dir()
    template = _template(fixture)
    root = Path(tempfile.mkdtemp(prefix="mfns-mfsvc-", dir="/tmp"))
    _link_template(template, root)
    moto, s3_url = start_moto(work)
    dep = RealDeployment(work, "", s3_url, [moto], paginate=True, root=root, fixture=fixture)
    try:
        dep.s3_client().create_bucket(Bucket=BUCKET)
        args = (["--ui"] if ui else []) + (["--stock-triggers"] if stock_triggers else [])
        try:
            dep.start_script(*args)
        except RuntimeError:  # a loaded machine: ui_backend may miss start.sh's 60 s; again
            dep.start_script(*args)
    except BaseException:
        dep.stop()
        raise
    return dep


# -- the database: dumps and synthetic rows ------------------------------------------------------
_TABLES = ("flows_v3", "runs_v3", "steps_v3", "tasks_v3", "metadata_v3", "artifact_v3")


def save_db(dep: RealDeployment, dest: Path) -> None:
    """The database's rows (and sequences) as SQL, for `restore_db`."""
    cmd = [f"{_pg_bin()}/pg_dump", "-h", "127.0.0.1", "-p", str(dep.pg_port), "-U", "postgres"]
    cmd += ["--data-only", "--no-owner", *[f"--table={t}" for t in _TABLES], "mf"]
    dest.write_text(_run(cmd), encoding="utf-8")


def restore_db(dep: RealDeployment, dump: Path) -> None:
    dep.psql("SELECT 1", stdin=None)
    pg = [f"{_pg_bin()}/psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(dep.pg_port)]
    pg += ["-U", "postgres", "-d", "mf", "-v", "ON_ERROR_STOP=1", "-f", str(dump)]
    _run(pg)


def _copy(dep: RealDeployment, table: str, columns: Sequence[str], rows: Iterable[Tuple]) -> None:
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join(_pg_text(v) for v in row) + "\n")
    dep.psql(f"COPY {table}({', '.join(columns)}) FROM STDIN", stdin=buf.getvalue())


def _pg_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, (list, dict)):
        value = json.dumps(value)
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


_TRUE = pickle.dumps(True, protocol=4)


def load_synthetic_runs_sql(
    dep: RealDeployment,
    flow: str,
    n: int,
    *,
    users: Tuple[str, ...] = ("anne", "will"),
    tags_every: Optional[Dict[str, int]] = None,
    step_ms: int = 1000,
    finished: bool = True,
    start_ms: Optional[int] = None,
) -> List[str]:
    """`n` runs of `flow` written into the service's tables, as Metaflow leaves them: a
    `_parameters` task naming the end step, `start` and `end` with one task each (attempt
    metadata; `_task_ok`/`_success` rows pointing at one pickled-True blob in S3). Run `i`
    belongs to `users[i % len(users)]` and carries tag `t` when `i % every == 0`; runs are
    `step_ms` apart, oldest first, ending now. Returns their ids (run numbers), oldest first."""
    tags_every = tags_every or {}
    sha = hashlib.sha1(_TRUE).hexdigest()
    dep.s3_client().put_object(
        Bucket=BUCKET, Key=f"{PREFIX}/{flow}/data/{sha[:2]}/{sha}", Body=gzip.compress(_TRUE)
    )
    start = start_ms if start_ms is not None else int(time.time() * 1000) - n * step_ms
    first = int(dep.psql("SELECT coalesce(max(run_number), 0) FROM runs_v3").strip()) + 1
    task_base = int(dep.psql("SELECT coalesce(max(task_id), 0) FROM tasks_v3").strip()) + 1
    dep.psql(
        "INSERT INTO flows_v3(flow_id, user_name, ts_epoch, tags, system_tags) "
        f"VALUES ('{flow}', '{users[0]}', {start}, '[]', '[]') ON CONFLICT DO NOTHING"
    )
    runs, steps, tasks, meta, arts = [], [], [], [], []
    for i in range(n):
        number, ts, user = first + i, start + i * step_ms, users[i % len(users)]
        tags = sorted(t for t, every in tags_every.items() if i % every == 0)
        system = [f"user:{user}", "runtime:dev", "metaflow_version:synthetic"]
        runs.append((flow, number, user, ts, tags, system, ts // 1000))
        for j, step in enumerate(("_parameters", "start", "end")):
            task_id, t_ts = task_base + 3 * i + j, ts + (j + 1) * 10
            steps.append((flow, number, step, user, t_ts, tags, system))
            tasks.append((flow, number, step, task_id, user, t_ts, tags, system, t_ts // 1000))
            fields = [("attempt", "0"), ("attempt-done", "0"), ("attempt_ok", "True")]
            fields.append(("origin-run-id", "None"))
            if step == "_parameters":
                fields = [("end_step", "end"), ("start_step", "start"), ("attempt-done", "0")]
            elif step == "end" and not finished:
                fields = [("attempt", "0"), ("origin-run-id", "None")]
            for k, (name, value) in enumerate(fields):
                row = (flow, number, step, task_id, name, value, name, user, t_ts + k)
                meta.append((*row, ["attempt_id:0"], system))
            if step != "end" or finished:
                for name in ("_task_ok", "_success"):
                    location = f":root:{dep.sysroot_s3}"
                    row = (flow, number, step, task_id, name, location, "s3", sha)
                    arts.append((*row, "metaflow.artifact", "pickle-v4", user, 0, t_ts + 5))
    common = ("user_name", "ts_epoch", "tags", "system_tags")
    _copy(dep, "runs_v3", ("flow_id", "run_number", *common, "last_heartbeat_ts"), runs)
    _copy(dep, "steps_v3", ("flow_id", "run_number", "step_name", *common), steps)
    task_cols = ("flow_id", "run_number", "step_name", "task_id", *common, "last_heartbeat_ts")
    _copy(dep, "tasks_v3", task_cols, tasks)
    meta_cols = ("flow_id", "run_number", "step_name", "task_id", "field_name", "value")
    _copy(dep, "metadata_v3", (*meta_cols, "type", *common), meta)
    art_cols = ("flow_id", "run_number", "step_name", "task_id", "name", "location", "ds_type")
    art_cols += ("sha", "type", "content_type", "user_name", "attempt_id", "ts_epoch")
    _copy(dep, "artifact_v3", art_cols, arts)
    dep.psql(
        "SELECT setval('runs_v3_run_number_seq', (SELECT max(run_number) FROM runs_v3)); "
        "SELECT setval('tasks_v3_task_id_seq', (SELECT max(task_id) FROM tasks_v3))"
    )
    return [str(first + i) for i in range(n)]
