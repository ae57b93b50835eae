"""A throwaway Metaflow deployment: a metadata service and an S3-compatible server.

`start_deployment(workdir)` starts, on free local ports,
- the metadata service (`standin_service.py`: metaflow-local-service completed to the
  metaflow-service API), keeping its records in `workdir/service/.metaflow`;
- moto in server mode as S3, with the bucket of the datastore (`s3://mfns-test/metaflow`);
and returns a `Deployment` whose `env(user)` is the environment Metaflow needs to use it
(flows, clients, Jupyter servers): nothing else is configured anywhere.

`load_synthetic_runs(deployment, flow, n)` writes `n` finished runs straight into the service's
storage (thousands per second), for scale tests and the benchmark; see its docstring.

Both processes are ours: `Deployment.stop()` terminates exactly them.
"""

from __future__ import annotations

import gzip
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from harness.jupyter import free_port, wait_for_http
from jupyter_mfns.demo.runner import metaflow_env

HERE = Path(__file__).resolve().parent
BUCKET = "mfns-test"
PREFIX = "metaflow"
_MOTO_LINE = re.compile(r'"(GET|PUT|HEAD|POST|DELETE) (/[^ ]*) HTTP/1\.1" (\d+)')
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


_COLLECTIONS = ("flows", "runs", "steps", "tasks")


def route_of(method: str, path: str) -> str:
    """`GET /flows/{flow}/runs/{run}` for `GET /flows/F/runs/12?_limit=5`."""
    parts = path.split("?", 1)[0].strip("/").split("/")
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 1 and parts[i - 1] in _COLLECTIONS:
            out.append("{" + parts[i - 1].rstrip("s") + "}")
        else:
            out.append(part)
    return f"{method} /" + "/".join(out)


@dataclass
class Deployment:
    """A running metadata service + S3 pair."""

    workdir: Path
    service_url: str
    s3_url: str
    processes: List[subprocess.Popen[bytes]] = field(default_factory=list)
    paginate: bool = False
    records_root: Optional[Path] = None

    @property
    def service_root(self) -> Path:
        """The folder whose `.metaflow` holds the service's records."""
        return self.records_root or self.workdir / "service"

    @property
    def sysroot_s3(self) -> str:
        return f"s3://{BUCKET}/{PREFIX}"

    @property
    def moto_log(self) -> Path:
        return self.workdir / "moto.log"

    def env(
        self,
        user: str,
        *,
        production_token: Optional[str] = None,
        base: Optional[Dict[str, str]] = None,
    ) -> Dict[str, str]:
        """Environment for any Metaflow process (flow, client, Jupyter server) as `user`."""
        client_root = self.workdir / "client"
        env = metaflow_env(client_root, user, production_token=production_token, base=base)
        env.pop("METAFLOW_DATASTORE_SYSROOT_LOCAL", None)
        env.update(self.config())
        return env

    def config(self) -> Dict[str, str]:
        """Only the variables pointing Metaflow at this deployment."""
        return {
            "METAFLOW_DEFAULT_METADATA": "service",
            "METAFLOW_SERVICE_URL": self.service_url,
            "METAFLOW_DEFAULT_DATASTORE": "s3",
            "METAFLOW_DATASTORE_SYSROOT_S3": self.sysroot_s3,
            "METAFLOW_S3_ENDPOINT_URL": self.s3_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }

    def s3_client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.s3_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )

    def store(self, **kwargs: Any) -> Any:
        """A ServiceStore over this deployment, configured explicitly (no global config)."""
        from jupyter_mfns.core.store.s3 import S3Reader
        from jupyter_mfns.core.store.service import ServiceStore

        return ServiceStore(
            self.service_url, S3Reader(self.sysroot_s3, client=self.s3_client()), **kwargs
        )

    # -- request counts, as the servers saw them ----------------------------------------------
    def service_requests(self) -> Counter[str]:
        """Requests the service answered since the last reset, by `METHOD route` (as
        `route_of` names them), and total."""
        with urllib.request.urlopen(self.service_url + "/__mfns/requests") as resp:
            counts = json.loads(resp.read())
        out: Counter[str] = Counter()
        for key, n in counts.items():
            out[key if key == "total" else route_of(*key.split(" ", 1))] += n
        return out

    def reset_service_requests(self) -> None:
        req = urllib.request.Request(self.service_url + "/__mfns/requests/reset", method="POST")
        urllib.request.urlopen(req).close()

    def s3_log_mark(self) -> int:
        """A position in moto's request log; pass it to `s3_requests`."""
        return self.moto_log.stat().st_size

    def s3_requests(self, since: int = 0) -> List[tuple[str, str, int]]:
        """(method, path, status) of every S3 request moto logged after `since`."""
        with open(self.moto_log, "rb") as f:
            f.seek(since)
            text = f.read().decode("utf-8", "replace")
        return [(m[1], m[2], int(m[3])) for m in _MOTO_LINE.finditer(_ANSI.sub("", text))]

    def stop(self) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.processes:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.processes.clear()


def _base_env() -> Dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("METAFLOW_", "AWS_"))}


def start_moto(workdir: Path, port: Optional[int] = None) -> tuple[subprocess.Popen[bytes], str]:
    """moto in server mode as S3 on a free port, logging its requests to `workdir/moto.log`;
    returns once it answers."""
    port = port or free_port()
    log = workdir / "moto.log"
    with open(log, "wb") as out:
        moto = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**_base_env(), "PYTHONUNBUFFERED": "1"},  # its request log is read by tests
            cwd=str(workdir),
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/moto-api/", moto, log, timeout=30)
    except BaseException:
        moto.terminate()
        moto.wait()
        raise
    return moto, url


def start_deployment(
    workdir: os.PathLike[str] | str,
    *,
    paginate: bool = False,
    snapshot: Optional[os.PathLike[str] | str] = None,
    service_root: Optional[os.PathLike[str] | str] = None,
) -> Deployment:
    """Start a metadata service and moto (S3) for a deployment rooted in `workdir`, loaded
    with a `snapshot` (see `save_snapshot`) when one is given. `service_root` makes the
    service keep its records in another folder's `.metaflow` (served in place)."""
    work = Path(workdir)
    if snapshot is not None:
        shutil.copytree(Path(snapshot) / "service", work / "service", symlinks=True)
    (work / "service" / ".metaflow").mkdir(parents=True, exist_ok=True)
    service_root = Path(service_root) if service_root is not None else work / "service"
    (work / "client").mkdir(parents=True, exist_ok=True)
    s3_port, service_port = free_port(), free_port()
    dep = Deployment(
        work,
        f"http://127.0.0.1:{service_port}",
        f"http://127.0.0.1:{s3_port}",
        paginate=paginate,
        records_root=service_root,
    )
    base = _base_env()
    service_log = open(work / "service.log", "wb")  # noqa: SIM115 - the child keeps its own
    try:
        moto, _ = start_moto(work, s3_port)
        dep.processes.append(moto)
        args = [sys.executable, str(HERE / "standin_service.py"), "--root", str(service_root)]
        args += ["--port", str(service_port)] + (["--paginate"] if paginate else [])
        service = subprocess.Popen(
            args,
            stdout=service_log,
            stderr=subprocess.STDOUT,
            env={**base, "METAFLOW_USER": "mfns-service", "METAFLOW_HOME": str(work / "client")},
            cwd=str(work),
        )
        dep.processes.append(service)
    finally:
        service_log.close()
    try:
        wait_for_http(dep.service_url + "/ping", service, work / "service.log", timeout=30)
        dep.s3_client().create_bucket(Bucket=BUCKET)
        if snapshot is not None:
            load_s3_objects(dep, Path(snapshot) / "s3")
    except BaseException:
        dep.stop()
        raise
    return dep


def save_snapshot(dep: Deployment, dest: os.PathLike[str] | str) -> None:
    """Copy the deployment's service records and S3 objects to `dest` (for `start_deployment`)."""
    out = Path(dest)
    shutil.copytree(dep.service_root, out / "service", symlinks=True)
    save_s3_objects(dep, out / "s3")


def save_s3_objects(dep: Deployment, dest: Path) -> None:
    """Every object of the deployment's bucket, as files under `dest`."""
    client = dep.s3_client()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for obj in page.get("Contents", []):
            target = dest / obj["Key"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(client.get_object(Bucket=BUCKET, Key=obj["Key"])["Body"].read())


def load_s3_objects(dep: Deployment, source: Path) -> None:
    """Upload the files saved by `save_s3_objects` into the deployment's bucket."""
    client = dep.s3_client()
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        key = path.relative_to(source).as_posix()
        client.put_object(Bucket=BUCKET, Key=key, Body=path.read_bytes())


def serve_local_store(
    store_root: os.PathLike[str] | str,
    workdir: os.PathLike[str] | str,
    *,
    paginate: bool = False,
) -> Deployment:
    """Serve an existing local Metaflow store (`store_root/.metaflow`, e.g. a benchmark store
    from `benchmarks/scaled_store.py`) as a service + S3 deployment.

    The service keeps its records in that folder, in place (tag changes made through the
    service are written there). Its datastore objects (content-addressed blobs, task logs and
    `data.json` files: everything outside `_meta` folders) are copied to S3 under the
    deployment's sysroot, so jupyter_mfns reads them from S3. Artifact records still say
    `ds_type: local`, so Metaflow's own client keeps loading artifact values from the folder.
    """
    dep = start_deployment(workdir, paginate=paginate, service_root=store_root)
    try:
        mirror_datastore_to_s3(dep, Path(store_root) / ".metaflow")
    except BaseException:
        dep.stop()
        raise
    return dep


def mirror_datastore_to_s3(dep: Deployment, metaflow_dir: Path, workers: int = 8) -> int:
    """Upload a local datastore's objects (not its `_meta` records) under the S3 sysroot.

    Walks flow folders, their `data/` blobs and each task folder's files (logs, data.json),
    and the card folder (`mf.cards`); run folders of copies hold only `_meta`, so this stays
    fast at 100k runs. Returns the
    number of objects uploaded.
    """
    from concurrent.futures import ThreadPoolExecutor

    files: List[Path] = []
    for flow in (e for e in os.scandir(metaflow_dir) if e.is_dir()):
        if flow.name == "mf.cards":  # the card folder: few files, all of them
            files += [p for p in Path(flow.path).rglob("*") if p.is_file()]
            continue
        for run in os.scandir(flow.path):
            if not run.is_dir() or run.name == "_meta":
                continue
            if run.name == "data":
                files += [p for p in Path(run.path).rglob("*") if p.is_file()]
                continue
            for step in os.scandir(run.path):
                if not step.is_dir() or step.name == "_meta":
                    continue
                for task in os.scandir(step.path):
                    if task.is_dir() and task.name != "_meta":
                        files += [Path(f.path) for f in os.scandir(task.path) if f.is_file()]
    client = dep.s3_client()

    def upload(path: Path) -> None:
        key = f"{PREFIX}/{path.relative_to(metaflow_dir).as_posix()}"
        client.put_object(Bucket=BUCKET, Key=key, Body=path.read_bytes())

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(upload, files))
    return len(files)


# -- synthetic runs --------------------------------------------------------------------------
_TRUE_PICKLE = gzip.compress(pickle.dumps(True, protocol=4))


def _true_blob_sha() -> str:
    import hashlib

    return hashlib.sha1(pickle.dumps(True, protocol=4)).hexdigest()


def load_synthetic_runs(
    dep: Deployment,
    flow: str,
    n: int,
    *,
    users: tuple[str, ...] = ("anne", "will"),
    tags_every: Optional[Dict[str, int]] = None,
    start_ms: Optional[int] = None,
    step_ms: int = 1000,
    finished: bool = True,
) -> List[str]:
    """Write `n` finished, successful runs of `flow` directly into the service's storage.

    Each run has the shape Metaflow leaves behind: a `_parameters` task naming the end step,
    `start` and `end` steps with one task each (attempt metadata, `_task_ok`/`_success` rows
    pointing at one shared pickled-True blob in S3). Run `i` belongs to `users[i % len(users)]`
    and carries user tag `t` when `i % every == 0` for each `t: every` in `tags_every`. Runs are
    one `step_ms` apart, oldest first, ending now. No logs or data.json are written: artifact
    metadata then shows types as "unknown". With `finished=False` the end task has started
    but not finished (no `attempt-done`, no `_task_ok`). Returns run ids, oldest first.
    """
    meta = dep.service_root / ".metaflow"
    tags_every = tags_every or {}
    sha = _true_blob_sha()
    dep.s3_client().put_object(
        Bucket=BUCKET, Key=f"{PREFIX}/{flow}/data/{sha[:2]}/{sha}", Body=_TRUE_PICKLE
    )
    start = start_ms if start_ms is not None else int(time.time() * 1000) - n * step_ms
    flow_self = meta / flow / "_meta" / "_self.json"
    if not flow_self.exists():
        _write(
            flow_self,
            {
                "flow_id": flow,
                "user_name": users[0],
                "tags": [],
                "system_tags": [],
                "ts_epoch": start,
            },
        )
    run_ids = []
    base_id = start * 1000
    for i in range(n):
        ts = start + i * step_ms
        run_id = str(base_id + i)
        user = users[i % len(users)]
        tags = sorted(t for t, every in tags_every.items() if i % every == 0)
        system = [f"user:{user}", "runtime:dev", "metaflow_version:synthetic"]
        common = {
            "flow_id": flow,
            "run_number": run_id,
            "user_name": user,
            "tags": tags,
            "system_tags": system,
        }
        run_dir = meta / flow / run_id
        _write(run_dir / "_meta" / "_self.json", {**common, "ts_epoch": ts})
        task_id = 0
        for step in ("_parameters", "start", "end"):
            task_id += 1
            t_ts = ts + task_id * 10
            step_common = {**common, "step_name": step}
            _write(run_dir / step / "_meta" / "_self.json", {**step_common, "ts_epoch": t_ts})
            task_common = {**step_common, "task_id": str(task_id)}
            tdir = run_dir / step / str(task_id) / "_meta"
            _write(tdir / "_self.json", {**task_common, "ts_epoch": t_ts})
            fields = [
                ("attempt", "0"),
                ("attempt-done", "0"),
                ("attempt_ok", "True"),
                ("origin-run-id", "None"),
            ]
            if step == "_parameters":
                fields = [("end_step", "end"), ("start_step", "start"), ("attempt-done", "0")]
            elif step == "end" and not finished:
                fields = [("attempt", "0"), ("origin-run-id", "None")]
            for j, (name, value) in enumerate(fields):
                _write(
                    tdir / f"sysmeta_{name}_{t_ts + j}.json",
                    {
                        **task_common,
                        "field_name": name,
                        "value": value,
                        "type": name,
                        "tags": ["attempt_id:0"],
                        "ts_epoch": t_ts + j,
                    },
                )
            for name in ("_task_ok", "_success") if finished or step != "end" else ():
                _write(
                    tdir / f"0_artifact_{name}.json",
                    {
                        **task_common,
                        "attempt_id": 0,
                        "name": name,
                        "sha": sha,
                        "content_type": "pickle-v4",
                        "type": "metaflow.artifact",
                        "ds_type": "s3",
                        "location": f":root:{dep.sysroot_s3}",
                        "ts_epoch": t_ts + 5,
                    },
                )
        run_ids.append(run_id)
    return run_ids


def _write(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj), encoding="utf-8")
