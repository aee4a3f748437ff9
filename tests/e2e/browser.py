"""Run the browser scripts of frontend/browser against a harness Home Assistant.

A script drives Chromium (Debian's package, through playwright-core) and prints one
JSON report on stdout: the screens it saw (screenshot, texts, raw keys found, expected
texts missing), facts it measured, and the steps that failed. The test asserts on it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import json
import os
from pathlib import Path
import shutil
from typing import Any

from .harness import PASSWORD, REPO, USERNAME, HomeAssistantProcess, child_env

FRONTEND = REPO / "frontend"
SCRIPTS = FRONTEND / "browser"
ARTIFACTS = Path(
    os.environ.get("TIME_CLOCK_ARTIFACTS", REPO / ".dev" / "artifacts" / "browser")
)
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCRIPT_TIMEOUT = 300.0


def missing_browser_tools() -> str | None:
    """Return what is missing to run the browser scripts, or None."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is missing (scripts/setup installs chromium)"
    if not (FRONTEND / "node_modules" / "playwright-core").is_dir():
        return "frontend/node_modules is missing (scripts/setup runs npm ci)"
    return None


async def async_run_script(
    script: str,
    hass: HomeAssistantProcess,
    env: Mapping[str, str] | None = None,
    *,
    timeout: float = SCRIPT_TIMEOUT,
) -> dict[str, Any]:
    """Run one browser script against ``hass`` and return its report.

    The script runs as a child process while this event loop goes on, so fakes that
    live in it (the Calamari tenant) keep answering Home Assistant.
    """
    proc = await asyncio.create_subprocess_exec(
        "node",
        str(SCRIPTS / script),
        cwd=FRONTEND,
        env={
            **child_env(),
            "HA_URL": hass.url,
            "HA_USERNAME": USERNAME,
            "HA_PASSWORD": PASSWORD,
            "TIME_CLOCK_ARTIFACTS": str(ARTIFACTS),
            "CHROMIUM": CHROMIUM,
            **(env or {}),
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise hass.fail(f"{script} did not finish in {timeout:.0f} s") from None
    lines = stdout.decode(errors="replace").strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise hass.fail(
            f"{script} exited with {proc.returncode}:\n"
            f"{stdout.decode(errors='replace')}\n{stderr.decode(errors='replace')}"
        )
    return dict(json.loads(lines[-1]))


def screen_problems(report: Mapping[str, Any]) -> list[str]:
    """Return every failed step, raw key and missing text of a report, in words."""
    problems = [
        f"step {failure['step']} failed: {failure['error']}"
        for failure in report["failures"]
    ]
    for screen in report["screens"]:
        problems.extend(
            f"{screen['name']} ({screen['screenshot']}): {item['why']}: {item['text']!r}"
            for item in screen["problems"]
        )
        problems.extend(
            f"{screen['name']} ({screen['screenshot']}): not shown: {want!r}"
            for want in screen["missing"]
        )
    return problems
