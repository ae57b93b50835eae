"""Metaflow's own client as the oracle: answers the same questions as the Catalog.

It runs in a subprocess pointed at the store (Metaflow reads its configuration at import and
keeps the namespace process-global), and prints one JSON document of answers.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from jupyter_mfns.demo.runner import metaflow_env

_SCRIPT = r"""
import calendar, json, sys
from metaflow import Flow, Metaflow, namespace, Run

queries = json.loads(sys.stdin.read())
out = []

def ns_of(q):
    return q["namespace"]

def run_json(run):
    end = run.end_task
    origin = run.origin_pathspec
    if origin is not None and origin.endswith("/None"):   # Metaflow defect: "Flow/None"
        origin = None
    return {
        "pathspec": run.pathspec,
        "tags": sorted(run.user_tags),
        "system_tags": sorted(run.system_tags),
        "created_at": int(round(run.created_at.timestamp() * 1000)),
        "finished_at": (int(round(run.finished_at.timestamp() * 1000))
                        if run.finished_at else None),
        "successful": run.successful,
        "finished": run.finished,
        "origin_run": origin,
    }

for q in queries:
    namespace(ns_of(q))
    kind = q["kind"]
    try:
        if kind == "flows":
            out.append(sorted(f.id for f in Metaflow().flows))
        elif kind == "runs":
            runs = list(Flow(q["flow"]).runs(*q["tags"]))
            out.append([run_json(r) if q.get("details") else r.pathspec for r in runs])
        elif kind == "latest":
            f = Flow(q["flow"])
            r = f.latest_successful_run if q.get("successful") else f.latest_run
            out.append(r.pathspec if r else None)
        elif kind == "run":
            out.append(run_json(Run(q["pathspec"])))
        elif kind == "loglines":
            from metaflow import Task
            t = Task(q["pathspec"])
            # mflog timestamps are naive UTC with microseconds; we report whole milliseconds
            out.append([[calendar.timegm(ts.utctimetuple()) * 1000 + ts.microsecond // 1000
                         if ts else None, line]
                        for ts, line in t.loglines(q["stream"])])
        elif kind == "log":
            from metaflow import Task
            out.append(getattr(Task(q["pathspec"]), q["stream"]))
        elif kind == "steps":
            # each step's tasks: ended (a `_task_ok` artifact, True or False) and successful
            out.append([[s.id, [[t.id, "_task_ok" in t, t.successful] for t in s]]
                        for s in Run(q["pathspec"])])
        elif kind == "artifacts":
            from metaflow import Task
            t = Task(q["pathspec"])
            out.append(sorted([a.id, a.sha] for a in t))
        else:
            raise ValueError(kind)
    except Exception as exc:
        out.append({"error": type(exc).__name__, "message": str(exc)})
print(json.dumps(out))
"""


def ask_metaflow(sysroot: Path, queries: Sequence[Dict[str, Any]], user: str = "anne") -> List[Any]:
    """Answers of Metaflow's client to `queries`, in order (errors as {"error": ...})."""
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        input=json.dumps(list(queries)),
        capture_output=True,
        text=True,
        env=metaflow_env(sysroot, user),  # from jupyter_mfns.demo.runner
        cwd=str(sysroot),
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"Metaflow oracle failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def q_runs(flow: str, namespace: Optional[str], tags: Sequence[str] = (), details: bool = False):
    return {
        "kind": "runs",
        "flow": flow,
        "namespace": namespace,
        "tags": list(tags),
        "details": details,
    }


def q_latest(flow: str, namespace: Optional[str], successful: bool = False):
    return {"kind": "latest", "flow": flow, "namespace": namespace, "successful": successful}


def q_flows(namespace: Optional[str]):
    return {"kind": "flows", "namespace": namespace}


MISMATCH = "MetaflowNamespaceMismatch"


def listing_questions(cat, namespaces, flows, tag_filters):
    """Ask the Catalog, and prepare for Metaflow's client, the same listing questions.

    namespaces: pairs (Metaflow's namespace, the Catalog's namespace argument) — they differ
    only for the default namespace. For every namespace, flow and tag filter: the runs; for
    every namespace and flow: the latest and latest successful run; for every namespace: the
    flows. Returns (queries for `ask_metaflow`, the Catalog's answers in the same order), a
    namespace mismatch answered as Metaflow's exception name.
    """
    from jupyter_mfns.core.errors import NamespaceMismatch, NoRun

    def answer(query):
        try:
            return query()
        except NamespaceMismatch:
            return MISMATCH
        except NoRun:
            return None

    queries, ours = [], []
    for (mf_ns, our_ns), flow, tags in itertools.product(namespaces, flows, tag_filters):
        queries.append(q_runs(flow, mf_ns, tags))
        ours.append(
            answer(lambda f=flow, n=our_ns, t=tags: [r["pathspec"] for r in cat.iter_runs(f, n, t)])
        )
    for (mf_ns, our_ns), flow in itertools.product(namespaces, flows):
        for successful in (False, True):
            queries.append(q_latest(flow, mf_ns, successful))
            ours.append(
                answer(
                    lambda f=flow, n=our_ns, s=successful: cat.latest_run(f, n, successful=s)[
                        "pathspec"
                    ]
                )
            )
    for mf_ns, our_ns in namespaces:
        queries.append(q_flows(mf_ns))
        ours.append([f["flow"] for f in cat.flows(our_ns)["flows"]])
    return queries, ours


def mismatches(queries, ours, theirs):
    """(query, ours, Metaflow's) wherever the answers differ; Metaflow's errors by name."""
    theirs = [t.get("error") if isinstance(t, dict) else t for t in theirs]
    return [(q, o, t) for q, o, t in zip(queries, ours, theirs) if o != t]
