"""A metadata service for tests: metaflow-local-service, completed to metaflow-service's API.

`metaflow-local-service` (PyPI, 0.2.0) speaks most of Netflix's metaflow-service API over a
`.metaflow` folder, but differs where Metaflow's own client needs the real behaviour:

- no `GET /flows`: `Metaflow().flows` comes back empty;
- no `GET .../artifacts/{name}[/attempt/{n}]`: `Task["x"]`, `Run.successful`, `Run.finished_at`
  and every artifact load fail with KeyError;
- `GET .../tasks/{t}/artifacts` returns every attempt's rows (the service returns the latest);
- `PATCH .../tag/mutate` goes through the local provider, which rewrites the run's `ts_epoch`
  and `user_name` (metaflow-service changes the tags only);
- `GET /flows/{f}/runs` adds UI fields computed by reading every task of every run (about 20 ms
  per run: four minutes per listing at 10k runs); the service answers plain rows.

This module serves the stand-in's app with those routes replaced by their metaflow-service
behaviour, plus `--paginate`: the cursor pagination of recent services (`_limit`, `_cursor`,
`X-Next-Cursor`, `X-Pagination-Limit`), and `/__mfns/requests` to count requests per route.

Run: `python standin_service.py --root DIR --port PORT [--paginate]`.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import tempfile
import threading
from collections import Counter
from typing import Any, Dict, List, Optional

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from metaflow_local_service import server as mls_server

_TASK = "/flows/{flow}/runs/{run}/steps/{step}/tasks/{task}"
MAX_LIMIT = 500


def create_app(root: str, *, paginate: bool = False) -> FastAPI:
    """The stand-in's app over `root/.metaflow`, completed (see the module docstring)."""
    app = mls_server.create_app(root)
    meta_root = os.path.realpath(os.path.join(root, ".metaflow"))
    counts: Counter[str] = Counter()
    counts_lock = threading.Lock()
    tag_lock = threading.Lock()
    walks: Dict[str, List[Dict[str, Any]]] = {}  # paginated listings in progress

    @app.middleware("http")
    async def count_requests(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        if not request.url.path.startswith("/__mfns"):
            route = request.scope.get("route")
            name = getattr(route, "path", request.url.path)
            with counts_lock:
                counts["total"] += 1
                counts[f"{request.method} {name}"] += 1
        return response

    router = APIRouter()

    @router.get("/__mfns/requests")
    async def request_counts() -> JSONResponse:
        with counts_lock:
            return JSONResponse(dict(counts))

    @router.post("/__mfns/requests/reset")
    async def reset_counts() -> JSONResponse:
        with counts_lock:
            counts.clear()
        return JSONResponse({})

    def read_json(*parts: str) -> Optional[Any]:
        path = os.path.join(meta_root, *parts)
        try:
            with open(path, encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def check(*parts: str) -> None:
        for p in parts:
            if not p or p in (".", "..") or "/" in p or "\\" in p:
                raise HTTPException(status_code=404, detail="not found")

    @router.get("/flows")
    def list_flows() -> JSONResponse:
        out = []
        for entry in sorted(os.scandir(meta_root), key=lambda e: e.name):
            obj = read_json(entry.name, "_meta", "_self.json")
            if isinstance(obj, dict) and "flow_id" in obj:
                out.append(obj)
        return JSONResponse(out)

    def run_rows(flow: str) -> List[Dict[str, Any]]:
        check(flow)
        flow_dir = os.path.join(meta_root, flow)
        if not os.path.isdir(flow_dir):
            raise HTTPException(status_code=404, detail="Flow not found")
        rows = []
        for entry in os.scandir(flow_dir):
            if entry.name in ("_meta", "data") or not entry.is_dir():
                continue
            obj = read_json(flow, entry.name, "_meta", "_self.json")
            if isinstance(obj, dict) and isinstance(obj.get("ts_epoch"), int):
                rows.append(obj)
        rows.sort(key=lambda r: (r["ts_epoch"], _number(r.get("run_number"))), reverse=True)
        return rows

    @router.get("/flows/{flow}/runs")
    def list_runs(flow: str, request: Request) -> JSONResponse:
        q = request.query_params
        if not paginate or ("_limit" not in q and "_cursor" not in q):
            return JSONResponse(run_rows(flow))
        try:
            limit = int(q.get("_limit", "50"))
        except ValueError:
            raise HTTPException(status_code=400, detail="invalid _limit") from None
        if not 1 <= limit <= MAX_LIMIT:
            raise HTTPException(status_code=400, detail="invalid _limit")
        # Postgres walks an index from the cursor; here, the first page reads the folder once
        # and later pages of that walk slice the same snapshot (a keyset on ts, run number)
        if q.get("_cursor"):
            try:
                walk, ts, number = json.loads(base64.urlsafe_b64decode(q["_cursor"].encode()))
            except (ValueError, TypeError):
                raise HTTPException(status_code=400, detail="invalid _cursor") from None
            rows = walks.get(walk) or run_rows(flow)
            rows = [r for r in rows if (r["ts_epoch"], _number(r.get("run_number"))) < (ts, number)]
        else:
            rows = run_rows(flow)
            walk = f"{flow}:{len(walks)}:{id(rows)}"
            walks[walk] = rows
            while len(walks) > 16:
                walks.pop(next(iter(walks)))
        page = rows[:limit]
        headers = {"X-Pagination-Limit": str(limit)}
        if len(rows) > limit:
            last = page[-1]
            raw = json.dumps([walk, last["ts_epoch"], _number(last.get("run_number"))]).encode()
            headers["X-Next-Cursor"] = base64.urlsafe_b64encode(raw).decode()
        return JSONResponse(page, headers=headers)

    def artifact_rows(flow: str, run: str, step: str, task: str) -> Dict[int, Dict[str, Any]]:
        check(flow, run, step, task)
        meta_dir = os.path.join(meta_root, flow, run, step, task, "_meta")
        out: Dict[int, Dict[str, Any]] = {}
        try:
            names = os.listdir(meta_dir)
        except OSError:
            return out
        for name in names:
            head, sep, rest = name.partition("_artifact_")
            if not sep or not head.isdigit() or not rest.endswith(".json"):
                continue
            obj = read_json(flow, run, step, task, "_meta", name)
            if isinstance(obj, dict):
                out.setdefault(int(head), {})[rest[: -len(".json")]] = obj
        return out

    @router.get(_TASK + "/artifacts")
    def task_artifacts(flow: str, run: str, step: str, task: str) -> JSONResponse:
        by_attempt = artifact_rows(flow, run, step, task)
        latest = by_attempt[max(by_attempt)] if by_attempt else {}
        return JSONResponse(list(latest.values()))

    @router.get(_TASK + "/artifacts/{name}")
    def artifact(flow: str, run: str, step: str, task: str, name: str) -> JSONResponse:
        by_attempt = artifact_rows(flow, run, step, task)
        for attempt in sorted(by_attempt, reverse=True):
            if name in by_attempt[attempt]:
                return JSONResponse(by_attempt[attempt][name])
        raise HTTPException(status_code=404, detail="Artifact not found")

    @router.get(_TASK + "/artifacts/{name}/attempt/{attempt}")
    def artifact_attempt(
        flow: str, run: str, step: str, task: str, name: str, attempt: int
    ) -> JSONResponse:
        row = artifact_rows(flow, run, step, task).get(attempt, {}).get(name)
        if row is None:
            raise HTTPException(status_code=404, detail="Artifact not found")
        return JSONResponse(row)

    @router.patch("/flows/{flow}/runs/{run}/tag/mutate")
    async def mutate_tags(flow: str, run: str, request: Request) -> JSONResponse:
        from jupyter_mfns.core.errors import MfnsError
        from jupyter_mfns.core.store.rules import plan_tag_change

        check(flow, run)
        body = await request.json()
        path = os.path.join(meta_root, flow, run, "_meta", "_self.json")
        with tag_lock:
            current = read_json(flow, run, "_meta", "_self.json")
            if not isinstance(current, dict):
                raise HTTPException(status_code=404, detail="Run not found")
            try:  # metaflow-service's rule: removals first, then additions (422 if refused)
                change = plan_tag_change(
                    current.get("tags") or [],
                    current.get("system_tags") or [],
                    body.get("tags_to_add") or [],
                    body.get("tags_to_remove") or [],
                )
            except MfnsError as exc:
                raise HTTPException(status_code=422, detail=str(exc)) from exc
            if not change.unchanged:
                _atomic_write(path, {**current, "tags": sorted(change.new)})  # ts_epoch, user kept
        return JSONResponse({"tags": sorted(change.new)})

    # ours first: FastAPI serves the first matching route
    app.router.routes[0:0] = router.routes
    return app


def _number(run_number: Any) -> int:
    try:
        return int(run_number)
    except (TypeError, ValueError):
        return 0


def _atomic_write(path: str, data: Any) -> None:
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f)
    os.replace(tmp, path)


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, help="folder holding .metaflow")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--paginate", action="store_true", help="serve _limit/_cursor pages")
    args = parser.parse_args()
    app = create_app(args.root, paginate=args.paginate)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
