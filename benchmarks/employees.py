"""1,000 employees on one account (setup time, memory), then a shift change.

Every Home Assistant here runs the recorder with its default SQLite database
in the config dir and default settings, history and logbook, as users run it
(``RECORDER_YAML``). Memory is the resident set of the Home Assistant process
once it settled (after the registries' delayed save), the recorder wrote what
it held and garbage was collected (all through the probe), compared across
four Home Assistants of the same configuration:

- empty: MQTT, the probe and the recorder, no account;
- a Calamari account with no employee (the integration and its platforms);
- the same account with 1,000 employees (4,000 entities, 1,000 devices);
- the reference (benchmarks/bench_reference, not part of Time Clock): a
  minimal integration with the same config entry, subentries, devices and
  entities, and nothing behind them: Home Assistant's own cost of them.

Time Clock's own share is the account's memory less the reference's. Where it
goes: both are started once more under tracemalloc (``PYTHONTRACEMALLOC``),
and their snapshots are compared line by line (benchmarks/attribution.py).

Setup time is Home Assistant's own measurement of the config entry's setup
(``async_setup_entry`` including its platforms: what the setup timings of
Home Assistant report), at the first start (registries empty: every entity
and device is created) and at a restart.

The shift change runs on the restarted 1,000-employee Home Assistant: 500 of
them tap within 60 s (random times, fixed seed) on the MQTT reader; every
clock-in must reach the Calamari stub. Calamari's client paces requests to
the published 10/s, so 500 punches take at least 50 s by design. The probe
task in Home Assistant's event loop measures the loop's lag all along.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
import random
import time
from typing import Any

from tests.e2e.harness import (
    DOMAIN,
    START_TIMEOUT,
    Account,
    async_wait_reader_subscribed,
    tasmota_pn532,
)

from . import attribution
from .common import Context, wait_for
from .stack import (
    CALAMARI_KEY,
    READER_TOPIC,
    RECORDER_YAML,
    REFERENCE,
    REFERENCE_DOMAIN,
    SETTLE_AFTER_START,
    BenchHomeAssistant,
    account_entry,
    calamari_employees,
    email_of,
    mqtt_entry,
    percentile,
    reader_options,
    summary_ms,
    tag_of,
    write_entries,
)

SEED = 20261122
# Memory is read once the registries' delayed save after a start is done.
SETTLE = SETTLE_AFTER_START + 1
# When the first start is measured again, in seconds after the process started.
LATER = 75.0
RUNS = ("first", "first_later", "restart")
# Frames kept per traced allocation: enough to reach the integration's code
# from Home Assistant's entity platform.
TRACE_FRAMES = 30
TRACE_START_TIMEOUT = 600.0


def calamari_account(api_url: str, count: int) -> Account:
    """Return a Calamari account with ``count`` employees and one MQTT reader."""
    return Account(
        title="Calamari employees",
        data={"backend": "calamari", "api_url": api_url, "api_key": CALAMARI_KEY},
        options=reader_options(),
        employees=calamari_employees(count),
    )


def link_reference(config_dir: Path) -> None:
    """Make the reference integration available (every Home Assistant has it)."""
    (config_dir / "custom_components" / REFERENCE_DOMAIN).symlink_to(REFERENCE)


async def measured(hass: BenchHomeAssistant) -> dict[str, Any]:
    """Return the settled memory and the number of states of a running Home Assistant."""
    memory = await hass.async_settled_memory(SETTLE, trim=True)
    states = len(await hass._async_json("GET", "/api/states"))  # noqa: SLF001
    return {
        "rss": memory["VmRSS"],
        "rss_trimmed": memory["VmRSS_trimmed"],
        "python_blocks": memory["python_blocks"],
        "states": states,
    }


def mean_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the mean of the figures of several starts, with the RSS's range."""
    out: dict[str, Any] = {
        key: sum(run[key] for run in runs) / len(runs)
        for key in (
            "start_seconds",
            "setup_seconds",
            "rss",
            "rss_trimmed",
            "python_blocks",
        )
        if all(key in run for run in runs)
    }
    out |= {
        "states": runs[-1]["states"],
        "starts": len(runs),
        "rss_min": min(run["rss"] for run in runs),
        "rss_max": max(run["rss"] for run in runs),
    }
    return out


async def empty_memory(ctx: Context, starts: int) -> dict[str, Any]:
    """Start Home Assistant without an account ``starts`` times; return its memory."""
    runs = []
    async with ctx.home_assistant(
        "empty", None, extra_yaml=RECORDER_YAML, prepare=link_reference, start=False
    ) as hass:
        for _ in range(starts):
            if hass.running:
                await hass.async_stop()
            seconds = await hass.async_start()
            runs.append(await measured(hass) | {"start_seconds": seconds})
    return mean_of(runs) | {"runs": runs}


async def account_memory(
    ctx: Context,
    api_url: str,
    count: int,
    *,
    reference: bool = False,
    trace: bool = False,
    restarts: int = 1,
    then: Any = None,
) -> dict[str, Any]:
    """Start a Calamari account of ``count`` employees; return its figures.

    The first start creates every entity and device; with ``trace``, a second
    start runs under tracemalloc (its summary under ``"trace"``); then
    ``restarts`` measured restarts, each a new process (their mean under
    ``"restart"``, each under ``"restarts"``). The first start is measured
    again ``LATER`` s after the process started (``"first_later"``). ``reference`` gives the same
    config entry to the reference integration instead of Time Clock.
    ``then(hass, account)`` runs on the last restart; its result is under
    ``"then"``.
    """
    account = calamari_account(api_url, count)
    domain = REFERENCE_DOMAIN if reference else DOMAIN

    def prepare(config_dir: Path) -> None:
        link_reference(config_dir)
        if reference:
            write_entries(
                config_dir,
                [mqtt_entry(ctx.broker.port), account_entry(account, domain)],
            )

    runs: dict[str, Any] = {}
    name = f"{'reference' if reference else 'employees'}{count}"
    async with ctx.home_assistant(
        name,
        None if reference else account,
        extra_yaml=RECORDER_YAML,
        prepare=prepare,
        start=False,
    ) as hass:
        plan = ["first", *(["traced"] if trace else []), *["restart"] * restarts]
        for run in plan:
            if hass.running:
                await hass.async_stop()
            traced = run == "traced"
            hass.trace_frames = TRACE_FRAMES if traced else 0
            hass.start_timeout = TRACE_START_TIMEOUT if traced else START_TIMEOUT
            started = time.monotonic()
            await hass.async_start()
            await hass.async_wait_entry_loaded(domain, account.entry_id)
            seconds = time.monotonic() - started
            setup = await hass.async_entry_setup_seconds(account.entry_id, domain)
            if traced:
                ctx.log(f"  tracemalloc snapshot of {name}")
                await asyncio.sleep(SETTLE)
                runs["trace"] = await hass.async_probe_post(
                    action="tracemalloc", domains=[domain]
                )
                runs["trace"] |= {"start_seconds": seconds, "setup_seconds": setup}
                continue
            figures = await measured(hass)
            figures |= {"start_seconds": seconds, "setup_seconds": setup}
            if run == "first":
                runs["first"] = figures
                # Once the registries and the recorder are long done with the
                # first start's work: is what it left behind still held?
                await asyncio.sleep(max(0.0, LATER - (time.monotonic() - started)))
                runs["first_later"] = await measured(hass) | {
                    "start_seconds": seconds,
                    "setup_seconds": setup,
                    "after_ready": time.monotonic() - started - seconds,
                }
            else:
                runs.setdefault("restarts", []).append(figures)
        runs["restart"] = mean_of(runs["restarts"])
        if then is not None:
            runs["then"] = await then(hass, account)
    return runs


async def shift_change(
    ctx: Context,
    hass: BenchHomeAssistant,
    *,
    stub: Any,
    count: int,
    taps: int,
    window: float,
) -> dict[str, Any]:
    """Let ``taps`` of ``count`` employees tap within ``window`` seconds."""
    rng = random.Random(SEED)
    tappers = rng.sample(range(count), taps)
    offsets = sorted(rng.uniform(0, window) for _ in tappers)
    persons = {email_of(i): i for i in tappers}
    sent: dict[int, float] = {}
    arrived: dict[int, float] = {}

    async def collect() -> bool:
        for at, path, person, status in await stub.async_new_arrivals():
            if "/terminal/" in path and status == 200 and person in persons:
                arrived.setdefault(persons[person], at)
        return len(arrived) >= taps

    mqtt = ctx.mqtt()
    try:
        await async_wait_reader_subscribed(hass, mqtt, READER_TOPIC)
        await asyncio.sleep(2.0)
        await stub.async_new_arrivals()
        started = time.monotonic()
        for index, offset in zip(tappers, offsets, strict=True):
            delay = started + offset - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            sent[index] = mqtt.publish(READER_TOPIC, tasmota_pn532(tag_of(index)))
        last_tap = time.monotonic()
        try:
            await wait_for(collect, "every clock-in", timeout=120, poll=0.25)
        except TimeoutError:
            await collect()
    finally:
        mqtt.close()
    done = max(arrived.values(), default=time.monotonic())
    await asyncio.sleep(0.5)
    lags = (await hass.async_probe(since=started, until=done))["lags"]
    idle = (await hass.async_probe(since=started - 30, until=started - 2))["lags"]
    stats = await stub.async_stats()
    latencies = [arrived[i] - sent[i] for i in sent if i in arrived]
    return {
        "employees": count,
        "taps": taps,
        "window_seconds": window,
        "delivered": len(arrived),
        "duplicates": stats["duplicates"],
        "tapping_seconds": last_tap - started,
        "first_tap_to_last_delivery_seconds": done - started,
        "last_tap_to_last_delivery_seconds": done - last_tap,
        "latency_ms": summary_ms(latencies),
        "lag_samples": len(lags),
        "lag_p50_ms": percentile(lags, 50) * 1000,
        "lag_p90_ms": percentile(lags, 90) * 1000,
        "lag_p99_ms": percentile(lags, 99) * 1000,
        "lag_max_ms": max(lags, default=float("nan")) * 1000,
        "idle_lag_p99_ms": percentile(idle, 99) * 1000,
    }


async def run(ctx: Context) -> dict[str, Any]:
    """Measure setup and memory (empty, 0 and 1,000 employees, the reference)."""
    count, taps, window = (300, 150, 20.0) if ctx.quick else (1000, 500, 60.0)
    restarts = 2 if ctx.quick else 3
    results: dict[str, Any] = {"employees": count, "recorder": True}
    async with ctx.stub("calamari") as stub:
        await stub.async_configure(persons=[email_of(i) for i in range(count)])
        api_url = stub.urls["api"]
        ctx.log("employees: empty Home Assistant")
        results["empty"] = await empty_memory(ctx, restarts)
        ctx.log("employees: account without employees")
        results["zero"] = await account_memory(ctx, api_url, 0)
        ctx.log(f"employees: reference integration with {count} employees")
        results["reference"] = await account_memory(
            ctx, api_url, count, reference=True, trace=True, restarts=restarts
        )
        ctx.log(f"employees: account with {count} employees, then a shift change")

        async def then(hass: BenchHomeAssistant, _account: Account) -> dict[str, Any]:
            ctx.log(f"employees: shift change, {taps} of {count} tap in {window:.0f} s")
            return await shift_change(
                ctx, hass, stub=stub, count=count, taps=taps, window=window
            )

        results["full"] = await account_memory(
            ctx, api_url, count, trace=True, restarts=restarts, then=then
        )
        results["shift"] = results["full"].pop("then")
        results["attribution"] = attribution.compare(
            results["full"].pop("trace"),
            results["reference"].pop("trace"),
            employees=count,
        )
        empty = results["empty"]
        for key in ("full", "reference"):
            for run in RUNS:
                figures = results[key][run]
                figures["rss_above_empty"] = figures["rss"] - empty["rss"]
                figures["rss_trimmed_above_empty"] = (
                    figures["rss_trimmed"] - empty["rss_trimmed"]
                )
        for run in RUNS:
            full, ref = results["full"][run], results["reference"][run]
            full["rss_above_zero"] = full["rss"] - results["zero"][run]["rss"]
            full["rss_above_reference"] = full["rss"] - ref["rss"]
            full["rss_trimmed_above_reference"] = (
                full["rss_trimmed"] - ref["rss_trimmed"]
            )
            ctx.log(
                f"  {run}: Time Clock {full['rss_above_empty'] / 2**20:.1f} MiB, "
                f"reference {ref['rss_above_empty'] / 2**20:.1f} MiB above empty; "
                f"own share {full['rss_above_reference'] / 2**20:.1f} MiB"
            )
        shift = results["shift"]
        ctx.log(
            f"  {shift['delivered']}/{taps} delivered, lag p99 "
            f"{shift['lag_p99_ms']:.1f} ms, max {shift['lag_max_ms']:.1f} ms"
        )
    return results
