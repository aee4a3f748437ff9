"""A measuring probe loaded into the benchmarked Home Assistant (not part of Time Clock).

It runs a task in Home Assistant's event loop that sleeps ``INTERVAL`` seconds
over and over and notes how late each wake-up is: the event-loop lag. It also
reports the process's memory, Home Assistant's own setup timings and can run
cProfile on demand. Everything is read over Home Assistant's authenticated HTTP
API (``/api/bench_probe``), so the benchmark driver never imports into Home
Assistant.
"""

from __future__ import annotations

import asyncio
from collections import deque
import cProfile
import gc
from pathlib import Path
import time
from typing import Any

from aiohttp import web
from homeassistant.core import HomeAssistant
from homeassistant.helpers.http import HomeAssistantView
from homeassistant.helpers.typing import ConfigType
from homeassistant.setup import async_get_domain_setup_times, async_get_setup_timings

DOMAIN = "bench_probe"
INTERVAL = 0.01
MAX_SAMPLES = 500_000


class LagProbe:
    """Measure how late the event loop wakes a sleeping task."""

    def __init__(self) -> None:
        self.samples: deque[tuple[float, float]] = deque(maxlen=MAX_SAMPLES)
        self.profiler: cProfile.Profile | None = None

    async def async_run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + INTERVAL
            await asyncio.sleep(INTERVAL)
            self.samples.append((time.monotonic(), loop.time() - due))

    def since(self, start: float, end: float) -> list[float]:
        return [lag for at, lag in list(self.samples) if start <= at <= end]


def _memory() -> dict[str, int]:
    """Return the process's VmRSS, VmHWM and VmSize in bytes."""
    wanted = {"VmRSS", "VmHWM", "VmSize"}
    out: dict[str, int] = {}
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        key, _, value = line.partition(":")
        if key in wanted:
            out[key] = int(value.split()[0]) * 1024
    return out


class ProbeView(HomeAssistantView):
    """GET: lags, memory and setup timings; POST: gc, profile start/stop."""

    url = "/api/bench_probe"
    name = "api:bench_probe"

    def __init__(self, hass: HomeAssistant, probe: LagProbe) -> None:
        self.hass = hass
        self.probe = probe

    async def get(self, request: web.Request) -> web.Response:
        start = float(request.query.get("since", "0"))
        end = float(request.query.get("until", "inf"))
        entries = {
            str(group): dict(phases)
            for group, phases in async_get_domain_setup_times(
                self.hass, "time_clock"
            ).items()
        }
        body: dict[str, Any] = {
            "now": time.monotonic(),
            "memory": _memory(),
            "lags": self.probe.since(start, end),
            "setup_timings": async_get_setup_timings(self.hass),
            "time_clock_setup": entries,
        }
        return self.json(body)

    async def post(self, request: web.Request) -> web.Response:
        data = await request.json()
        action = data.get("action")
        if action == "gc":
            collected = gc.collect()
            return self.json({"collected": collected, "memory": _memory()})
        if action == "profile_start":
            self.probe.profiler = cProfile.Profile()
            self.probe.profiler.enable()
            return self.json({"profiling": True})
        if action == "profile_stop" and self.probe.profiler is not None:
            self.probe.profiler.disable()
            path = str(data["path"])
            profiler, self.probe.profiler = self.probe.profiler, None
            await self.hass.async_add_executor_job(profiler.dump_stats, path)
            return self.json({"path": path})
        return self.json({"error": f"unknown action {action!r}"}, 400)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Start the lag probe and register the view."""
    probe = LagProbe()
    hass.data[DOMAIN] = probe
    hass.async_create_background_task(probe.async_run(), "bench_probe lag")
    hass.http.register_view(ProbeView(hass, probe))
    return True
