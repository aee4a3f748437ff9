"""Adding employees one after another over the flow API, as the UI does.

A Calamari account without employees runs (recorder on, as in the memory
phase); the stub knows every person. The driver adds 1,000 employees (300 in a
quick run) one right after the other through Home Assistant's REST API: ``POST
/api/config/config_entries/subentries/flow`` with ``{"handler": [entry_id,
"employee"]}`` opens the form, ``POST .../subentries/flow/<flow_id>`` with
``{"name", "identifier", "tags"}`` adds the employee. It waits for nothing but
the answers. Meanwhile the probe in Home Assistant notes when each Time Clock
entity first enters the entity registry and the state machine
(``time.monotonic()``, the clock the driver reads too), so that the time from
each add to its four entities existing is known for every employee without
polling during the run. After the last add the driver polls until every
employee's four entities exist at once.

Run for the integration of this branch ("after": an added employee is applied
without a reload) and for the commit before that change ("before": every add
reloaded the account), each in a Home Assistant of its own.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
import subprocess
import tarfile
import time
from typing import Any

from tests.e2e import harness

from . import report
from .common import Context, cpu_seconds
from .employees import calamari_account
from .stack import (
    RECORDER_YAML,
    REPO,
    SETTLE_AFTER_START,
    BenchHomeAssistant,
    StubProcess,
    calamari_employees,
    email_of,
    summary_ms,
)

# The commit whose account reloaded at every employee added.
BEFORE = "9da631a"
KEYS = ("on_shift", "clock_in", "clock_out", "worked_today")
FLOW = "/api/config/config_entries/subentries/flow"
BLOCK = 100
# Employees whose entities have not appeared after this long without any new
# entity appearing are reported missing.
NO_PROGRESS = 30.0
# How long every entity must exist without a break to call the account settled,
# and how long to wait for that after every entity appeared once.
STABLE = 2.0
SETTLE_TIMEOUT = 300.0


def extract_integration(commit: str, into: Path) -> Path:
    """Write the integration as it was at ``commit`` into ``into``; return its dir."""
    archive = into / f"time_clock-{commit}.tar"
    with archive.open("wb") as out:
        subprocess.run(
            ["git", "archive", commit, "custom_components/time_clock"],
            cwd=REPO,
            stdout=out,
            check=True,
        )
    with tarfile.open(archive) as tar:
        tar.extractall(into / commit, filter="data")
    return into / commit / "custom_components" / "time_clock"


async def add_employees(
    ctx: Context, hass: BenchHomeAssistant, entry_id: str, count: int
) -> dict[str, Any]:
    """Add ``count`` employees one after another; return the times of each step."""
    opened: list[float] = []
    submitted: list[float] = []
    answered: list[float] = []
    for index, employee in enumerate(calamari_employees(count)):
        opened.append(time.monotonic())
        form = await hass.async_rest("POST", FLOW, {"handler": [entry_id, "employee"]})
        if form.get("type") != "form":
            raise hass.fail(f"the employee flow did not show its form: {form}")
        submitted.append(time.monotonic())
        result = await hass.async_rest(
            "POST",
            f"{FLOW}/{form['flow_id']}",
            {
                "name": employee.name,
                "identifier": employee.identifier,
                "tags": employee.tags,
            },
        )
        answered.append(time.monotonic())
        if result.get("type") != "create_entry":
            raise hass.fail(f"employee {index} was not added: {result}")
        if (index + 1) % BLOCK == 0:
            ctx.log(
                f"  {index + 1} added, "
                f"{BLOCK / (answered[-1] - opened[-BLOCK]):.1f}/s for the last {BLOCK}"
            )
    return {"opened": opened, "submitted": submitted, "answered": answered}


async def one_run(
    ctx: Context, stub: StubProcess, count: int, label: str, integration: Path
) -> dict[str, Any]:
    """Add ``count`` employees to a running account of ``integration``."""
    saved = harness.INTEGRATION
    harness.INTEGRATION = integration
    try:
        account = calamari_account(stub.urls["api"], 0)
        async with ctx.home_assistant(
            f"adds_{label}", account, extra_yaml=RECORDER_YAML
        ) as hass:
            await asyncio.sleep(SETTLE_AFTER_START)
            await hass.async_probe_post(action="watch_entities", platform="time_clock")
            cpu_before = cpu_seconds(hass.pid)
            ours_before = _our_cpu(hass, stub)
            busy_before = report.cpu_busy_seconds()
            if ctx.profile:
                await hass.async_probe_post(action="profile_start")
            times = await add_employees(ctx, hass, account.entry_id, count)
            cpu_adding = cpu_seconds(hass.pid) - cpu_before
            if ctx.profile:
                path = ctx.profile_dir / f"adds_{label}.prof"
                await hass.async_probe_post(action="profile_stop", path=str(path))
            # CPU the machine spent on anything but this run while adding.
            foreign = (report.cpu_busy_seconds() - busy_before) - (
                _our_cpu(hass, stub) - ours_before
            )
            wanted = count * len(KEYS)
            seen_all, settled = await wait_settled(hass, wanted)
            seen = await hass.async_probe_entities(full=True)
            subentries = await hass.async_ws_command(
                {
                    "type": "config_entries/subentries/list",
                    "entry_id": account.entry_id,
                }
            )
            cpu_total = cpu_seconds(hass.pid) - cpu_before
    finally:
        harness.INTEGRATION = saved
    ids = {item["title"]: item["subentry_id"] for item in subentries}
    return figures(
        times,
        seen,
        ids,
        count=count,
        seen_all=seen_all,
        settled=settled,
        cpu_adding=cpu_adding,
        cpu_total=cpu_total,
    ) | {"foreign_cpu_seconds": max(0.0, foreign)}


def _our_cpu(hass: BenchHomeAssistant, stub: StubProcess) -> float:
    """Return the CPU seconds of the driver, Home Assistant and the stub so far."""
    return report.own_cpu_seconds() + cpu_seconds(hass.pid) + stub.cpu_seconds()


async def wait_settled(
    hass: BenchHomeAssistant, wanted: int
) -> tuple[float | None, float | None]:
    """Wait until every entity appeared once, then until all exist for ``STABLE`` s.

    Return when each happened. The first is ``None`` when no entity appeared
    for ``NO_PROGRESS`` seconds before all did (an employee left without its
    entities); the second when the entities still came and went
    ``SETTLE_TIMEOUT`` seconds after all appeared (reloads still queued).
    """
    seen, progress = 0, time.monotonic()
    while seen < wanted:
        now = time.monotonic()
        if (count := (await hass.async_probe_entities())["states_seen"]) > seen:
            seen, progress = count, now
        elif now - progress > NO_PROGRESS:
            return None, None
        await asyncio.sleep(0.1)
    seen_all = time.monotonic()
    stable_since: float | None = None
    while time.monotonic() - seen_all < SETTLE_TIMEOUT:
        now = time.monotonic()
        if (await hass.async_probe_entities())["present"] < wanted:
            stable_since = None
        elif stable_since is None:
            stable_since = now
        elif now - stable_since >= STABLE:
            return seen_all, stable_since
        await asyncio.sleep(0.05)
    return seen_all, None


def figures(
    times: dict[str, list[float]],
    seen: dict[str, Any],
    ids: dict[str, str],
    *,
    count: int,
    seen_all: float | None,
    settled: float | None,
    cpu_adding: float,
    cpu_total: float,
) -> dict[str, Any]:
    """Return the rates, per hundred, and the time from each add to its entities."""
    opened, submitted, answered = (
        times["opened"],
        times["submitted"],
        times["answered"],
    )
    first_state: dict[str, float] = seen["first_state"]
    appeared: list[float] = []
    missing = 0
    for index, employee in enumerate(calamari_employees(count)):
        unique = [f"{ids.get(employee.name)}_{key}" for key in KEYS]
        if not all(u in first_state for u in unique):
            missing += 1
            continue
        # From the moment the form was sent until the last of its four exists.
        appeared.append(max(first_state[u] for u in unique) - submitted[index])
    blocks = [
        {
            "first": start + 1,
            "last": min(start + BLOCK, count),
            "per_second": (min(start + BLOCK, count) - start)
            / (answered[min(start + BLOCK, count) - 1] - opened[start]),
            "add_ms": summary_ms(
                [
                    answered[i] - opened[i]
                    for i in range(start, min(start + BLOCK, count))
                ]
            ),
        }
        for start in range(0, count, BLOCK)
    ]
    last = calamari_employees(count)[-1]
    last_unique = [f"{ids.get(last.name)}_{key}" for key in KEYS]
    last_times = [first_state.get(u) for u in last_unique]
    last_state = (
        None if None in last_times else max(t for t in last_times if t is not None)
    )
    sample = appeared[49::50]
    return {
        "count": count,
        "seconds": answered[-1] - opened[0],
        "per_second": count / (answered[-1] - opened[0]),
        "blocks": blocks,
        "add_ms": summary_ms([a - o for a, o in zip(answered, opened, strict=True)]),
        "appear_ms": summary_ms(appeared),
        "appear_sample_ms": summary_ms(sample),
        "appear_over_1s": sum(1 for value in appeared if value > 1.0),
        "missing": missing,
        "last_appeared_after_its_add": _since(last_state, submitted[-1]),
        "last_appeared_after_first_add": _since(last_state, opened[0]),
        "all_seen_after_last_add": _since(seen_all, answered[-1]),
        # Until every entity exists and stays (reloads still queued remove them).
        "settled_after_last_add": _since(settled, answered[-1]),
        "ha_cpu_seconds_adding": cpu_adding,
        "ha_cpu_ms_per_add": cpu_adding / count * 1000,
        "ha_cpu_seconds_until_present": cpu_total,
    }


def _since(moment: float | None, start: float) -> float | None:
    """Return the seconds from ``start`` to ``moment``, or ``None`` if it never came."""
    return None if moment is None else moment - start


async def run(ctx: Context) -> dict[str, Any]:
    """Add employees with this branch's integration and with the one before."""
    count = 300 if ctx.quick else 1000
    results: dict[str, Any] = {"employees": count, "recorder": True}
    async with ctx.stub("calamari") as stub:
        await stub.async_configure(persons=[email_of(i) for i in range(count)])
        ctx.log(f"adds: {count} employees one after another, this integration")
        results["after"] = await one_run(ctx, stub, count, "after", harness.INTEGRATION)
        log_run(ctx, results["after"])
        if ctx.adds_before:
            before = extract_integration(ctx.adds_before, ctx.workdir)
            ctx.log(
                f"adds: {count} employees one after another, "
                f"the integration at {ctx.adds_before} (a reload per add)"
            )
            results["before"] = await one_run(ctx, stub, count, "before", before)
            results["before"]["commit"] = ctx.adds_before
            log_run(ctx, results["before"])
    return results


def log_run(ctx: Context, run: dict[str, Any]) -> None:
    """Print the main figures of one run."""
    last, settled = run["last_appeared_after_its_add"], run["settled_after_last_add"]
    ctx.log(
        f"  {run['per_second']:.1f} employees/s; add -> entities p50 "
        f"{run['appear_ms']['p50']:.0f} ms, max {run['appear_ms']['max']:.0f} ms; "
        f"{run['missing']} without entities; last one's entities "
        + ("never" if last is None else f"{last:.1f} s after its add")
        + "; "
        + (
            "never settled"
            if settled is None
            else f"settled {settled:.1f} s after the last add"
        )
        + f"; other processes {run['foreign_cpu_seconds']:.1f} CPU-s meanwhile"
    )
