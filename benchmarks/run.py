"""Run the Time Clock benchmarks on the real stack and write BENCHMARKS.md.

Usage (from the repository root, with the project's virtualenv)::

    python -m benchmarks.run [--quick] [--only latency,backlog,employees,adds]
                             [--output BENCHMARKS.md] [--json FILE]

Each scenario starts its own Home Assistant process(es) on a copy of the
end-to-end harness's template config dir; one mosquitto serves the whole run.
Raw figures go to benchmarks/results/<date>.json, the report to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
import json
from pathlib import Path
import shutil
import signal
import sys
import tempfile
import time
from typing import Any

import aiohttp

from tests.e2e import harness
from tests.e2e.harness import Mosquitto, find_mosquitto, prepare_template

from . import adds, backlog, card, employees, latency, report
from .common import Context
from .stack import REPO

SCENARIOS = {
    "latency": latency.run,
    "backlog": backlog.run,
    "employees": employees.run,
    "adds": adds.run,
    "card": card.run,
}


def log(message: str) -> None:
    """Print a progress line at once."""
    print(message, flush=True)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run the selected scenarios and return every figure."""
    main_task = asyncio.current_task()
    assert main_task is not None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Cancel, so that every process of the run is stopped on the way out.
        loop.add_signal_handler(sig, main_task.cancel)
    workdir = Path(tempfile.mkdtemp(prefix="time_clock_bench_"))
    results: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": report.machine(),
        "integration": str(harness.INTEGRATION),
        "load_before": report.load(),
    }
    executable = find_mosquitto()
    if executable is None:
        raise SystemExit("mosquitto is not installed (scripts/setup installs it)")
    broker = Mosquitto(executable, workdir)
    started = time.monotonic()
    busy, own = report.cpu_busy_seconds(), report.own_cpu_seconds()
    try:
        log("preparing the template config dir (hass --script auth)")
        template = workdir / "template"
        prepare_template(template)
        broker.start()
        results["disk"] = report.disk_probe(workdir)
        log(
            "disk: {writes_per_second:.0f} atomic writes/s, p99 {p99_ms:.1f} ms".format(
                **results["disk"]
            )
        )
        async with aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=120)
        ) as session:
            ctx = Context(
                workdir=workdir,
                template=template,
                broker=broker,
                session=session,
                quick=args.quick,
                profile_dir=Path(args.profile_dir).resolve(),
                log=log,
                keep=args.keep,
                profile=args.profile,
                adds_before=args.adds_before or None,
            )
            for name in args.only:
                log(f"== {name}")
                began = time.monotonic()
                results[name] = await SCENARIOS[name](ctx)
                results[name]["seconds"] = time.monotonic() - began
                log(f"== {name} done in {results[name]['seconds']:.0f} s")
            results["disk_after"] = report.disk_probe(workdir)
    finally:
        broker.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            log(f"kept {workdir}")
    results["seconds"] = time.monotonic() - started
    # CPU time the machine spent on anything but this run (other people's tests...).
    results["foreign_cpu_seconds"] = max(
        0.0,
        (report.cpu_busy_seconds() - busy) - (report.own_cpu_seconds() - own),
    )
    results["load_after"] = report.load()
    return results


def main() -> None:
    """Parse the arguments, run, write the JSON and the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, a few minutes"
    )
    parser.add_argument(
        "--only",
        default=",".join(SCENARIOS),
        type=lambda text: [s for s in text.split(",") if s],
        help="comma-separated scenarios: " + ", ".join(SCENARIOS),
    )
    parser.add_argument("--output", default=str(REPO / "BENCHMARKS.md"))
    parser.add_argument(
        "--json", default=None, help="raw results (default: benchmarks/results/)"
    )
    parser.add_argument("--profile-dir", default=str(REPO / "benchmarks" / "results"))
    parser.add_argument(
        "--integration",
        default=None,
        help="benchmark this copy of custom_components/time_clock (before/after runs)",
    )
    parser.add_argument(
        "--adds-before",
        default=adds.BEFORE,
        help="commit whose integration the employee-adding phase compares with "
        f"(default {adds.BEFORE}, every add reloaded the account; '' skips it)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the config dirs")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run cProfile in Home Assistant during the Time Clock phases",
    )
    parser.add_argument(
        "--before",
        default=None,
        help="figures of an earlier run for the before/after table "
        "(default: benchmarks/before-fixes.json)",
    )
    parser.add_argument(
        "--report-only",
        default=None,
        metavar="JSON",
        help="write BENCHMARKS.md from the figures of an earlier run, run nothing",
    )
    parser.add_argument(
        "--no-report",
        action="store_true",
        help="write the JSON only, not BENCHMARKS.md",
    )
    args = parser.parse_args()
    unknown = [name for name in args.only if name not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}")
    if args.report_only:
        results = json.loads(Path(args.report_only).read_text(encoding="utf-8"))
        write_report(args, results)
        return
    Path(args.profile_dir).mkdir(parents=True, exist_ok=True)
    if args.integration:
        # The harness links this directory into every config dir it makes.
        harness.INTEGRATION = Path(args.integration).resolve()
    results = asyncio.run(run(args))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    json_path = Path(args.json or REPO / "benchmarks" / "results" / f"{stamp}.json")
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    log(f"raw results: {json_path}")
    if not args.no_report:
        write_report(args, results)
    if not report.all_delivered(results):
        sys.exit(1)


def write_report(args: argparse.Namespace, results: dict[str, Any]) -> None:
    """Write BENCHMARKS.md, with the before/after table when earlier figures exist."""
    before_path = Path(args.before) if args.before else report.BEFORE
    before = None
    if (
        before_path.is_file()
        and before_path.resolve() != Path(args.report_only or "").resolve()
    ):
        before = json.loads(before_path.read_text(encoding="utf-8"))
    abs_ = [
        json.loads(path.read_text(encoding="utf-8"))
        for path in report.BEFORE_AFTER
        if path.is_file()
    ]
    Path(args.output).write_text(report.render(results, before, abs_), encoding="utf-8")
    log(f"report: {args.output}")


if __name__ == "__main__":
    main()
