"""A backlog after an outage: how fast the outbox drains, what it writes, what it holds.

For each size (1,000, 10,000, 20,000 punches):

1. the outbox is seeded in ``.storage`` (benchmarks/seed.py) for a Protime
   account of 100 employees: Protime's client has no client-side pacing, and
   the Protime stub (tests/fakes/protime.py, in its own process) no limit;
2. Home Assistant starts with the stub down (connections dropped), so the
   first attempt fails and the outbox waits in its backoff, as after an outage;
3. the stub comes back and ``time_clock.retry`` ends the wait; the drain is
   timed from the first to the last clocking the stub received, and checked:
   every punch once, in order of occurrence;
4. bytes written to ``.storage`` during the drain are counted two ways: the
   sizes of the files Home Assistant put in place (inotify on ``.storage``),
   and ``write_bytes`` of ``/proc/<pid>/io`` (what the kernel accounted to the
   process for the storage layer: whole 4 KiB pages, all files, logs included);
5. memory: the RSS of Home Assistant sampled every 50 ms during the drain, and
   its peak (``VmHWM``) since start.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
import time
from typing import Any

from homeassistant.util import dt as dt_util

from tests.e2e.harness import Account, Employee

from .common import Context, wait_for
from .seed import backlog_punches, seed_outbox
from .stack import (
    SETTLE_AFTER_START,
    MemorySampler,
    StorageWrites,
    percentile,
    storage_size,
    tag_of,
)

EMPLOYEES = 100


def protime_account(stub_urls: dict[str, str], count: int) -> Account:
    """Return a Protime account with ``count`` employees (person ids 1..count)."""
    return Account(
        title="Protime backlog",
        data={
            "backend": "protime",
            "tenant": "acme",
            "client_id": "time-clock-client",
            "client_secret": "time-clock-secret",
            "api_url": stub_urls["api_url"],
            "token_url": stub_urls["token_url"],
        },
        options={"readers": [], "debounce": 3, "tag_scanned": False},
        employees=[
            Employee(f"Employee {i:03d}", str(i), [tag_of(i)])
            for i in range(1, count + 1)
        ],
    )


async def drain(ctx: Context, size: int, *, profile: bool = False) -> dict[str, Any]:
    """Seed ``size`` punches, start Home Assistant during an outage, time the drain."""
    async with ctx.stub("protime") as stub:
        await stub.async_configure(persons=list(range(1, EMPLOYEES + 1)), down=True)
        account = protime_account(stub.urls, EMPLOYEES)
        ids = [emp.subentry_id for emp in account.employees]
        person_of = {emp.subentry_id: int(emp.identifier) for emp in account.employees}
        punches = backlog_punches(
            ids, size, now=dt_util.utcnow(), spacing=timedelta(seconds=60 / EMPLOYEES)
        )
        expected = [person_of[p["employee"]] for p in punches]
        seeded: dict[str, Any] = {}

        def prepare(config_dir: Any) -> None:
            seeded.update(seed_outbox(config_dir, account.entry_id, punches))

        async with ctx.home_assistant(
            f"backlog{size}", account, prepare=prepare
        ) as hass:
            setup = await hass.async_entry_setup_seconds(account.entry_id)
            start_rss = hass.rss()
            # The outage: the first attempt fails and the outbox backs off.
            await wait_for(
                lambda: _failed_attempt(stub), "a failed attempt", timeout=30
            )
            await asyncio.sleep(SETTLE_AFTER_START)
            storage = hass.config_dir / ".storage"
            before_size = storage_size(hass.config_dir, "time_clock.")
            writes = StorageWrites(storage)
            writes.start()
            sampler = MemorySampler(hass.pid)
            sampler.start()
            io_before = hass.io_counters()
            await stub.async_new_arrivals()
            if profile:
                await hass.async_probe_post(action="profile_start")
            started = time.monotonic()
            await stub.async_configure(down=False)
            await hass.async_call_service("time_clock", "retry")
            await wait_for(
                lambda: _delivered(stub, size),
                f"{size} clockings at the stub",
                timeout=60 + size / 20,
                poll=0.25,
            )
            done = time.monotonic()
            profile_path = None
            if profile:
                profile_path = str(ctx.profile_dir / f"backlog{size}.prof")
                await hass.async_probe_post(action="profile_stop", path=profile_path)
            # The cursor and state are saved 1 s and 2 s after the last change.
            await hass.async_wait_state(f"{account.entry_id}_pending_punches", "0")
            await asyncio.sleep(3.0)
            io_after = hass.io_counters()
            writes.stop()
            peak = sampler.stop()
            arrivals = [
                a
                for a in await stub.async_new_arrivals()
                if a[1].endswith("/clockings") and a[3] == 201
            ]
            stats = await stub.async_stats(order=True)
            lags = (await hass.async_probe(since=started, until=done))["lags"]
            hwm = hass.hwm()
            after_size = storage_size(hass.config_dir, "time_clock.")
    first, last = arrivals[0][0], arrivals[-1][0]
    drained = last - first
    return {
        "size": size,
        "employees": EMPLOYEES,
        "seeded_files": seeded["segments"] + 2,
        "seeded_bytes": seeded["bytes"],
        "setup_seconds": setup,
        "delivered": stats["clockings"],
        "in_order": stats["order"] == expected,
        "duplicates": stats["duplicates"],
        "retry_to_last_seconds": last - started,
        "first_to_last_seconds": drained,
        "punches_per_second": (size - 1) / drained if drained > 0 else float("nan"),
        "wall_seconds": done - started,
        "storage_bytes": writes.total,
        "storage_writes": writes.writes,
        "storage_by_file": dict(sorted(writes.bytes_by_prefix.items())),
        "storage_writes_by_file": dict(sorted(writes.writes_by_prefix.items())),
        "inotify_overflow": writes.overflowed,
        "bytes_per_punch": writes.total / size,
        "time_clock_bytes": sum(
            n
            for name, n in writes.bytes_by_prefix.items()
            if name.startswith("time_clock")
        ),
        "time_clock_bytes_per_punch": sum(
            n
            for name, n in writes.bytes_by_prefix.items()
            if name.startswith("time_clock")
        )
        / size,
        "write_bytes": io_after["write_bytes"] - io_before["write_bytes"],
        "write_bytes_per_punch": (io_after["write_bytes"] - io_before["write_bytes"])
        / size,
        "storage_size_before": before_size,
        "storage_size_after": after_size,
        "rss_at_start": start_rss,
        "rss_peak_during_drain": peak,
        "vm_hwm": hwm,
        "lag_p50_ms": percentile(lags, 50) * 1000,
        "lag_p99_ms": percentile(lags, 99) * 1000,
        "lag_max_ms": max(lags, default=float("nan")) * 1000,
        "profile": profile_path,
    }


async def _failed_attempt(stub: Any) -> bool:
    """Return whether the stub dropped a request of Home Assistant."""
    return any(status == 0 for *_, status in await stub.async_new_arrivals())


async def _delivered(stub: Any, size: int) -> bool:
    """Return whether the stub holds ``size`` clockings."""
    return int((await stub.async_stats())["clockings"]) >= size


async def run(ctx: Context) -> dict[str, Any]:
    """Drain backlogs of each size (quick: 1,000 and 3,000)."""
    sizes = (1000, 3000) if ctx.quick else (1000, 10000, 20000)
    runs = []
    for size in sizes:
        ctx.log(f"backlog: {size} punches")
        result = await drain(ctx, size, profile=ctx.profile)
        ctx.log(
            f"  {result['punches_per_second']:.0f} punches/s, "
            f"{result['bytes_per_punch']:.0f} B/punch to .storage "
            f"({result['write_bytes_per_punch']:.0f} B/punch write_bytes), "
            f"peak RSS {result['rss_peak_during_drain'] / 2**20:.0f} MiB, "
            f"in order: {result['in_order']}"
        )
        runs.append(result)
    return {"runs": runs}
