"""Metaflow's client side of the scale benchmark, run as its own process over the store.

Reads a JSON job on stdin, prints one JSON document: timings (seconds), the answers (for the
differential check against jupyter_mfns) and the process's peak RSS. argv[1] is the wall time
at which the parent started this process, so the first query's time includes Python and
Metaflow start-up, as a fresh notebook kernel would pay.

Each query is what a user would write with Metaflow's client to get the same answer:
(a) the first 50 runs of ``Flow(F).runs(*tags)`` in a namespace, each with the fields of a
    jupyter_mfns run row (successful, finished, finished_at, origin_pathspec);
(b) namespaces with run counts: every run's tags counted over all flows (global namespace);
(c) ``Metaflow().flows`` in a namespace;
(d) ``Flow(F).latest_run`` in a namespace.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections import Counter
from itertools import islice
from typing import Any, Dict, List, Optional


def _ms(dt: Any) -> Optional[int]:
    return int(round(dt.timestamp() * 1000)) if dt is not None else None


def main() -> None:
    spawned = float(sys.argv[1])
    job = json.loads(sys.stdin.read())
    from metaflow import Flow, Metaflow, namespace

    imported = time.time()
    flow, ns, tags = job["flow"], job["namespace"], job["tags"]
    times: Dict[str, List[float]] = {"a": [], "b": [], "c": [], "d": []}
    answers: Dict[str, Any] = {}
    first_query_s = None
    for rep in range(job["reps"]):
        namespace(ns)
        started = time.time()
        runs = Flow(flow).runs(*tags)
        page = []
        for run in islice(runs, 50):
            origin = run.origin_pathspec
            page.append(
                {
                    "pathspec": run.pathspec,
                    "successful": run.successful,
                    "finished": run.finished,
                    "finished_at": _ms(run.finished_at),
                    "origin_run": None if origin is None or origin.endswith("/None") else origin,
                }
            )
        times["a"].append(time.time() - started)
        if rep == 0:
            first_query_s = time.time() - spawned
            answers["a_page"] = page
            answers["a_all"] = [r["pathspec"] for r in page] + [r.pathspec for r in runs]

        namespace(None)
        started = time.time()
        counts: Counter = Counter()
        for f in Metaflow():
            for run in f.runs():
                counts.update(run.tags)
        times["b"].append(time.time() - started)
        answers["b"] = dict(counts)

        namespace(ns)
        started = time.time()
        flows = sorted(f.id for f in Metaflow().flows)
        times["c"].append(time.time() - started)
        answers["c"] = flows

        started = time.time()
        latest = Flow(flow).latest_run
        times["d"].append(time.time() - started)
        answers["d"] = latest.pathspec if latest is not None else None

    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "times": times,
                "answers": answers,
                "import_s": imported - spawned,
                "first_query_s": first_query_s,
                "peak_rss_mb": peak_kb / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
