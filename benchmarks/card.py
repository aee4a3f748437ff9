"""The door-tablet card: its bundle's size and how 200 employees render.

The bundle is ``custom_components/time_clock/dist/time-clock-card.js`` as
shipped, measured raw and gzipped (level 9, as a web server would serve it).
The render figures come from the card's own browser test
(``tests/e2e/test_e2e_browser_card.py::TestTwoHundredEmployees``: a real Home
Assistant with a Calamari account of 200 employees, the card on a dashboard in
headless Chromium, long tasks seen by a ``PerformanceObserver``), run as a
subprocess; its end-of-run summary line is parsed here.
"""

from __future__ import annotations

import asyncio
import gzip
import re
import sys
from typing import Any

from .common import Context
from .stack import REPO

BUNDLE = REPO / "custom_components" / "time_clock" / "dist" / "time-clock-card.js"
TEST = "tests/e2e/test_e2e_browser_card.py::TestTwoHundredEmployees"
SUMMARY = re.compile(
    r"card with 200 employees: rendered in (?P<rendered>[\d.]+) ms, one state "
    r"change re-rendered in (?P<update>[\d.]+) ms, long tasks \[(?P<long>[^\]]*)\]"
)
TIMEOUT = 600.0


def bundle() -> dict[str, int]:
    """Return the bundle's size, raw and gzipped."""
    raw = BUNDLE.read_bytes()
    return {"bytes": len(raw), "gzip_bytes": len(gzip.compress(raw, 9))}


def parse(output: str) -> dict[str, Any] | None:
    """Return the render figures of the test's summary, or ``None`` if missing."""
    if (found := SUMMARY.search(output)) is None:
        return None
    long_tasks = [float(x) for x in found["long"].split(",") if x.strip()]
    return {
        "rendered_ms": float(found["rendered"]),
        "update_ms": float(found["update"]),
        "long_tasks_ms": long_tasks,
        "longest_task_ms": max(long_tasks, default=0.0),
    }


async def run(ctx: Context) -> dict[str, Any]:
    """Measure the bundle, then run the card's 200-employee browser test."""
    results: dict[str, Any] = {"bundle": bundle()}
    ctx.log(
        "card: bundle {bytes:,} B, {gzip_bytes:,} B gzipped".format(**results["bundle"])
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        TEST,
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        out, _ = await asyncio.wait_for(process.communicate(), TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
        out = b""
    output = out.decode(errors="replace")
    results["passed"] = process.returncode == 0
    results["render"] = parse(output)
    if results["render"] is None:
        results["output_tail"] = output[-2000:]
        ctx.log("card: the browser test gave no figures (see output_tail)")
    else:
        ctx.log(
            "card: 200 tiles rendered in {rendered_ms:.0f} ms, "
            "longest task {longest_task_ms:.0f} ms".format(**results["render"])
        )
    return results
