"""A measuring probe loaded into the benchmarked Home Assistant (not part of Time Clock).

It runs a task in Home Assistant's event loop that sleeps ``INTERVAL`` seconds
over and over and notes how late each wake-up is: the event-loop lag. It also
reports the process's memory (after the recorder caught up and a garbage
collection), Home Assistant's own setup timings, runs cProfile on demand,
summarises a tracemalloc snapshot when Home Assistant was started with
``PYTHONTRACEMALLOC``, and notes when the entities of a platform first appear
(``/api/bench_probe/entities``). Everything is read over Home Assistant's
authenticated HTTP API, so the benchmark driver never imports into Home
Assistant.
"""

from __future__ import annotations

import asyncio
from collections import deque
import cProfile
import ctypes
import ctypes.util
import gc
from pathlib import Path
import sys
import time
import tracemalloc
from typing import Any

from aiohttp import web
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.http import HomeAssistantView
from homeassistant.helpers.typing import ConfigType
from homeassistant.setup import async_get_domain_setup_times, async_get_setup_timings

DOMAIN = "bench_probe"
INTERVAL = 0.01
MAX_SAMPLES = 500_000
# Sites listed per group of a tracemalloc summary.
TOP_SITES = 80


class LagProbe:
    """Measure how late the event loop wakes a sleeping task."""

    def __init__(self) -> None:
        self.samples: deque[tuple[float, float]] = deque(maxlen=MAX_SAMPLES)
        self.profiler: cProfile.Profile | None = None
        self.watch: EntityWatch | None = None

    async def async_run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + INTERVAL
            await asyncio.sleep(INTERVAL)
            self.samples.append((time.monotonic(), loop.time() - due))

    def since(self, start: float, end: float) -> list[float]:
        return [lag for at, lag in list(self.samples) if start <= at <= end]


class EntityWatch:
    """Note when each entity of one platform first enters the registry and the states.

    Times are ``time.monotonic()`` (the machine's ``CLOCK_MONOTONIC``, which the
    driver reads too), keyed by the entity's unique id.
    """

    def __init__(self, hass: HomeAssistant, platform: str) -> None:
        self.hass = hass
        self.platform = platform
        self.registry = er.async_get(hass)
        self.first_registry: dict[str, float] = {}
        self.first_state: dict[str, float] = {}
        self._unsubs = [
            hass.bus.async_listen(EVENT_STATE_CHANGED, self._state_changed),
            hass.bus.async_listen(
                er.EVENT_ENTITY_REGISTRY_UPDATED, self._registry_updated
            ),
        ]

    def stop(self) -> None:
        for unsub in self._unsubs:
            unsub()

    def _unique_id(self, entity_id: str) -> str | None:
        entry = self.registry.async_get(entity_id)
        if entry is None or entry.platform != self.platform:
            return None
        return entry.unique_id

    @callback
    def _state_changed(self, event: Event[Any]) -> None:
        if event.data["old_state"] is not None or event.data["new_state"] is None:
            return
        if (unique_id := self._unique_id(event.data["entity_id"])) is not None:
            self.first_state.setdefault(unique_id, time.monotonic())

    @callback
    def _registry_updated(self, event: Event[Any]) -> None:
        if event.data["action"] != "create":
            return
        if (unique_id := self._unique_id(event.data["entity_id"])) is not None:
            self.first_registry.setdefault(unique_id, time.monotonic())

    def present(self) -> list[str]:
        """Return the unique ids of the platform's entities that have a state now."""
        return [
            entry.unique_id
            for entry in list(self.registry.entities.values())
            if entry.platform == self.platform
            and self.hass.states.get(entry.entity_id) is not None
        ]


def _memory() -> dict[str, int]:
    """Return the process's VmRSS, VmHWM and VmSize in bytes."""
    wanted = {"VmRSS", "VmHWM", "VmSize"}
    out: dict[str, int] = {}
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        key, _, value = line.partition(":")
        if key in wanted:
            out[key] = int(value.split()[0]) * 1024
    return out


def _malloc_trim() -> bool:
    """Give the C allocator's free pages back to the system (glibc only)."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        return bool(ctypes.CDLL(name).malloc_trim(0))
    except (OSError, AttributeError):
        return False


def short_path(path: str) -> str:
    """Return a source path from its package on: ``homeassistant/core.py``."""
    for marker in ("/custom_components/", "/site-packages/", "/lib/python3.13/"):
        if marker in path:
            tail = path.rsplit(marker, 1)[1]
            return f"custom_components/{tail}" if "custom" in marker else tail
    return path


def _kind(site: str, domain: str) -> str:
    """Return whose code an allocating file is: the domain's, Home Assistant's, other."""
    if site.startswith(f"custom_components/{domain}/"):
        return "own code"
    if site.startswith("homeassistant/"):
        return "homeassistant"
    return "other"


def trace_summary(domains: list[str]) -> dict[str, Any]:
    """Summarise where the traced memory is, and what each domain's code caused.

    ``lines``: every allocating line (innermost frame) with its bytes and blocks.
    ``by_domain``: for each integration, the blocks allocated while its code was
    on the stack: ``own_sites`` those allocated by its own code or by libraries
    it called (imports, schemas...), grouped by the innermost of its frames, with
    the allocating lines under each; ``ha_sites`` those Home Assistant's code
    allocated for it (entity platform, registries, states, listeners), by
    allocating line.
    """
    gc.collect()
    snapshot = tracemalloc.take_snapshot()
    markers = {domain: f"/custom_components/{domain}/" for domain in domains}
    lines: dict[tuple[str, int], list[int]] = {}
    own: dict[str, dict[str, list[Any]]] = {d: {} for d in domains}
    ha: dict[str, dict[str, list[int]]] = {d: {} for d in domains}
    kinds: dict[str, dict[str, list[int]]] = {d: {} for d in domains}
    decided: dict[int, tuple[tuple[str, int], list[tuple[str, str, str]]]] = {}
    total = blocks = 0
    # The raw traces: (domain, size, frames most recent first, total frames), as
    # Snapshot.statistics reads them; far quicker than a Trace object each.
    raw = snapshot.traces._traces  # type: ignore[attr-defined]  # noqa: SLF001
    for _domain, size, frames, _total in raw:
        total += size
        blocks += 1
        if (found := decided.get(id(frames))) is None:
            site = (short_path(frames[0][0]), frames[0][1])
            owners = []
            for domain, marker in markers.items():
                for filename, lineno in frames:
                    if marker in filename:
                        owner = f"{short_path(filename)}:{lineno}"
                        owners.append((domain, owner, _kind(site[0], domain)))
                        break
            found = decided[id(frames)] = (site, owners)
        site, owners = found
        entry = lines.setdefault(site, [0, 0])
        entry[0] += size
        entry[1] += 1
        for domain, owner, kind in owners:
            counted = kinds[domain].setdefault(kind, [0, 0])
            counted[0] += size
            counted[1] += 1
            where = f"{site[0]}:{site[1]}"
            if kind == "homeassistant":
                item = ha[domain].setdefault(where, [0, 0])
                item[0] += size
                item[1] += 1
                continue
            group = own[domain].setdefault(owner, [0, 0, {}])
            group[0] += size
            group[1] += 1
            group[2][where] = group[2].get(where, 0) + size
    current, peak = tracemalloc.get_traced_memory()
    by_domain = {}
    for domain in domains:
        ordered = sorted(own[domain].items(), key=lambda item: -item[1][0])
        by_domain[domain] = {
            "kinds": kinds[domain],
            "own_sites": [
                {
                    "frame": frame,
                    "size": size,
                    "count": count,
                    "inner": sorted(inner.items(), key=lambda i: -i[1])[:3],
                }
                for frame, (size, count, inner) in ordered[:TOP_SITES]
            ],
            "ha_sites": [[where, s, c] for where, (s, c) in ha[domain].items()],
        }
    return {
        "total": total,
        "blocks": blocks,
        "traced_current": current,
        "traced_peak": peak,
        "frames": tracemalloc.get_traceback_limit(),
        "lines": [[f, n, s, c] for (f, n), (s, c) in lines.items()],
        "by_domain": by_domain,
    }


class ProbeView(HomeAssistantView):
    """GET: lags, memory and setup timings; POST: gc, profile, tracemalloc, watch."""

    url = "/api/bench_probe"
    name = "api:bench_probe"

    def __init__(self, hass: HomeAssistant, probe: LagProbe) -> None:
        self.hass = hass
        self.probe = probe

    async def get(self, request: web.Request) -> web.Response:
        start = float(request.query.get("since", "0"))
        end = float(request.query.get("until", "inf"))
        domain = request.query.get("domain", "time_clock")
        entries = {
            str(group): dict(phases)
            for group, phases in async_get_domain_setup_times(self.hass, domain).items()
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
            return self.json(await self._async_settle(trim=bool(data.get("trim"))))
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
        if action == "tracemalloc":
            if not tracemalloc.is_tracing():
                return self.json({"error": "tracemalloc is not tracing"}, 400)
            await self._async_settle(trim=False)
            domains = [str(d) for d in data.get("domains", [])]
            summary = await self.hass.async_add_executor_job(trace_summary, domains)
            return self.json(summary)
        if action == "watch_entities":
            if self.probe.watch is not None:
                self.probe.watch.stop()
            self.probe.watch = EntityWatch(self.hass, str(data["platform"]))
            return self.json({"watching": self.probe.watch.platform})
        return self.json({"error": f"unknown action {action!r}"}, 400)

    async def _async_settle(self, *, trim: bool) -> dict[str, Any]:
        """Let the recorder write what it holds, collect garbage, return memory."""
        if "recorder" in self.hass.config.components:
            from homeassistant.helpers.recorder import get_instance  # noqa: PLC0415

            await get_instance(self.hass).async_block_till_done()
        collected = gc.collect()
        out: dict[str, Any] = {
            "collected": collected,
            "memory": _memory(),
            # Live objects of the interpreter: what the RSS holds besides free pages.
            "python_blocks": sys.getallocatedblocks(),
        }
        if trim:
            out["trimmed"] = _malloc_trim()
            out["memory_trimmed"] = _memory()
        return out


class EntitiesView(HomeAssistantView):
    """GET: when the watched platform's entities appeared, and which exist now."""

    url = "/api/bench_probe/entities"
    name = "api:bench_probe:entities"

    def __init__(self, probe: LagProbe) -> None:
        self.probe = probe

    async def get(self, request: web.Request) -> web.Response:
        watch = self.probe.watch
        if watch is None:
            return self.json({"error": "nothing watched"}, 400)
        present = watch.present()
        body: dict[str, Any] = {
            "now": time.monotonic(),
            "present": len(present),
            "states_seen": len(watch.first_state),
        }
        if request.query.get("full") == "1":
            body |= {
                "first_state": watch.first_state,
                "first_registry": watch.first_registry,
                "present_ids": present,
            }
        return self.json(body)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Start the lag probe and register the views."""
    probe = LagProbe()
    hass.data[DOMAIN] = probe
    hass.async_create_background_task(probe.async_run(), "bench_probe lag")
    hass.http.register_view(ProbeView(hass, probe))
    hass.http.register_view(EntitiesView(probe))
    return True
