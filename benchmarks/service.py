"""The speed benchmark on the service + S3 configuration, with HTTP requests per page.

    python -m benchmarks.service --runs 10000 [--paginate] [--json out.json]

Takes the benchmark store of `benchmarks/scaled_store.py` (real demo runs multiplied to N runs),
serves it as a metadata service (records in place) with its datastore objects in S3 (moto),
starts a real `jupyter server` configured only by Metaflow's environment for that deployment,
and times REST queries while the service and S3 count the requests each one caused:

- cold: the first answer of a server with an empty index (it lists every flow once);
- a page of 50 runs in a namespace, first view (statuses computed) and again (cached);
- the next page (cursor), a tag-filtered page, namespaces, flows, latest run;
- one background refresh (requests per refresh interval, whatever the user does);
- Metaflow's client in service mode asked for the same first page with statuses;
- a task's cards: the list, one card's HTML and its data, beside Metaflow's `get_cards(task)`
  and `card.get()` in service mode on the same task.

Prints a Markdown table; the deployment helpers live in tests/service/service_deployment.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "tests" / "service"  # the test deployment: stand-in service + moto S3
sys.path[:0] = [str(HERE), str(ROOT)]

from service_deployment import Deployment, serve_local_store  # noqa: E402

from harness.jupyter import JupyterServer  # noqa: E402

from .metaflow_process import run_metaflow  # noqa: E402
from .scaled_store import scaled_store  # noqa: E402

_CARDS_CLIENT = r"""
import json, sys, time
from metaflow import Task, namespace
from metaflow.cards import get_cards
namespace(None)
t = time.time()
task = Task(sys.argv[1])
cards = get_cards(task)
sizes = [len(card.get().encode()) for card in cards]
meta = task.metadata_dict  # get_cards reads the datastore its metadata names (ds-root)
print(json.dumps({"seconds": time.time() - t, "sizes": sizes, "ds": meta.get("ds-type")}))
"""

_CLIENT = r"""
import json, sys, time
from itertools import islice
from metaflow import Flow, namespace
job = json.loads(sys.argv[1])
namespace(job["namespace"])
t = time.time()
rows = []
for run in islice(Flow(job["flow"]).runs(*job["tags"]), 50):
    rows.append([run.pathspec, run.successful, run.finished])
print(json.dumps({"seconds": time.time() - t, "rows": rows}))
"""


def measure(dep: Deployment, label: str, call: Any) -> Dict[str, Any]:
    dep.reset_service_requests()
    mark = dep.s3_log_mark()
    started = time.monotonic()
    answer = call()
    seconds = time.monotonic() - started
    return {
        "query": label,
        "ms": round(seconds * 1000, 1),
        "service_requests": dep.service_requests()["total"],
        "s3_requests": len(dep.s3_requests(mark)),
        "answer": answer,
    }


def run(runs: int, paginate: bool, refresh: float) -> Dict[str, Any]:
    store = scaled_store(runs)
    flow, ns = store.query_flow, store.query_namespace
    tags = list(store.query_tags)
    work = Path(tempfile.mkdtemp(prefix="mfns-svc-bench-"))
    started = time.monotonic()
    dep = serve_local_store(store.root, work / "deployment", paginate=paginate)
    setup_s = time.monotonic() - started
    server: Optional[JupyterServer] = None
    rows: List[Dict[str, Any]] = []
    try:
        server = JupyterServer(
            work / "jupyter", dep.env("anne"), args=[f"--MfnsExtension.refresh_interval={refresh}"]
        )
        srv = server
        rows.append(measure(dep, "cold: first page (empty index)", lambda: _page(srv, flow, ns)))
        rows.append(measure(dep, "page of 50 in namespace, again", lambda: _page(srv, flow, ns)))
        first = srv.ok("runs", flow=flow, namespace=ns, limit=50)
        cursor = first["next_cursor"]
        rows.append(
            measure(dep, "next page (first view)", lambda: _page(srv, flow, ns, cursor=cursor))
        )
        rows.append(measure(dep, "next page (again)", lambda: _page(srv, flow, ns, cursor=cursor)))
        rows.append(measure(dep, f"tag filter {tags}", lambda: _page(srv, flow, ns, tags=tags)))
        rows.append(measure(dep, "namespaces", lambda: len(srv.ok("namespaces")["namespaces"])))
        rows.append(measure(dep, "flows", lambda: len(srv.ok("flows", namespace=ns)["flows"])))
        rows.append(
            measure(
                dep,
                "latest run",
                lambda: srv.ok("runs/latest", flow=flow, namespace=ns)["pathspec"],
            )
        )
        # whatever users do, the background refresh costs this much per interval
        time.sleep(refresh)
        rows.append(
            measure(dep, f"one refresh interval, idle ({refresh}s)", lambda: time.sleep(refresh))
        )
        job = json.dumps({"flow": flow, "namespace": ns, "tags": []})
        rows.append(
            measure(dep, "Metaflow client: first 50 runs with status", lambda: _client(dep, job))
        )
        rows += _card_rows(dep, srv, store.root)
    finally:
        if server is not None:
            server.stop()
        dep.stop()
    return {"runs": runs, "paginate": paginate, "setup_s": round(setup_s, 1), "rows": rows}


def _page(server: JupyterServer, flow: str, ns: str, cursor: Any = None, tags: Any = ()) -> int:
    params: Dict[str, Any] = {"flow": flow, "namespace": ns, "limit": 50}
    if cursor:
        params["cursor"] = cursor
    if tags:
        params["tag"] = list(tags)
    return len(server.ok("runs", **params)["runs"])


def _metaflow(dep: Deployment, script: str, argument: str) -> Any:
    """Metaflow's client in service mode running `script`: its last line, as JSON."""
    return run_metaflow(["-c", script, argument], dep.env("anne"), timeout=3600)


def _client(dep: Deployment, job: str) -> Any:
    out = _metaflow(dep, _CLIENT, job)
    return f"{len(out['rows'])} runs in {out['seconds']:.1f} s"


def _card_rows(dep: Deployment, srv: JupyterServer, root: Path) -> List[Dict[str, Any]]:
    """A task's cards through the server, then through Metaflow's client, same task."""
    found = sorted((root / ".metaflow" / "mf.cards").glob("*/runs/*/steps/*/tasks/*/cards/*"))
    if not found:
        return []
    flow, _, run, _, step, _, task = found[0].relative_to(root / ".metaflow" / "mf.cards").parts[:7]
    pathspec = f"{flow}/{run}/{step}/{task}"
    where = {"pathspec": pathspec, "namespace": ""}
    listing = srv.ok("cards", **where)
    card_hash = listing["cards"][0]["hash"]

    def page() -> str:
        query = urllib.parse.urlencode({**where, "hash": card_hash})
        request = urllib.request.Request(
            f"{srv.api_url}/card?{query}", headers={"Authorization": f"token {srv.token}"}
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            return f"{len(answer.read()):,} bytes"

    def client() -> str:
        out = _metaflow(dep, _CARDS_CLIENT, pathspec)
        return (
            f"{len(out['sizes'])} card(s), {sum(out['sizes']):,} bytes in {out['seconds']:.2f} s"
            f" (from the {out['ds']} datastore its metadata names)"
        )

    return [
        measure(dep, "cards of a task", lambda: len(srv.ok("cards", **where)["cards"])),
        measure(dep, "a card's HTML", page),
        measure(
            dep, "a card's data", lambda: srv.ok("card/data", **where, hash=card_hash)["status"]
        ),
        measure(dep, "Metaflow client: get_cards(task) + card.get()", client),
    ]


def markdown(result: Dict[str, Any]) -> str:
    lines = [
        f"Service + S3, {result['runs']:,} runs"
        f" ({'paginated listings' if result['paginate'] else 'one-response listings'}),"
        f" deployment ready in {result['setup_s']} s",
        "",
        "| query | ms | service requests | S3 requests | answer |",
        "|---|---:|---:|---:|---|",
    ]
    for r in result["rows"]:
        lines.append(
            f"| {r['query']} | {r['ms']} | {r['service_requests']} | {r['s3_requests']}"
            f" | {r['answer']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--paginate", action="store_true", help="service pages listings")
    parser.add_argument("--refresh", type=float, default=1.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args.runs, args.paginate, args.refresh)
    print(markdown(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=str), "utf-8")


if __name__ == "__main__":
    main()
