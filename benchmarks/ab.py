"""Compare two copies of the integration, run after run, on the same machine.

``python -m benchmarks.ab BEFORE_DIR AFTER_DIR [--rounds 3] [--only latency,backlog]``
runs the quick benchmarks (``benchmarks.run --quick``) for BEFORE, then AFTER,
again and again, so that both see the same moments of a machine whose disk and
neighbours change speed from one minute to the next, and writes the figures of
every run and their medians to ``benchmarks/before-after.json`` (the before/after
table of BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
import json
from pathlib import Path
import statistics
import subprocess
import sys
import tempfile
from typing import Any

from .stack import REPO

OUTPUT = REPO / "benchmarks" / "before-after.json"

# name -> how to read it from the results of one quick run
FIGURES: dict[str, Any] = {
    "tap → request, paced, p50, Time Clock (ms)": lambda r: r["latency"][
        "time_clock_paced"
    ]["p50"],
    "tap → request, paced, p99, Time Clock (ms)": lambda r: r["latency"][
        "time_clock_paced"
    ]["p99"],
    "tap → request, paced, p50, baseline (ms)": lambda r: r["latency"][
        "baseline_paced"
    ]["p50"],
    "tap → request, paced, p99, baseline (ms)": lambda r: r["latency"][
        "baseline_paced"
    ]["p99"],
    "tap → request, paced, p50 ratio": lambda r: r["latency"]["ratio_paced"]["p50"],
    "tap → request, paced, p99 ratio": lambda r: r["latency"]["ratio_paced"]["p99"],
    "tap → request, burst to Protime, p50 (ms)": lambda r: r["latency"][
        "time_clock_protime_burst"
    ]["p50"],
    "tap → request, burst to Protime, p99 (ms)": lambda r: r["latency"][
        "time_clock_protime_burst"
    ]["p99"],
    "backlog 1,000: punches/s": lambda r: r["backlog"]["runs"][0]["punches_per_second"],
    "backlog 3,000: punches/s": lambda r: r["backlog"]["runs"][1]["punches_per_second"],
    "backlog 3,000: bytes to time_clock files per punch": lambda r: r["backlog"][
        "runs"
    ][1]["time_clock_bytes_per_punch"],
    "backlog 3,000: write_bytes per punch": lambda r: r["backlog"]["runs"][1][
        "write_bytes_per_punch"
    ],
    "disk: atomic writes/s at the start of the run": lambda r: r["disk"][
        "writes_per_second"
    ],
}


def run_once(integration: str, only: str, workdir: Path, label: str) -> dict[str, Any]:
    """Run the quick benchmarks once for one copy; return the figures."""
    out = workdir / f"{label}.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--quick",
            "--only",
            only,
            "--integration",
            integration,
            "--no-report",
            "--json",
            str(out),
        ],
        cwd=REPO,
        check=True,
    )
    return dict(json.loads(out.read_text(encoding="utf-8")))


def figures(results: dict[str, Any]) -> dict[str, float]:
    """Return the compared figures of one run (those the run measured)."""
    out = {}
    for name, get in FIGURES.items():
        try:
            out[name] = float(get(results))
        except (KeyError, IndexError, TypeError):
            continue
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="latency,backlog")
    parser.add_argument("--output", default=str(OUTPUT))
    parser.add_argument("--title", default="", help="what the fixes were")
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    started = datetime.now(UTC).isoformat(timespec="seconds")
    with tempfile.TemporaryDirectory(prefix="ab_") as tmp:
        for number in range(args.rounds):
            for label, integration in (("before", args.before), ("after", args.after)):
                print(f"== round {number + 1}/{args.rounds}: {label}", flush=True)
                results = run_once(
                    integration, args.only, Path(tmp), f"{label}{number}"
                )
                runs[label].append(figures(results))
    medians = {
        label: {
            name: statistics.median(run[name] for run in items if name in run)
            for name in FIGURES
            if any(name in run for run in items)
        }
        for label, items in runs.items()
    }
    report = {
        "title": args.title,
        "started": started,
        "rounds": args.rounds,
        "only": args.only,
        "before": args.before,
        "after": args.after,
        "runs": runs,
        "medians": medians,
    }
    Path(args.output).write_text(json.dumps(report, indent=2), encoding="utf-8")
    for name in medians["after"]:
        print(f"{name}: {medians['before'].get(name)} -> {medians['after'][name]}")


if __name__ == "__main__":
    main()
