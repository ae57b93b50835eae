"""Change detection, old (rescan every interval) against new, side by side in one run.

    python -m benchmarks.detection local   [--runs 100000] [--minutes 1] [--poll 10]
    python -m benchmarks.detection service [--runs 500,10000] [--minutes 1]
    python -m benchmarks.detection servers [--servers 10] [--runs 10000] [--minutes 1]
    python -m benchmarks.detection million [--runs 1000000] [--full-copies 10000]
    python -m benchmarks.detection all     (each of the above with its defaults)

`local` and `million` use the multiplied stores of `benchmarks/scaled_store.py` (100k runs take
about 11 GB and a quarter of an hour to build; 1M, with 10k whole copies and the rest record
only, about 13 GB); `service` and `servers` start Netflix's metaflow-service from
shared/metaflow-service (PostgreSQL, ui_backend) with synthetic runs. Keep it out of CI.
Prints Markdown tables (also appended to --markdown) and writes --json.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

from .detection_local import local, million, summary

Table = Dict[str, Dict[str, Any]]  # strategy label -> figures


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return summary(value)
    if isinstance(value, float):
        return f"{value:.2f}{unit}" if abs(value) < 100 else f"{value:.0f}{unit}"
    return f"{value}{unit}"


def table(title: str, results: Table, rows: Sequence[Tuple[str, str, str]]) -> str:
    """A Markdown table: one row per (label, key, unit), one column per strategy."""
    labels = list(results)
    lines = [f"### {title}", "", "| | " + " | ".join(labels) + " |"]
    lines.append("|---|" + "---|" * len(labels))
    for label, key, unit in rows:
        cells = [_fmt(results[s].get(key), unit) for s in labels]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


LATENCY_ROWS = [
    ("new run: API lists it", "new_api", ""),
    ("new run: events socket says so", "new_ws", ""),
    ("CLI tag add: API shows it", "tag_api", ""),
    ("CLI tag add: events socket says so", "tag_ws", ""),
]


def run_local(args: argparse.Namespace) -> str:
    results = local(args.runs, args.minutes, args.poll, args.trials)
    rows = [
        ("detection in use (GET status)", "detection", ""),
        (f"idle CPU, panel open, page every {args.poll:g} s", "idle_cpu_pct", " % of a core"),
        *LATENCY_ROWS,
    ]
    return table(f"Local store, {args.runs:,} runs", results, rows)


def run_service(args: argparse.Namespace) -> str:
    from .detection_service import one_server

    out = []
    for runs in [int(r) for r in str(args.runs).split(",")]:
        results = one_server(runs, args.minutes, trials=True)
        rows = [
            ("runs in the service", "runs", ""),
            ("idle: requests per minute", "requests_per_min", ""),
            ("idle: KB per minute", "kb_per_min", " KB"),
            *[(label, key, " s") for label, key, _ in LATENCY_ROWS],
        ]
        out.append(table(f"Metadata service, {runs:,} runs, one server", results, rows))
    return "\n".join(out)


def run_servers(args: argparse.Namespace) -> str:
    from .detection_service import many_servers

    results = many_servers(args.runs, args.servers, args.minutes)
    rows = [
        ("servers (idle, panels open)", "servers", ""),
        ("service: requests per second", "requests_per_s", ""),
        ("service: KB per minute", "kb_per_min", " KB"),
        ("service CPU (metadata service, PostgreSQL, ui_backend)", "service_cpu_pct", " %"),
        ("the servers' own CPU, all together", "servers_cpu_pct", " %"),
    ]
    return table(f"{args.servers} servers over one service of {args.runs:,} runs", results, rows)


def run_million(args: argparse.Namespace) -> str:
    results = million(args.runs, args.full_copies, args.reps, args.minutes)
    rows = [
        ("store build (multiplier)", "store_build_s", " s"),
        ("cold start: first answer", "first_answer_cold_s", " s"),
        ("cold start: whole index built", "index_build_s", " s"),
        ("first page, warm (median)", "first_page_warm_ms", " ms"),
        ("idle CPU (no panel)", "idle_cpu_pct", " % of a core"),
        ("resident memory after the build", "rss_mb", " MB"),
        ("peak resident memory during the build", "peak_rss_mb", " MB"),
        ("parameters fill done (since the server started)", "fill_done_s", " s"),
        (
            "idle CPU once the parameters fill is done (steady)",
            "idle_cpu_filled_pct",
            " % of a core",
        ),
        ("peak resident memory through the parameters fill", "filled_peak_rss_mb", " MB"),
        ("index file", "index_mb", " MB"),
        ("restart: first answer (persisted index)", "restart_first_answer_s", " s"),
        ("restart: first page, warm (median)", "restart_first_page_warm_ms", " ms"),
        ("restart: resident memory", "restart_rss_mb", " MB"),
        ("restart: peak resident memory", "restart_peak_rss_mb", " MB"),
    ]
    return table(f"Local store, {args.runs:,} runs", results, rows)


COMMANDS: Dict[str, Tuple[Callable[[argparse.Namespace], str], Dict[str, Any]]] = {
    "local": (run_local, {"runs": 100_000}),
    "service": (run_service, {"runs": "500,10000"}),
    "servers": (run_servers, {"runs": 10_000}),
    "million": (run_million, {"runs": 1_000_000}),
}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.detection", description=__doc__)
    parser.add_argument("command", choices=[*COMMANDS, "all"])
    parser.add_argument("--runs", default=None)
    parser.add_argument("--minutes", type=float, default=1.0)
    parser.add_argument("--poll", type=float, default=10.0, help="the panel's page poll (s)")
    parser.add_argument("--trials", type=int, default=3, help="changes per latency figure")
    parser.add_argument("--servers", type=int, default=10)
    parser.add_argument("--full-copies", type=int, default=10_000)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args(argv)
    commands = list(COMMANDS) if args.command == "all" else [args.command]
    started, tables = time.time(), []
    for name in commands:
        run, defaults = COMMANDS[name]
        sub = argparse.Namespace(**vars(args))
        if args.runs is None or args.command == "all":
            sub.runs = defaults["runs"]
        elif name != "service":
            sub.runs = int(sub.runs)
        text = run(sub)
        print(text, flush=True)
        tables.append(text)
    footer = (
        f"_{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at the end, "
        f"{(time.time() - started) / 60:.0f} min, `{' '.join(sys.argv[1:])}`_\n"
    )
    print(footer)
    if args.markdown:
        with open(args.markdown, "a", encoding="utf-8") as f:
            f.write("\n".join(tables) + "\n" + footer + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
