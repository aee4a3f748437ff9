"""1,000 employees on one account (setup time, memory), then a shift change.

Memory is the resident set of the Home Assistant process after it settled and
collected garbage (``gc.collect()`` through the probe), compared across three
Home Assistants of the same configuration:

- empty: MQTT and the probe, no Time Clock account;
- a Calamari account with no employee (the integration and its platforms);
- the same account with 1,000 employees (4,000 entities, 1,000 devices).

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
import random
import time
from typing import Any

from tests.e2e.harness import Account, async_wait_reader_subscribed, tasmota_pn532

from .common import Context, wait_for
from .stack import (
    CALAMARI_KEY,
    READER_TOPIC,
    BenchHomeAssistant,
    calamari_employees,
    email_of,
    percentile,
    reader_options,
    summary_ms,
    tag_of,
)

SEED = 20261122


def calamari_account(api_url: str, count: int) -> Account:
    """Return a Calamari account with ``count`` employees and one MQTT reader."""
    return Account(
        title="Calamari employees",
        data={"backend": "calamari", "api_url": api_url, "api_key": CALAMARI_KEY},
        options=reader_options(),
        employees=calamari_employees(count),
    )


async def empty_memory(ctx: Context) -> dict[str, Any]:
    """Start Home Assistant without a Time Clock account; return its memory."""
    async with ctx.home_assistant("empty", None, start=False) as hass:
        seconds = await hass.async_start()
        memory = await hass.async_settled_memory()
        states = len(await hass._async_json("GET", "/api/states"))  # noqa: SLF001
    return {"start_seconds": seconds, "rss": memory["VmRSS"], "states": states}


async def account_memory(
    ctx: Context, api_url: str, count: int, then: Any = None
) -> dict[str, Any]:
    """Start twice with a Calamari account of ``count`` employees; return figures.

    ``then(hass, account)`` runs on the restarted Home Assistant; its result is
    under ``"then"``.
    """
    account = calamari_account(api_url, count)
    runs: dict[str, Any] = {}
    async with ctx.home_assistant(f"employees{count}", account, start=False) as hass:
        for run in ("first", "restart"):
            if run == "restart":
                await hass.async_stop()
            seconds = await hass.async_start()
            setup = await hass.async_entry_setup_seconds(account.entry_id)
            memory = await hass.async_settled_memory()
            states = len(await hass._async_json("GET", "/api/states"))  # noqa: SLF001
            runs[run] = {
                "start_seconds": seconds,
                "setup_seconds": setup,
                "rss": memory["VmRSS"],
                "states": states,
            }
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
    """Measure setup and memory with 0 and 1,000 employees, then the shift change."""
    count, taps, window = (300, 150, 20.0) if ctx.quick else (1000, 500, 60.0)
    results: dict[str, Any] = {"employees": count}
    async with ctx.stub("calamari") as stub:
        await stub.async_configure(persons=[email_of(i) for i in range(count)])
        api_url = stub.urls["api"]
        ctx.log("employees: empty Home Assistant")
        results["empty"] = await empty_memory(ctx)
        ctx.log("employees: account without employees")
        results["zero"] = await account_memory(ctx, api_url, 0)
        ctx.log(f"employees: account with {count} employees, then a shift change")

        async def then(hass: BenchHomeAssistant, _account: Account) -> dict[str, Any]:
            ctx.log(f"employees: shift change, {taps} of {count} tap in {window:.0f} s")
            return await shift_change(
                ctx, hass, stub=stub, count=count, taps=taps, window=window
            )

        results["full"] = await account_memory(ctx, api_url, count, then)
        results["shift"] = results["full"].pop("then")
        for run in ("first", "restart"):
            results["full"][run]["rss_above_empty"] = (
                results["full"][run]["rss"] - results["empty"]["rss"]
            )
            results["full"][run]["rss_above_zero"] = (
                results["full"][run]["rss"] - results["zero"][run]["rss"]
            )
        shift = results["shift"]
        ctx.log(
            f"  {shift['delivered']}/{taps} delivered, lag p99 "
            f"{shift['lag_p99_ms']:.1f} ms, max {shift['lag_max_ms']:.1f} ms"
        )
    return results
